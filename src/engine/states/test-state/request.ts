/**
 * The TestState request: its members parsed and checked in the order AWS checks them, with AWS's error codes and
 * messages (recorded in test/fixtures/conformance/test-state), and the state under test found in its definition.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 */
import type { JsonObject, JsonValue } from '../../../model/json.js';
import { isJsonObject } from '../../../model/json.js';
import type { QueryLanguage, State, StateMachineDefinition } from '../../../model/state-machine.js';
import { ServiceError } from '../../../errors/service-error.js';
import { validateStateMachine } from '../../../validate/asl.js';
import { describeDiagnostics, toPointer } from '../definition-validation.js';
import { isValidRoleArn } from '../arns.js';
import { parseResource } from '../integrations/index.js';
import { childWorkflows } from '../sub-workflows.js';
import { validateContext } from './context.js';

/** `TestStateInput` as the API defines it (JSON-text members are strings). */
export interface TestStateInput {
  readonly definition?: string;
  readonly roleArn?: string;
  readonly input?: string;
  readonly inspectionLevel?: string;
  readonly revealSecrets?: boolean;
  readonly variables?: string;
  readonly stateName?: string;
  readonly mock?: {
    readonly result?: string;
    readonly errorOutput?: { readonly error?: string; readonly cause?: string };
    readonly fieldValidationMode?: string;
  };
  readonly context?: string;
  readonly stateConfiguration?: {
    readonly retrierRetryCount?: number;
    readonly errorCausedByState?: string;
    readonly mapIterationFailureCount?: number;
    readonly mapItemReaderData?: string;
  };
}

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';
export type FieldValidationMode = 'STRICT' | 'PRESENT' | 'NONE';

export type ParsedMock =
  | { readonly kind: 'result'; readonly result: JsonValue; readonly fieldValidationMode: FieldValidationMode }
  | { readonly kind: 'error'; readonly error: string; readonly cause: string | undefined };

/** A checked request: the state under test and everything it runs with. */
export interface TestStatePlan {
  readonly state: State;
  /** The query language of the workflow around the state (its own `QueryLanguage` wins). */
  readonly queryLanguage: QueryLanguage;
  readonly input: JsonValue;
  readonly inspectionLevel: InspectionLevel;
  readonly roleArn: string | undefined;
  readonly variables: Readonly<Record<string, JsonValue>>;
  readonly context: JsonObject | undefined;
  readonly mock: ParsedMock | undefined;
  readonly retrierRetryCount: number;
  readonly mapIterationFailureCount: number | undefined;
  readonly mapItemReaderData: string | undefined;
}

/** The name the state under test runs under, whatever it is called in the definition (`$$.State.Name`, recorded). */
export const TESTED_STATE_NAME = 'StateName';

const LEVELS: readonly InspectionLevel[] = ['INFO', 'DEBUG', 'TRACE'];
const MODES: readonly FieldValidationMode[] = ['STRICT', 'PRESENT', 'NONE'];
/** TestState runs at most 5 minutes; its payloads are SensitiveData (at most 262,144 characters, the API model). */
const MAX_DATA = 262_144;

/** Checks a request and finds the state it tests; throws the ServiceError AWS would answer. */
export function planTestState(request: TestStateInput): TestStatePlan {
  checkMembers(request);
  const located = locateState(request.definition!, request.stateName);
  const { state } = located;
  const config = request.stateConfiguration ?? {};
  const mock = request.mock;
  // Recorded order: a Map iteration failure count without a mock is refused before the Map itself is.
  if (config.mapIterationFailureCount !== undefined && mock === undefined) {
    throw validation('TestState does not support MapIterationFailureCount when a mock is not specified.');
  }
  if ((state.Type === 'Map' || state.Type === 'Parallel') && mock === undefined) {
    throw new ServiceError(
      'InvalidDefinition',
      'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]',
    );
  }
  const parsedMock = mock === undefined ? undefined : parseMock(request, state, config.mapIterationFailureCount);
  if (mock === undefined && state.Type === 'Task') requireRealCall(state.Resource, request.roleArn);
  if (request.roleArn !== undefined && !isValidRoleArn(request.roleArn)) {
    throw new ServiceError('InvalidArn', `Invalid Arn: 'Role ARN is not valid: ${request.roleArn}'`);
  }
  let context: JsonObject | undefined;
  if (request.context !== undefined) {
    // "This field may only be specified if a mock is specified in the same request" (API_TestState.html).
    if (mock === undefined) throw validation('TestState does not support Context when a mock is not specified.');
    context = validateContext(request.context, state);
  }
  if (config.errorCausedByState !== undefined) checkErrorCausedByState(state, config.errorCausedByState, parsedMock);
  return {
    state,
    queryLanguage: located.queryLanguage,
    input: parseInput(request.input),
    inspectionLevel: (request.inspectionLevel ?? 'INFO') as InspectionLevel,
    roleArn: request.roleArn,
    variables: parseVariables(request.variables),
    context,
    mock: parsedMock,
    retrierRetryCount: config.retrierRetryCount ?? 0,
    mapIterationFailureCount: config.mapIterationFailureCount,
    mapItemReaderData: config.mapItemReaderData,
  };
}

