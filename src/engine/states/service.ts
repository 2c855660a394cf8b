/**
 * The local AWS Step Functions service: state machines, executions, history and task callbacks, with the API's
 * operation names, request/response members and error names
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html).
 * Timestamps are `Date` objects, as the AWS SDK v3 surfaces them; a JSON protocol layer writes epoch seconds. The
 * records keep them as epoch ms (a Date costs ~96 bytes, and a waiting execution would keep several) and the
 * responses make the Dates.
 */
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { StateMachineDefinition } from '../../model/state-machine.js';
import { ServiceError } from '../../errors/service-error.js';
import { validateStateMachine, validateStateMachineInSlices } from '../../validate/asl.js';
import { MAX_DOCUMENT_NESTING, parseJson } from '../../validate/nesting.js';
import type { ValidationIssue } from '../../validate/issue.js';
import type { AwsApi } from '../aws-api.js';
import { RealClock, type Clock } from '../clock.js';
import { randomIds, type IdGenerator } from '../ids.js';
import { executionArn as makeExecutionArn, isExecutionArn, isValidName, isValidRoleArn, parseStateMachineArn, stateMachineArn as makeStateMachineArn } from './arns.js';
import { startExecution, type ExecutionResult, type ExecutionStatus, type RunningExecution } from './execution.js';
import { historyEvent, type HistoryEvent, type HistoryListener, type RecordedEvent } from './history.js';
import { DEFAULT_INTEGRATIONS, type IntegrationRegistry } from './integrations/index.js';
import { MAX_PAYLOAD_BYTES } from './json-utils.js';
import { TaskTokens } from './task-tokens.js';
import { memoryStore, type Store } from '../store/index.js';
import { MACHINE_KIND, EXECUTION_KIND, HISTORY_KIND, savedExecution, savedMachine, restoredRunning, interruptedResult, type SavedExecution, type SavedMachine } from './persistence.js';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface StepFunctionsServiceOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** How Task states reach other local services (`arn:aws:states:::aws-sdk:*`). */
  readonly awsApi: AwsApi;
  readonly region?: string;
  readonly accountId?: string;
  /** Length of issued task tokens. Default: `DEFAULT_TASK_TOKEN_LENGTH` (512). */
  readonly taskTokenLength?: number;
  readonly integrations?: IntegrationRegistry;
  /** Aborting it stops every running execution (ABORTED). */
  readonly signal?: AbortSignal;
  /** Where state machines, executions and their histories are kept (default: nowhere but here). */
  readonly store?: Store;
}

export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  definitionText: string;
  definition: StateMachineDefinition;
  roleArn: string;
  readonly type: StateMachineType;
  /** Epoch ms. */
  readonly creationDate: number;
  updateDate: number | undefined;
  /** Set by UpdateStateMachine (DescribeStateMachine shows it from then on). */
  revisionId: string | undefined;
  readonly executions: ExecutionRecord[];
}

export interface ExecutionRecord {
  readonly arn: string;
  readonly name: string;
  readonly stateMachine: StateMachineRecord;
  readonly inputText: string;
  readonly running: RunningExecution;
  status: ExecutionStatus;
  /** Epoch ms. */
  stopDate: number | undefined;
  result: ExecutionResult | undefined;
}

/** Default page size of the List* operations and GetExecutionHistory (API reference: "default is 100"). */
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

export class StepFunctionsService {
  readonly region: string;
  readonly accountId: string;
  readonly tokens: TaskTokens;
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #awsApi: AwsApi;
  readonly #integrations: IntegrationRegistry;
  readonly #machines = new Map<string, StateMachineRecord>();
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #store: Store;