/** The constraints of the API model, checked by AWS's front end before anything else (Coral-worded). */
function checkMembers(request: TestStateInput): void {
  if (typeof request.definition !== 'string') throw constraint('definition', 'Member must not be null', undefined);
  if (request.definition.length === 0) throw constraint('definition', 'Member must have length greater than or equal to 1', request.definition);
  if (request.definition.length > 1_048_576) throw constraint('definition', 'Member must have length less than or equal to 1048576', '***');
  if (request.inspectionLevel !== undefined && !LEVELS.includes(request.inspectionLevel as InspectionLevel)) {
    throw constraint('inspectionLevel', `Member must satisfy enum value set: [${LEVELS.join(', ')}]`, request.inspectionLevel);
  }
  const mode = request.mock?.fieldValidationMode;
  if (mode !== undefined && !MODES.includes(mode as FieldValidationMode)) {
    throw constraint('mock.fieldValidationMode', `Member must satisfy enum value set: [${MODES.join(', ')}]`, mode);
  }
  if (request.stateName !== undefined && (request.stateName.length < 1 || request.stateName.length > 80)) {
    throw constraint('stateName', 'Member must have length less than or equal to 80', '***');
  }
  for (const [member, value] of [
    ['input', request.input],
    ['variables', request.variables],
    ['context', request.context],
    ['mock.result', request.mock?.result],
    ['stateConfiguration.mapItemReaderData', request.stateConfiguration?.mapItemReaderData],
  ] as const) {
    if (value !== undefined && value.length > MAX_DATA) throw constraint(member, `Member must have length less than or equal to ${MAX_DATA}`, '***');
  }
  const config = request.stateConfiguration;
  for (const member of ['retrierRetryCount', 'mapIterationFailureCount'] as const) {
    const value = config?.[member];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw constraint(`stateConfiguration.${member}`, 'Member must have value greater than or equal to 0', value);
    }
  }
}

/**
 * The state under test: with `stateName`, that state anywhere in the machine (inside Parallel branches and Map
 * processors too); a whole machine without it tests its StartAt state; otherwise the definition is one state.
 */
function locateState(text: string, stateName: string | undefined): { state: State; queryLanguage: QueryLanguage } {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw new ServiceError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(error as Error).message}'`);
  }
  if (!isJsonObject(definition)) {
    throw new ServiceError('InvalidDefinition', "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The definition must be a JSON object at /'");
  }
  if (stateName !== undefined || 'States' in definition || 'StartAt' in definition) {
    checkDefinition(definition, false);
    const machine = definition as unknown as StateMachineDefinition;
    const found = findState(machine, stateName ?? machine.StartAt, machine.QueryLanguage ?? 'JSONPath');
    // Recorded: an unknown name, or one quoted as a JSON string, is "State not found in definition".
    if (found === undefined) throw validation('State not found in definition');
    return found;
  }
  // One state: checked as the machine AWS makes of it (`/States/StateName/...` in its messages), without the graph
  // checks, since its Next names states that are not there.
  checkDefinition({ StartAt: TESTED_STATE_NAME, States: { [TESTED_STATE_NAME]: definition } }, true);
  const state = definition as unknown as State;
  return { state, queryLanguage: 'JSONPath' };
}

/** Graph problems of a lone state: its transitions point outside the one-state machine made for it. */
const GRAPH_CODES: ReadonlySet<string> = new Set(['MISSING_TRANSITION_TARGET', 'MISSING_TERMINAL_STATE']);

function checkDefinition(definition: JsonObject, loneState: boolean): void {
  const issues = validateStateMachine(definition).filter((i) => i.severity !== 'warning' && !(loneState && GRAPH_CODES.has(i.code)));
  if (issues.length > 0) throw new ServiceError('InvalidDefinition', `Invalid State Machine Definition: '${describeDiagnostics(issues.map((i) => ({ code: i.code, message: i.message, location: toPointer(i.path) })))}'`);
}