  constructor(options: StepFunctionsServiceOptions) {
    this.#store = options.store ?? memoryStore();
    this.#clock = options.clock ?? new RealClock();
    this.#ids = options.ids ?? randomIds;
    this.#awsApi = options.awsApi;
    this.#integrations = options.integrations ?? DEFAULT_INTEGRATIONS;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.tokens = new TaskTokens(this.#ids, options.taskTokenLength);
    // One listener stops them all, rather than one per execution on the shared signal: thousands may run at once,
    // and removing a listener from an EventTarget walks its list.
    options.signal?.addEventListener(
      'abort',
      () => {
        for (const record of this.#executions.values()) if (record.status === 'RUNNING') record.running.stop();
      },
      { once: true },
    );
  }

  // ------------------------------------------------------------------ state machines

  async CreateStateMachine(input: {
    name?: string;
    definition?: string;
    roleArn?: string;
    type?: StateMachineType;
    [member: string]: unknown;
  }): Promise<{ stateMachineArn: string; creationDate: Date }> {
    const name = required(input.name, 'name');
    if (!isValidName(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    const roleArn = checkRoleArn(required(input.roleArn, 'roleArn'));
    const type = input.type ?? 'STANDARD';
    if (type !== 'STANDARD' && type !== 'EXPRESS') throw validation('type', 'Member must satisfy enum value set: [STANDARD, EXPRESS]', type);
    const definitionText = required(input.definition, 'definition');
    const definition = await parseDefinitionInSlices(definitionText);
    if (type === 'EXPRESS') {
      const problems = expressProblems(definition, '');
      if (problems.length > 0) throw new ServiceError('InvalidDefinition', `Invalid State Machine Definition: '${problems.join(', ')}'`);
    }
    const arn = makeStateMachineArn(this.region, this.accountId, name);
    const existing = this.#machines.get(arn);
    if (existing !== undefined) {
      // "Idempotent: if the same name, definition and role are given, the existing state machine is returned."
      if (existing.definitionText === definitionText && existing.roleArn === roleArn && existing.type === type) {
        return { stateMachineArn: arn, creationDate: new Date(existing.creationDate) };
      }
      throw new ServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const record: StateMachineRecord = {
      arn,
      name,
      definitionText,
      definition,
      roleArn,
      type,
      creationDate: this.#clock.now(),
      updateDate: undefined,
      revisionId: undefined,
      executions: [],
    };
    this.#machines.set(arn, record);
    this.#saveMachine(record);
    return { stateMachineArn: arn, creationDate: new Date(record.creationDate) };
  }

  async UpdateStateMachine(input: { stateMachineArn?: string; definition?: string; roleArn?: string; [member: string]: unknown }): Promise<{ updateDate: Date; revisionId: string }> {
    const machine = this.#machine(input.stateMachineArn);
    if (input.definition === undefined && input.roleArn === undefined) {
      throw new ServiceError('MissingRequiredParameter', 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified');
    }
    const definition = input.definition === undefined ? undefined : await parseDefinitionInSlices(input.definition);
    const roleArn = input.roleArn === undefined ? undefined : checkRoleArn(input.roleArn);
    if (definition !== undefined && input.definition !== undefined) {
      machine.definition = definition;
      machine.definitionText = input.definition;
    }
    if (roleArn !== undefined) machine.roleArn = roleArn;
    machine.updateDate = this.#clock.now();
    machine.revisionId = this.#ids.uuid();
    this.#saveMachine(machine);
    return { updateDate: new Date(machine.updateDate), revisionId: machine.revisionId };
  }

  async DescribeStateMachine(input: { stateMachineArn?: string }): Promise<{
    stateMachineArn: string;
    name: string;
    status: 'ACTIVE';
    definition: string;
    roleArn: string;
    type: StateMachineType;
    creationDate: Date;
    loggingConfiguration: { level: 'OFF'; includeExecutionData: boolean };
    tracingConfiguration: { enabled: boolean };
    revisionId?: string;
  }> {
    const m = this.#machine(input.stateMachineArn);
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: 'ACTIVE',
      definition: m.definitionText,
      roleArn: m.roleArn,
      type: m.type,
      creationDate: new Date(m.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
      ...(m.revisionId === undefined ? {} : { revisionId: m.revisionId }),
    };
  }

  async ListStateMachines(input: { maxResults?: number; nextToken?: string } = {}): Promise<{
    stateMachines: { stateMachineArn: string; name: string; type: StateMachineType; creationDate: Date }[];
    nextToken?: string;
  }> {
    const all = [...this.#machines.values()].map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: new Date(m.creationDate) }));
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return nextToken === undefined ? { stateMachines: items } : { stateMachines: items, nextToken };
  }

  async DeleteStateMachine(input: { stateMachineArn?: string }): Promise<Record<string, never>> {
    const arn = required(input.stateMachineArn, 'stateMachineArn');
    if (parseStateMachineArn(arn) === undefined) throw new ServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    // Deleting is idempotent; running executions keep running until they finish (API_DeleteStateMachine.html).
    const deleted = this.#machines.get(arn);
    this.#machines.delete(arn);
    // Kept, marked deleted: its executions still describe it (and restore needs it for them).
    if (deleted !== undefined) this.#saveMachine(deleted, true);
    return {};
  }

  // ------------------------------------------------------------------ executions

  async StartExecution(
    input: { stateMachineArn?: string; name?: string; input?: string; traceHeader?: string },
    options: { signal?: AbortSignal; context?: { Execution?: JsonObject; StateMachine?: JsonObject } } = {},
  ): Promise<{ executionArn: string; startDate: Date }> {
    const record = this.#start(input, options);
    return { executionArn: record.arn, startDate: new Date(record.running.startTime) };
  }

  /** StartSyncExecution (Express only): runs to the end and returns the result. */
  async StartSyncExecution(input: { stateMachineArn?: string; name?: string; input?: string }): Promise<{
    executionArn: string;
    stateMachineArn: string;
    name: string;
    startDate: Date;
    stopDate: Date;
    status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
    input: string;
    output?: string;
    error?: string;
    cause?: string;
  }> {
    const machine = this.#machine(input.stateMachineArn);
    if (machine.type !== 'EXPRESS') throw typeNotSupported();
    const record = this.#start(input, {});
    const result = await record.running.result;
    const out = {
      executionArn: record.arn,
      stateMachineArn: machine.arn,
      name: record.name,
      startDate: new Date(record.running.startTime),
      stopDate: new Date(record.stopDate ?? this.#clock.now()),
      status: result.status === 'ABORTED' ? ('FAILED' as const) : result.status,
      input: record.inputText,
    };
    return { ...out, ...resultMembers(result) };
  }

  async DescribeExecution(input: { executionArn?: string }): Promise<{
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatus;
    startDate: Date;
    stopDate?: Date;
    input: string;
    inputDetails: { included: boolean };
    output?: string;
    outputDetails?: { included: boolean };
    error?: string;
    cause?: string;
    redriveCount: number;
    redriveStatus: 'NOT_REDRIVABLE' | 'REDRIVABLE';
    redriveStatusReason: string;
  }> {
    const e = this.#execution(input.executionArn);
    const base = {
      executionArn: e.arn,
      stateMachineArn: e.stateMachine.arn,
      name: e.name,
      status: e.status,
      startDate: new Date(e.running.startTime),
      input: e.inputText,
      inputDetails: { included: true },
      redriveCount: 0,
      // Redrive is not supported locally, so no execution is redrivable (AWS's wording, recorded for SUCCEEDED).
      redriveStatus: 'NOT_REDRIVABLE' as const,
      redriveStatusReason: `Execution is ${e.status} and cannot be redriven`,
    };
    if (e.result === undefined) return base;
    const members = resultMembers(e.result);
    return {
      ...base,
      ...(e.stopDate === undefined ? {} : { stopDate: new Date(e.stopDate) }),
      ...members,
      ...(members.output === undefined ? {} : { outputDetails: { included: true } }),
    };
  }

  async ListExecutions(input: { stateMachineArn?: string; statusFilter?: ExecutionStatus; maxResults?: number; nextToken?: string }): Promise<{
    executions: { executionArn: string; stateMachineArn: string; name: string; status: ExecutionStatus; startDate: Date; stopDate?: Date }[];
    nextToken?: string;
  }> {
    const machine = this.#machine(input.stateMachineArn);
    if (machine.type === 'EXPRESS') throw typeNotSupported();
    if (input.statusFilter !== undefined && !EXECUTION_STATUSES.includes(input.statusFilter)) {
      throw validation('statusFilter', `Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`, input.statusFilter);
    }
    // Newest first, as the API lists them.
    const all = [...machine.executions]
      .reverse()
      .filter((e) => input.statusFilter === undefined || e.status === input.statusFilter)
      .map((e) => ({
        executionArn: e.arn,
        stateMachineArn: machine.arn,
        name: e.name,
        status: e.status,
        startDate: new Date(e.running.startTime),
        ...(e.stopDate === undefined ? {} : { stopDate: new Date(e.stopDate) }),
      }));
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return nextToken === undefined ? { executions: items } : { executions: items, nextToken };
  }

  async StopExecution(input: { executionArn?: string; error?: string; cause?: string }): Promise<{ stopDate: Date }> {
    const e = this.#execution(input.executionArn);
    if (input.error !== undefined && input.error.length > 256) throw validation('error', 'Member must have length less than or equal to 256', input.error);
    if (input.cause !== undefined && input.cause.length > 32_768) throw validation('cause', 'Member must have length less than or equal to 32768', input.cause);
    if (e.status === 'RUNNING') {
      e.running.stop(input.error, input.cause);
      await e.running.result;
    }
    return { stopDate: new Date(e.stopDate ?? this.#clock.now()) };
  }

  async GetExecutionHistory(input: { executionArn?: string; maxResults?: number; reverseOrder?: boolean; nextToken?: string; includeExecutionData?: boolean }): Promise<{
    events: HistoryEvent[];
    nextToken?: string;
  }> {
    const e = this.#execution(input.executionArn);
    const recorded = e.running.history.events.slice();
    if (input.reverseOrder === true) recorded.reverse();
    const { items, nextToken } = page(recorded, input.maxResults, input.nextToken);
    const events = items.map(input.includeExecutionData === false ? (event) => withoutData(historyEvent(event)) : historyEvent);
    return nextToken === undefined ? { events } : { events, nextToken };
  }

  // ------------------------------------------------------------------ callbacks

  async SendTaskSuccess(input: { taskToken?: string; output?: string }): Promise<Record<string, never>> {
    this.tokens.sendTaskSuccess(input);
    return {};
  }

  async SendTaskFailure(input: { taskToken?: string; error?: string; cause?: string }): Promise<Record<string, never>> {
    this.tokens.sendTaskFailure(input);
    return {};
  }

  async SendTaskHeartbeat(input: { taskToken?: string }): Promise<Record<string, never>> {
    this.tokens.sendTaskHeartbeat(input);
    return {};
  }

  // ------------------------------------------------------------------ library extras (not API operations)

  /**
   * Calls `listener` with every later history event of an execution (after replaying the ones so far when
   * `replay` is set). Returns the unsubscribe function.
   */
  subscribeToHistory(executionArn: string, listener: HistoryListener, options: { replay?: boolean } = {}): () => void {
    const e = this.#execution(executionArn, true);
    if (options.replay === true) for (const event of e.running.history.events) listener(historyEvent(event));
    return e.running.history.subscribe((event) => listener(historyEvent(event)));
  }

  /** Resolves when the execution ends. */
  async waitForExecution(executionArn: string): Promise<ExecutionResult> {
    return this.#execution(executionArn, true).running.result;
  }

  /** Number of executions currently RUNNING. */
  get runningExecutions(): number {
    let n = 0;
    for (const e of this.#executions.values()) if (e.status === 'RUNNING') n++;
    return n;
  }

  #start(
    input: { stateMachineArn?: string; name?: string; input?: string },
    options: { signal?: AbortSignal; context?: { Execution?: JsonObject; StateMachine?: JsonObject } },
  ): ExecutionRecord {
    const machine = this.#machine(input.stateMachineArn);
    const name = input.name ?? this.#ids.uuid();
    if (!isValidName(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = input.input ?? '{}';
    // "input ... Length Constraints: Maximum length of 262144" (API_StartExecution.html).
    if (Buffer.byteLength(inputText, 'utf8') > MAX_PAYLOAD_BYTES) {
      throw validation('input', `Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`, inputText);
    }
    let parsed: JsonValue;
    try {
      parsed = parseJson(inputText) as JsonValue;
    } catch (error) {
      // "Invalid State Machine Execution Input: '<parser message>'" (the parser's words are Jackson's on AWS).
      const detail = inputText.trim() === '' ? 'Invalid execution input.' : error instanceof Error ? error.message : String(error);
      throw new ServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${detail}'`);
    }
    const express = machine.type === 'EXPRESS';
    const arn = makeExecutionArn(this.region, this.accountId, machine.name, name, express ? { uuid: this.#ids.uuid() } : undefined);
    const existing = this.#executions.get(arn);
    if (existing !== undefined) {
      // Same name and input while running: the call is idempotent (API_StartExecution.html, "name").
      if (existing.status === 'RUNNING' && existing.inputText === inputText) return existing;
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const running = startExecution({
      definition: machine.definition,
      input: parsed,
      clock: this.#clock,
      ids: this.#ids,
      awsApi: this.#awsApi,
      tokens: this.tokens,
      integrations: this.#integrations,
      region: this.region,
      accountId: this.accountId,
      executionArn: arn,
      executionName: name,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      roleArn: machine.roleArn,
      express,
      ...(options.context === undefined ? {} : { context: options.context }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const record: ExecutionRecord = { arn, name, stateMachine: machine, inputText, running, status: 'RUNNING', stopDate: undefined, result: undefined };
    this.#executions.set(arn, record);
    machine.executions.push(record);
    this.#saveExecution(record);
    void running.result.then((result) => {
      record.result = result;
      record.status = result.status;
      record.stopDate = this.#clock.now();
      this.#saveExecution(record);
    });
    return record;
  }

  // ------------------------------------------------------------------ persistence

  #saveMachine(machine: StateMachineRecord, deleted = false): void {
    this.#store.put(MACHINE_KIND, machine.arn, () => savedMachine(machine, deleted));
  }

  /**
   * Writes the execution through, and (once, when it starts) every history event as it is recorded. A store that keeps
   * nothing gets no listener: the default costs no memory per execution.
   */
  #saveExecution(record: ExecutionRecord): void {
    const store = this.#store;
    // Express executions are not kept: AWS has no describable state or history of them either.
    if (record.stateMachine.type === 'EXPRESS') return;
    store.put(EXECUTION_KIND, record.arn, () => savedExecution(record));
    if (record.status !== 'RUNNING' || !store.durable) return;
    const history = record.running.history;
    for (const event of history.events) store.append(HISTORY_KIND, record.arn, event.id, event as unknown as JsonValue);
    history.subscribe((event) => store.append(HISTORY_KIND, record.arn, event.id, event as unknown as JsonValue));
  }

  /**
   * Brings back the state machines and Standard executions the store kept (at start), with their histories. An
   * execution still RUNNING when the last process stopped ends ABORTED now, with an ExecutionAborted event, as a stop
   * of the engine (LocalEngine.close) ends it (docs/fidelity.md, Persistence).
   */
  restore(): void {
    const machines = new Map<string, StateMachineRecord>();
    for (const { value } of this.#store.records(MACHINE_KIND)) {
      const saved = value as unknown as SavedMachine;
      const machine: StateMachineRecord = {
        arn: saved.arn,
        name: saved.name,
        definitionText: saved.definitionText,
        definition: JSON.parse(saved.definitionText) as StateMachineDefinition,
        roleArn: saved.roleArn,
        type: saved.type,
        creationDate: saved.creationDate,
        updateDate: saved.updateDate ?? undefined,
        revisionId: saved.revisionId ?? undefined,
        executions: [],
      };
      machines.set(machine.arn, machine);
      if (saved.deleted !== true) this.#machines.set(machine.arn, machine);
    }
    const histories = this.#store.logs(HISTORY_KIND);
    for (const { value } of this.#store.records(EXECUTION_KIND)) {
      const saved = value as unknown as SavedExecution;
      const machine = machines.get(saved.stateMachineArn);
      if (machine === undefined) continue;
      const events = (histories.get(saved.arn) ?? []) as unknown as RecordedEvent[];
      const result = saved.result ?? interruptedResult();
      const record: ExecutionRecord = {
        arn: saved.arn,
        name: saved.name,
        stateMachine: machine,
        inputText: saved.inputText,
        running: restoredRunning(this.#clock, saved.startTime, events, result),
        status: result.status,
        stopDate: saved.stopDate ?? this.#clock.now(),
        result,
      };
      if (saved.result === undefined) {
        const aborted = record.running.history.add('ExecutionAborted', record.running.history.lastEventId, 'executionAbortedEventDetails', { cause: result.cause });
        this.#store.append(HISTORY_KIND, record.arn, aborted, record.running.history.events[aborted - 1] as unknown as JsonValue);
        this.#store.put(EXECUTION_KIND, record.arn, () => savedExecution(record));
      }
      this.#executions.set(record.arn, record);
      machine.executions.push(record);
    }
  }

  #machine(arn: string | undefined): StateMachineRecord {
    const value = required(arn, 'stateMachineArn');
    if (parseStateMachineArn(value) === undefined) throw new ServiceError('InvalidArn', `Invalid Arn: '${value}'`);
    const machine = this.#machines.get(value);
    if (machine === undefined) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${value}'`);
    return machine;
  }

  #execution(arn: string | undefined, allowExpress = false): ExecutionRecord {
    const value = required(arn, 'executionArn');
    if (!isExecutionArn(value)) throw new ServiceError('InvalidArn', `Invalid Arn: '${value}'`);
    // Express executions have no describable state or history on AWS (recorded in its Express API suite).
    if (!allowExpress && value.includes(':express:')) throw new ServiceError('InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");
    const execution = this.#executions.get(value);
    if (execution === undefined) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${value}'`);
    return execution;
  }
}

/**
 * "Express Workflows do not support ... Callback (.waitForTaskToken), .sync, Activities" (concepts-standard-vs-express);
 * the messages are AWS's, recorded in its API validation suite.
 */
function expressProblems(workflow: StateMachineDefinition, base: string): string[] {
  const problems: string[] = [];
  for (const [name, state] of Object.entries(workflow.States)) {
    const at = `${base}/States/${name}`;
    if (state.Type === 'Task') {
      if (/\.waitForTaskToken$/.test(state.Resource)) problems.push(`SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at ${at}/Resource`);
      else if (/\.sync(:2)?$/.test(state.Resource)) problems.push(`SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration at ${at}/Resource`);
      else if (/^arn:[^:]+:states:[^:]*:[^:]*:activity:/.test(state.Resource)) problems.push(`SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN at ${at}/Resource`);
    }
    if (state.Type === 'Parallel') state.Branches.forEach((branch, i) => problems.push(...expressProblems(branch, `${at}/Branches[${i}]`)));
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor !== undefined) problems.push(...expressProblems(processor, `${at}/${state.ItemProcessor === undefined ? 'Iterator' : 'ItemProcessor'}`));
    }
  }
  return problems;
}

/** "definition ... Length Constraints: Minimum length of 1. Maximum length of 1048576." (API_CreateStateMachine.html) */
const MAX_DEFINITION_BYTES = 1_048_576;

/** Parses and validates a definition string; failures are `InvalidDefinition` listing every issue. */
export function parseDefinition(text: string): StateMachineDefinition {
  const value = parseDefinitionText(text);
  return definitionOrInvalid(value, validateStateMachine(value));
}

/** The same, validating in time slices so that a large definition does not hold the endpoint (validate/asl.ts). */
export async function parseDefinitionInSlices(text: string): Promise<StateMachineDefinition> {
  const value = parseDefinitionText(text);
  return definitionOrInvalid(value, await validateStateMachineInSlices(value));
}

function parseDefinitionText(text: string): unknown {
  // Bytes rather than characters, as the quota reads ("Maximum size of state machine definition: 1 MB", hard).
  if (Buffer.byteLength(text, 'utf8') > MAX_DEFINITION_BYTES) {
    throw new ServiceError('ValidationException', `1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DEFINITION_BYTES}`);
  }
  try {
    return parseJson(text, MAX_DOCUMENT_NESTING);
  } catch (error) {
    throw new ServiceError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${error instanceof Error ? error.message : String(error)}'`);
  }
}

function definitionOrInvalid(value: unknown, issues: readonly ValidationIssue[]): StateMachineDefinition {
  const errors = issues.filter((i) => i.severity !== 'warning');
  if (errors.length > 0) throw new ServiceError('InvalidDefinition', `Invalid State Machine Definition: '${describeIssues(errors)}'`);
  return value as StateMachineDefinition;
}

/** `CODE: message at /States/X/Field`, the shape of AWS's InvalidDefinition messages. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.code}: ${i.message} at ${toPointer(i.path)}`).join(', ');
}

/** `$.States.A.Next` → `/States/A/Next`; `$` → `/`. */
function toPointer(path: string): string {
  const pointer = path
    .replace(/^\$/, '')
    .replace(/\["([^"]*)"\]/g, '/$1')
    .replace(/\[(\d+)\]/g, '[$1]')
    .replace(/\./g, '/');
  return pointer === '' ? '/' : pointer;
}

/** The ExecutionStatus enum in the order AWS lists it in validation messages. */
const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['SUCCEEDED', 'TIMED_OUT', 'PENDING_REDRIVE', 'ABORTED', 'FAILED', 'RUNNING'];

function typeNotSupported(): ServiceError {
  return new ServiceError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
}

function required(value: string | undefined, member: string): string {
  if (value === undefined || value === null) throw validation(member, 'Member must not be null');
  if (typeof value !== 'string') throw validation(member, 'Member must be a string', value);
  return value;
}

function checkRoleArn(arn: string): string {
  if (!isValidRoleArn(arn)) throw new ServiceError('InvalidArn', `Invalid Arn: 'Role ARN is not valid: ${arn}'`);
  return arn;
}

/** A Smithy constraint violation, worded as AWS words them (recorded in AWS's API suites). */
function validation(member: string, constraint: string, value?: unknown): ServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return new ServiceError('ValidationException', `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}

function resultMembers(result: ExecutionResult): { output?: string; error?: string; cause?: string } {
  const out: { output?: string; error?: string; cause?: string } = {};
  if (result.status === 'SUCCEEDED') out.output = JSON.stringify(result.output ?? null);
  if (result.error !== undefined) out.error = result.error;
  if (result.cause !== undefined) out.cause = result.cause;
  return out;
}

function withoutData(event: HistoryEvent): HistoryEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && typeof value === 'object' && value !== null) {
      const details = { ...(value as Record<string, unknown>) };
      delete details['input'];
      delete details['output'];
      copy[key] = details;
    }
  }
  return copy as unknown as HistoryEvent;
}

/** nextToken: "Length Constraints: Minimum length of 1. Maximum length of 1024." */
const MAX_NEXT_TOKEN = 1024;

function page<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (maxResults < 0 || !Number.isInteger(maxResults))) throw validation('maxResults', 'Member must have value greater than or equal to 0', maxResults);
  if (maxResults !== undefined && maxResults > MAX_PAGE) throw validation('maxResults', `Member must have value less than or equal to ${MAX_PAGE}`, maxResults);
  if (nextToken !== undefined && nextToken.length > MAX_NEXT_TOKEN) throw validation('nextToken', `Member must have length less than or equal to ${MAX_NEXT_TOKEN}`, nextToken);
  const size = maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE : maxResults;
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw new ServiceError('InvalidToken', `Invalid Token: '${nextToken}'`);
    start = decoded;
  }
  const slice = items.slice(start, start + size);
  const end = start + slice.length;
  return end < items.length ? { items: slice, nextToken: Buffer.from(String(end), 'utf8').toString('base64url') } : { items: slice };
}