/** Finds a state by name in a workflow and the workflows nested in it, with the query language around it. */
export function findState(
  workflow: StateMachineDefinition,
  name: string,
  inherited: QueryLanguage,
): { state: State; queryLanguage: QueryLanguage } | undefined {
  const queryLanguage = workflow.QueryLanguage ?? inherited;
  const own = Object.hasOwn(workflow.States, name) ? workflow.States[name] : undefined;
  if (own !== undefined) return { state: own, queryLanguage };
  for (const state of Object.values(workflow.States)) {
    for (const child of childWorkflows(state)) {
      const found = findState(child, name, queryLanguage);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** State types a mock may stand for (API_TestState.html, "mock": "only for Task, Map, or Parallel states"). */
const MOCKABLE = new Set(['Task', 'Map', 'Parallel']);

function parseMock(request: TestStateInput, state: State, mapIterationFailureCount: number | undefined): ParsedMock {
  const mock = request.mock!;
  if (!MOCKABLE.has(state.Type)) throw validation(`State type '${state.Type}' is not supported when a mock is specified`);
  if (request.revealSecrets === true) throw validation('TestState does not support RevealSecrets when a mock is specified.');
  const hasResult = mock.result !== undefined;
  const hasError = mock.errorOutput !== undefined;
  if (hasResult === hasError) throw validation('A test mock should have only one of the following fields: [result, errorOutput].');
  if (hasError) {
    const { error, cause } = mock.errorOutput!;
    // "This field is required if mock.errorOutput is specified" (API_MockErrorOutput.html).
    if (typeof error !== 'string') throw constraint('mock.errorOutput.error', 'Member must not be null', undefined);
    return { kind: 'error', error, cause };
  }
  let result: JsonValue;
  try {
    result = JSON.parse(mock.result!) as JsonValue;
  } catch {
    throw validation('Mocked result must be valid JSON');
  }
  if (state.Type === 'Map') {
    // A Map's mock is its iterations' results, or the ResultWriter's output when it writes them out.
    if (state.ResultWriter !== undefined) {
      if (!isJsonObject(result)) throw validation('Mocked result must be a JSON object.');
    } else if (!Array.isArray(result)) throw validation('Mocked result must be an array.');
    if (mapIterationFailureCount !== undefined && Array.isArray(result) && mapIterationFailureCount > result.length) {
      throw validation('Map iteration failure count must be less than or equal to the number of Map iterations');
    }
  }
  if (state.Type === 'Parallel') {
    if (!Array.isArray(result)) throw validation('Mocked result must be an array.');
    if (result.length !== state.Branches.length) throw validation('Mocked result must contain the same number of items as number of Parallel branches.');
  }
  return { kind: 'result', result, fieldValidationMode: (mock.fieldValidationMode ?? 'STRICT') as FieldValidationMode };
}

/**
 * Without a mock, a Task calls its service for real, under the given role. "TestState only supports the following
 * when a mock is specified: Activity tasks, .sync or .waitForTaskToken service integration patterns" (API_TestState.html).
 */
function requireRealCall(resource: string, roleArn: string | undefined): void {
  const parsed = parseResource(resource);
  // UNCONFIRMED messages (docs/fidelity.md): the cases record none of these refusals.
  if (/^arn:[a-z-]+:states:[^:]*:[^:]*:activity:/.test(resource)) throw validation('TestState does not support Activity tasks when a mock is not specified.');
  if (parsed?.pattern === 'RUN_JOB') throw validation("TestState does not support the '.sync' integration pattern when a mock is not specified.");
  if (parsed?.pattern === 'WAIT_FOR_TASK_TOKEN') throw validation("TestState does not support the '.waitForTaskToken' integration pattern when a mock is not specified.");
  if (roleArn === undefined) throw validation('RoleArn must be specified when testing a Task state');
}

/** `errorCausedByState` names the state inside the tested Map or Parallel that raised the mocked error. */
function checkErrorCausedByState(state: State, name: string, mock: ParsedMock | undefined): void {
  // UNCONFIRMED messages (docs/fidelity.md).
  if (state.Type !== 'Map' && state.Type !== 'Parallel') throw validation('ErrorCausedByState can only be specified for Map or Parallel states.');
  if (mock?.kind !== 'error') throw validation('ErrorCausedByState can only be specified when mock.errorOutput is specified.');
  if (!childWorkflows(state).some((child) => findState(child, name, 'JSONPath') !== undefined)) {
    throw validation(`ErrorCausedByState '${name}' is not a state of the tested ${state.Type} state.`);
  }
}

function parseInput(text: string | undefined): JsonValue {
  if (text === undefined) return {};
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    // The wording of StartExecution's InvalidExecutionInput (the parser's words are Jackson's on AWS).
    throw new ServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
}

function parseVariables(text: string | undefined): Readonly<Record<string, JsonValue>> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // UNCONFIRMED message (docs/fidelity.md).
    throw validation('Variables must be a valid JSON object.');
  }
  if (!isJsonObject(value)) throw validation('Variables must be a valid JSON object.');
  return value;
}

export function validation(message: string): ServiceError {
  return new ServiceError('ValidationException', message);
}

/** A constraint violation, worded as AWS's front end words them. */
function constraint(member: string, rule: string, value: unknown): ServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return new ServiceError('ValidationException', `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${rule}`);
}
