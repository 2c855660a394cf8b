/**
 * The local AWS Step Functions service: state machines with their revisions, versions and aliases, executions and
 * their history, activities, tags and task callbacks, with the API's operation names, request/response members and
 * error names (https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html).
 * Timestamps are `Date` objects, as the AWS SDK v3 surfaces them; a JSON protocol layer writes epoch seconds. The
 * records keep them as epoch ms (a Date costs ~96 bytes, and a waiting execution would keep several) and the
 * responses make the Dates.
 */
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { StateMachineDefinition } from '../../model/state-machine.js';
import type { RoleAssumption } from '../iam/roles.js';
import { ServiceError } from '../../errors/service-error.js';
import { NestingTooDeepError, parseJson } from '../../validate/nesting.js';
import type { AwsApi } from '../aws-api.js';
import type { ChangeFeed } from '../changes.js';
import { RealClock, type Clock } from '../clock.js';
import { randomIds, type IdGenerator } from '../ids.js';
import { Activities } from './activities.js';
import { checkRouting, MAX_ALIASES, pickVersion, sameRouting, type AliasRecord, type RoutingEntry } from './aliases.js';
import {
  aliasNotFound,
  conflict,
  executionDoesNotExist,
  invalidName,
  invalidToken,
  required,
  resourceNotFound,
  stateMachineDoesNotExist,
  typeNotSupported,
  validation,
  validationMessage,
} from './api-errors.js';
import { executionArn as makeExecutionArn, expectArn, isValidName, isValidRoleArn, stateMachineArn as makeStateMachineArn } from './arns.js';
import { parseDefinitionInSlices, validateDefinitionResponse, type StateMachineType } from './definition-validation.js';
import { startExecution, type ExecutionResult, type ExecutionStatus, type RunningExecution } from './execution.js';
import { historyEvent, type HistoryEvent, type HistoryListener, type RecordedEvent } from './history.js';
import { DEFAULT_INTEGRATIONS, type IntegrationRegistry } from './integrations/index.js';
import { MAX_PAYLOAD_BYTES } from './json-utils.js';
import { findJsonSyntaxError } from './json-parse-errors.js';
import {
  encryptionConfiguration,
  loggingConfiguration,
  sameConfiguration,
  tracingConfiguration,
  type EncryptionConfiguration,
  type LoggingConfiguration,
  type TracingConfiguration,
} from './logging-configuration.js';
import { TagStore, type Tag } from './tags.js';
import { TaskTokens } from './task-tokens.js';
import { memoryStore, type Store } from '../store/index.js';
import {
  ACTIVITY_KIND,
  EXECUTION_KIND,
  HISTORY_KIND,
  interruptedResult,
  MACHINE_KIND,
  restoredRevision,
  restoredRunning,
  REVISION_KIND,
  revisionKey,
  savedRevision,
  TAGS_KIND,
  type SavedExecution,
  type SavedMachine,
  type SavedRevision,
} from './persistence.js';
import type { ActivityRecord } from './activities.js';
import { testState, type TestStateInput, type TestStateOutput } from './test-state/index.js';
import { variableReferences } from './variable-references.js';
import { sameRevision, Versions, type Revision, type VersionRecord } from './versions.js';
import type { MockConfig } from './mock-config/index.js';
import type { StateMocks } from './runtime.js';

export type { StateMachineType } from './definition-validation.js';

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
  /** Told when an execution starts or ends (the console's live list). */
  readonly changes?: ChangeFeed;
  /** Step Functions Local test cases, run by StartExecution on `<stateMachineArn>#<TestCaseName>`. */
  readonly mockConfig?: MockConfig;
  /** Chooses between an alias's two versions (default Math.random). */
  readonly random?: () => number;
  /** Whether a role can be assumed (the local engine: a template or registration defines it). Default: any role. */
  readonly canAssumeRole?: RoleAssumption;
}

/** What DescribeExecution and ListExecutions both say of an execution. */
interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
  redriveCount: number;
}

/** What DescribeExecution and StartSyncExecution both return of an execution's data. */
interface ExecutionData {
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
  traceHeader?: string;
}

/** The request members CreateStateMachine and UpdateStateMachine share. */
interface MachineSettings {
  definition?: string;
  roleArn?: string;
  loggingConfiguration?: Partial<LoggingConfiguration>;
  tracingConfiguration?: Partial<TracingConfiguration>;
  encryptionConfiguration?: Partial<EncryptionConfiguration>;
  publish?: boolean;
  versionDescription?: string;
  [member: string]: unknown;
}

/** CreateStateMachine/UpdateStateMachine with a role Step Functions cannot assume (recorded AccessDeniedException, 400). */
const CANNOT_ASSUME = 'Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.';

export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  readonly type: StateMachineType;
  /** Epoch ms. */
  readonly creationDate: number;
  revision: Revision;
  /** What CreateStateMachine was called with, for its idempotency check ("also based on the publish and versionDescription parameters"). */
  readonly created: { readonly publish: boolean; readonly versionDescription: string | undefined; readonly versionArn: string | undefined };
  readonly versions: Versions;
  readonly aliases: Map<string, AliasRecord>;
  readonly executions: ExecutionRecord[];
}

export interface ExecutionRecord {
  readonly arn: string;
  readonly name: string;
  readonly stateMachine: StateMachineRecord;
  /** The revision the execution runs (DescribeStateMachineForExecution). */
  readonly revision: Revision;
  readonly versionArn: string | undefined;
  readonly aliasArn: string | undefined;
  readonly inputText: string;
  readonly traceHeader: string | undefined;
  readonly running: RunningExecution;
  status: ExecutionStatus;
  /** Epoch ms. */
  stopDate: number | undefined;
  result: ExecutionResult | undefined;
}

/** Default page size of the List* operations and GetExecutionHistory (API reference: "default is 100"). */
const DEFAULT_PAGE = 100;

export class StepFunctionsService {
  readonly region: string;
  readonly accountId: string;
  readonly tokens: TaskTokens;
  readonly activities: Activities;
  readonly tags = new TagStore();
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #awsApi: AwsApi;
  readonly #integrations: IntegrationRegistry;
  readonly #random: () => number;
  readonly #canAssumeRole: RoleAssumption | undefined;
  readonly #machines = new Map<string, StateMachineRecord>();
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #store: Store;
  readonly #mockConfig: MockConfig | undefined;
  readonly #changes: ChangeFeed | undefined;

  constructor(options: StepFunctionsServiceOptions) {
    this.#store = options.store ?? memoryStore();
    this.#changes = options.changes;
    this.#clock = options.clock ?? new RealClock();
    this.#ids = options.ids ?? randomIds;
    this.#awsApi = options.awsApi;
    this.#integrations = options.integrations ?? DEFAULT_INTEGRATIONS;
    this.#random = options.random ?? Math.random;
    this.#canAssumeRole = options.canAssumeRole;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.tokens = new TaskTokens(this.#ids, options.taskTokenLength);
    this.activities = new Activities(this.#clock, this.region, this.accountId);
    this.#mockConfig = options.mockConfig;
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

  async CreateStateMachine(input: MachineSettings & { name?: string; type?: StateMachineType; tags?: Tag[] }): Promise<{ stateMachineArn: string; creationDate: Date; stateMachineVersionArn?: string }> {
    const name = required(input.name, 'name');
    if (!isValidName(name)) throw invalidName(name);
    const roleArn = checkRoleArn(required(input.roleArn, 'roleArn'));
    const type = input.type ?? 'STANDARD';
    const publish = input.publish === true;
    // "You can only set the description if the publish parameter is set to true" (UNCONFIRMED wording).
    if (input.versionDescription !== undefined && !publish) throw versionDescriptionWithoutPublish();
    const definitionText = required(input.definition, 'definition');
    const definition = await parseDefinitionInSlices(definitionText, type);
    const logging = loggingConfiguration(input.loggingConfiguration);
    const tracing = tracingConfiguration(input.tracingConfiguration);
    const encryption = encryptionConfiguration(input.encryptionConfiguration);
    const arn = makeStateMachineArn(this.region, this.accountId, name);
    const existing = this.#machines.get(arn);
    if (existing !== undefined) {
      // "Idempotency check is based on the state machine name, definition, type, LoggingConfiguration,
      // TracingConfiguration, and EncryptionConfiguration ... also based on the publish and versionDescription
      // parameters. If a following request has a different roleArn or tags, Step Functions will ignore these".
      const first = existing.created;
      const same =
        existing.revision.revisionId === undefined &&
        existing.revision.definitionText === definitionText &&
        existing.type === type &&
        sameConfiguration(existing.revision.logging, logging) &&
        sameConfiguration(existing.revision.tracing, tracing) &&
        sameConfiguration(existing.revision.encryption, encryption) &&
        first.publish === publish &&
        first.versionDescription === input.versionDescription;
      if (same) return withVersionArn({ stateMachineArn: arn, creationDate: new Date(existing.creationDate) }, first.versionArn);
      throw new ServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    this.#assume(roleArn, arn);
    TagStore.check(input.tags, 'tags', arn);
    const now = this.#clock.now();
    const revision: Revision = { definitionText, definition, roleArn, logging, tracing, encryption, revisionId: undefined, since: now };
    const versions = new Versions(arn);
    const version = publish ? versions.publish(revision, input.versionDescription, now) : undefined;
    const record: StateMachineRecord = {
      arn,
      name,
      type,
      creationDate: now,
      revision,
      created: { publish, versionDescription: input.versionDescription, versionArn: version?.arn },
      versions,
      aliases: new Map(),
      executions: [],
    };
    this.#machines.set(arn, record);
    this.#saveMachine(record);
    if (input.tags !== undefined) {
      this.tags.set(arn, input.tags);
      this.#saveTags(arn);
    }
    return withVersionArn({ stateMachineArn: arn, creationDate: new Date(now) }, version?.arn);
  }

  async UpdateStateMachine(input: MachineSettings & { stateMachineArn?: string }): Promise<{ updateDate: Date; revisionId?: string; stateMachineVersionArn?: string }> {
    const machine = this.#baseMachine(input.stateMachineArn);
    if (
      input.definition === undefined &&
      input.roleArn === undefined &&
      input.loggingConfiguration === undefined &&
      input.tracingConfiguration === undefined &&
      input.encryptionConfiguration === undefined
    ) {
      throw new ServiceError('MissingRequiredParameter', 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified');
    }
    const publish = input.publish === true;
    if (input.versionDescription !== undefined && !publish) throw versionDescriptionWithoutPublish();
    const current = machine.revision;
    const definition = input.definition === undefined ? current.definition : await parseDefinitionInSlices(input.definition, machine.type);
    const next = {
      definitionText: input.definition ?? current.definitionText,
      definition,
      roleArn: input.roleArn === undefined ? current.roleArn : checkRoleArn(input.roleArn),
      logging: input.loggingConfiguration === undefined ? current.logging : loggingConfiguration(input.loggingConfiguration),
      tracing: input.tracingConfiguration === undefined ? current.tracing : tracingConfiguration(input.tracingConfiguration),
      encryption: input.encryptionConfiguration === undefined ? current.encryption : encryptionConfiguration(input.encryptionConfiguration),
    };
    if (input.roleArn !== undefined) this.#assume(next.roleArn, machine.arn);
    const now = this.#clock.now();
    // An update that changes nothing keeps the revision and its id (recorded: the same revisionId comes back).
    if (!sameRevision(current, next)) machine.revision = { ...next, revisionId: this.#ids.uuid(), since: now };
    const version = publish ? machine.versions.publish(machine.revision, input.versionDescription, now) : undefined;
    const out: { updateDate: Date; revisionId?: string; stateMachineVersionArn?: string } = { updateDate: new Date(now) };
    if (machine.revision.revisionId !== undefined) out.revisionId = machine.revision.revisionId;
    if (version !== undefined) out.stateMachineVersionArn = version.arn;
    this.#saveMachine(machine);
    return out;
  }

  /** Refuses a role Step Functions cannot assume for this state machine, as AWS does. */
  #assume(roleArn: string, stateMachineArn: string): void {
    if (this.#canAssumeRole?.(roleArn, { service: 'states.amazonaws.com', sourceArn: stateMachineArn }) === false) {
      throw new ServiceError('AccessDeniedException', CANNOT_ASSUME);
    }
  }

  async DescribeStateMachine(input: { stateMachineArn?: string; includedData?: string }): Promise<{
    stateMachineArn: string;
    name: string;
    status: 'ACTIVE';
    definition: string;
    roleArn: string;
    type: StateMachineType;
    creationDate: Date;
    loggingConfiguration: LoggingConfiguration;
    tracingConfiguration: TracingConfiguration;
    encryptionConfiguration: EncryptionConfiguration;
    revisionId?: string;
    description?: string;
    variableReferences?: Readonly<Record<string, readonly string[]>>;
  }> {
    const arn = required(input.stateMachineArn, 'stateMachineArn');
    const parsed = expectArn(arn, ['stateMachine', 'version']);
    const machine = this.#machines.get(makeStateMachineArn(this.region, this.accountId, parsed.machine));
    if (machine === undefined || !sameAccountArn(arn, machine.arn, parsed.kind === 'version' ? `:${parsed.version}` : '')) throw stateMachineDoesNotExist(arn);
    let version: VersionRecord | undefined;
    if (parsed.kind === 'version') {
      version = machine.versions.get(parsed.version);
      if (version === undefined) throw stateMachineDoesNotExist(arn);
    }
    const revision = version?.revision ?? machine.revision;
    const metadataOnly = input.includedData === 'METADATA_ONLY';
    const refs = variableReferences(revision.definition as unknown as JsonObject);
    return {
      stateMachineArn: version?.arn ?? machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      // "If called with includedData = METADATA_ONLY, the returned definition will be {}."
      definition: metadataOnly ? '{}' : revision.definitionText,
      roleArn: revision.roleArn,
      type: machine.type,
      creationDate: new Date(version?.creationDate ?? machine.creationDate),
      loggingConfiguration: revision.logging,
      tracingConfiguration: revision.tracing,
      encryptionConfiguration: revision.encryption,
      ...(revision.revisionId === undefined ? {} : { revisionId: revision.revisionId }),
      ...(version?.description === undefined ? {} : { description: version.description }),
      ...(refs === undefined || metadataOnly ? {} : { variableReferences: refs }),
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
    const parsed = expectArn(arn, ['stateMachine', 'version', 'alias']);
    // UNCONFIRMED wording (docs/fidelity.md); the API reference says qualified ARNs fail with ValidationException.
    if (parsed.kind !== 'stateMachine') throw validationMessage(`Invalid Request: '${arn}' is a qualified state machine ARN; DeleteStateMachine takes the state machine ARN.`);
    // Deleting is idempotent, "also deletes all versions and aliases", and running executions keep running until
    // they finish (API_DeleteStateMachine.html).
    const deleted = this.#machines.get(arn);
    if (deleted !== undefined) {
      this.#machines.delete(arn);
      this.tags.drop(arn);
      // Kept, marked deleted: its executions still describe it (and restore needs it for them).
      this.#saveMachine(deleted, true);
      this.#saveTags(arn);
    }
    return {};
  }

  // ------------------------------------------------------------------ versions

  async PublishStateMachineVersion(input: { stateMachineArn?: string; revisionId?: string; description?: string }): Promise<{ creationDate: Date; stateMachineVersionArn: string }> {
    const machine = this.#baseMachine(input.stateMachineArn);
    const current = machine.revision.revisionId ?? 'INITIAL';
    if (input.revisionId !== undefined && input.revisionId !== current) {
      throw conflict(`Failed to publish the State Machine version for revision ${input.revisionId}. The current State Machine revision is ${current}.`);
    }
    const version = machine.versions.publish(machine.revision, input.description, this.#clock.now());
    this.#saveMachine(machine);
    return { creationDate: new Date(version.creationDate), stateMachineVersionArn: version.arn };
  }

  async ListStateMachineVersions(input: { stateMachineArn?: string; maxResults?: number; nextToken?: string }): Promise<{
    stateMachineVersions: { stateMachineVersionArn: string; creationDate: Date }[];
    nextToken?: string;
  }> {
    const arn = required(input.stateMachineArn, 'stateMachineArn');
    expectArn(arn, ['stateMachine']);
    // No StateMachineDoesNotExist among its errors (API reference): an unknown machine has no versions.
    const machine = this.#machines.get(arn);
    const all = (machine?.versions.list() ?? []).map((v) => ({ stateMachineVersionArn: v.arn, creationDate: new Date(v.creationDate) }));
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return nextToken === undefined ? { stateMachineVersions: items } : { stateMachineVersions: items, nextToken };
  }

  async DeleteStateMachineVersion(input: { stateMachineVersionArn?: string }): Promise<Record<string, never>> {
    const arn = required(input.stateMachineVersionArn, 'stateMachineVersionArn');
    const parsed = expectArn(arn, ['version']);
    const machine = this.#machines.get(makeStateMachineArn(this.region, this.accountId, parsed.machine));
    const version = machine?.versions.get(parsed.version);
    // Deleting a version that does not exist succeeds (recorded).
    if (machine === undefined || version === undefined) return {};
    const referencing = [...machine.aliases.values()].filter((a) => a.routing.some((r) => r.stateMachineVersionArn === version.arn)).map((a) => a.name);
    if (referencing.length > 0) {
      throw conflict(`Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${referencing.join(', ')}]`);
    }
    machine.versions.delete(parsed.version);
    this.#saveMachine(machine);
    return {};
  }

  // ------------------------------------------------------------------ aliases

  async CreateStateMachineAlias(input: { name?: string; description?: string; routingConfiguration?: RoutingEntry[] }): Promise<{ stateMachineAliasArn: string; creationDate: Date }> {
    const name = required(input.name, 'name');
    const routing = input.routingConfiguration ?? [];
    const { machine: machineName } = checkRouting(routing);
    const machine = this.#machines.get(makeStateMachineArn(this.region, this.accountId, machineName));
    if (machine === undefined) throw stateMachineDoesNotExist(makeStateMachineArn(this.region, this.accountId, machineName));
    this.#checkVersionsExist(machine, routing);
    const arn = `${machine.arn}:${name}`;
    const existing = machine.aliases.get(name);
    if (existing !== undefined) {
      // "Step Functions bases the idempotency check on the stateMachineArn, description, name, and routingConfiguration".
      if (existing.description === input.description && sameRouting(existing.routing, routing)) return { stateMachineAliasArn: arn, creationDate: new Date(existing.creationDate) };
      throw conflict('Failed to create alias because an alias with the same name and a different routing configuration already exists.');
    }
    if (machine.aliases.size >= MAX_ALIASES) {
      throw new ServiceError('ServiceQuotaExceededException', `You can create up to ${MAX_ALIASES} aliases for each state machine.`, { httpStatusCode: 402 });
    }
    const now = this.#clock.now();
    machine.aliases.set(name, { arn, name, description: input.description, routing: routing.map((r) => ({ ...r })), creationDate: now, updateDate: now });
    this.#saveMachine(machine);
    return { stateMachineAliasArn: arn, creationDate: new Date(now) };
  }

  async DescribeStateMachineAlias(input: { stateMachineAliasArn?: string }): Promise<{
    stateMachineAliasArn: string;
    name: string;
    description?: string;
    routingConfiguration: RoutingEntry[];
    creationDate: Date;
    updateDate: Date;
  }> {
    const { alias } = this.#alias(input.stateMachineAliasArn);
    return {
      stateMachineAliasArn: alias.arn,
      name: alias.name,
      ...(alias.description === undefined ? {} : { description: alias.description }),
      routingConfiguration: alias.routing.map((r) => ({ ...r })),
      creationDate: new Date(alias.creationDate),
      updateDate: new Date(alias.updateDate),
    };
  }

  async UpdateStateMachineAlias(input: { stateMachineAliasArn?: string; description?: string; routingConfiguration?: RoutingEntry[] }): Promise<{ updateDate: Date }> {
    const { machine, alias } = this.#alias(input.stateMachineAliasArn);
    if (input.description === undefined && input.routingConfiguration === undefined) {
      // "You must specify at least one of the description or routingConfiguration parameters" (UNCONFIRMED wording).
      throw validationMessage('Either the description or the routingConfiguration must be specified.');
    }
    if (input.routingConfiguration !== undefined) {
      const { machine: machineName } = checkRouting(input.routingConfiguration);
      if (machineName !== machine.name) throw validationMessage(`Routing configuration must contain state machine version ARNs of the state machine of the alias. Received: [${input.routingConfiguration.map((r) => r.stateMachineVersionArn).join(', ')}]`);
      this.#checkVersionsExist(machine, input.routingConfiguration);
      alias.routing = input.routingConfiguration.map((r) => ({ ...r }));
    }
    if (input.description !== undefined) alias.description = input.description;
    alias.updateDate = this.#clock.now();
    this.#saveMachine(machine);
    return { updateDate: new Date(alias.updateDate) };
  }

  async DeleteStateMachineAlias(input: { stateMachineAliasArn?: string }): Promise<Record<string, never>> {
    const arn = required(input.stateMachineAliasArn, 'stateMachineAliasArn');
    const parsed = expectArn(arn, ['alias']);
    // Deleting an alias that does not exist succeeds (recorded).
    const owner = this.#machines.get(makeStateMachineArn(this.region, this.accountId, parsed.machine));
    if (owner?.aliases.delete(parsed.alias) === true) this.#saveMachine(owner);
    return {};
  }

  async ListStateMachineAliases(input: { stateMachineArn?: string; maxResults?: number; nextToken?: string }): Promise<{
    stateMachineAliases: { stateMachineAliasArn: string; creationDate: Date }[];
    nextToken?: string;
  }> {
    const arn = required(input.stateMachineArn, 'stateMachineArn');
    const parsed = expectArn(arn, ['stateMachine', 'version']);
    const machine = this.#machines.get(makeStateMachineArn(this.region, this.accountId, parsed.machine));
    if (machine === undefined) throw stateMachineDoesNotExist(arn);
    // "To list aliases that reference a state machine version, you can specify the version ARN". Oldest first, as
    // recorded (the API reference says most recent first).
    const all = [...machine.aliases.values()]
      .filter((a) => parsed.kind === 'stateMachine' || a.routing.some((r) => r.stateMachineVersionArn === arn))
      .map((a) => ({ stateMachineAliasArn: a.arn, creationDate: new Date(a.creationDate) }));
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return nextToken === undefined ? { stateMachineAliases: items } : { stateMachineAliases: items, nextToken };
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
  async StartSyncExecution(input: { stateMachineArn?: string; name?: string; input?: string; traceHeader?: string }): Promise<
    ExecutionData & {
      executionArn: string;
      stateMachineArn: string;
      name: string;
      startDate: Date;
      stopDate: Date;
      status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
      billingDetails: { billedMemoryUsedInMB: number; billedDurationInMilliseconds: number };
    }
  > {
    const { machine } = this.#target(input.stateMachineArn);
    if (machine.type !== 'EXPRESS') throw typeNotSupported();
    const record = this.#start(input, { sync: true });
    const result = await record.running.result;
    const start = record.running.startTime;
    const stop = record.stopDate ?? this.#clock.now();
    const members = resultMembers(result);
    return {
      executionArn: record.arn,
      stateMachineArn: machine.arn,
      name: record.name,
      startDate: new Date(start),
      stopDate: new Date(stop),
      status: result.status === 'ABORTED' ? 'FAILED' : result.status,
      input: record.inputText,
      inputDetails: { included: true },
      ...members,
      ...(members.output === undefined ? {} : { outputDetails: { included: true } }),
      ...(record.traceHeader === undefined ? {} : { traceHeader: record.traceHeader }),
      billingDetails: billing(stop - start),
    };
  }

  async DescribeExecution(input: { executionArn?: string; includedData?: string }): Promise<
    ExecutionSummary &
      ExecutionData & {
      redriveStatus: 'NOT_REDRIVABLE' | 'REDRIVABLE';
      redriveStatusReason?: string;
    }
  > {
    const e = this.#execution(input.executionArn);
    const base = {
      executionArn: e.arn,
      stateMachineArn: e.stateMachine.arn,
      name: e.name,
      status: e.status,
      startDate: new Date(e.running.startTime),
      input: e.inputText,
      inputDetails: { included: true },
      ...qualifiers(e),
      ...(e.traceHeader === undefined ? {} : { traceHeader: e.traceHeader }),
      redriveCount: 0,
      ...redrive(e),
    };
    if (e.result === undefined) return base;
    // AWS's DescribeExecution of a TIMED_OUT execution has no error or cause (recorded); its history event has them.
    const members = e.result.status === 'TIMED_OUT' ? {} : resultMembers(e.result);
    return {
      ...base,
      ...(e.stopDate === undefined ? {} : { stopDate: new Date(e.stopDate) }),
      ...members,
      ...('output' in members && members.output !== undefined ? { outputDetails: { included: true } } : {}),
    };
  }

  /** The revision an execution runs, as DescribeStateMachine shows a state machine (without status, type, creationDate). */
  async DescribeStateMachineForExecution(input: { executionArn?: string; includedData?: string }): Promise<{
    stateMachineArn: string;
    name: string;
    definition: string;
    roleArn: string;
    updateDate: Date;
    loggingConfiguration: LoggingConfiguration;
    tracingConfiguration: TracingConfiguration;
    encryptionConfiguration: EncryptionConfiguration;
    revisionId?: string;
    variableReferences?: Readonly<Record<string, readonly string[]>>;
  }> {
    const e = this.#execution(input.executionArn);
    const revision = e.revision;
    const metadataOnly = input.includedData === 'METADATA_ONLY';
    const refs = variableReferences(revision.definition as unknown as JsonObject);
    return {
      stateMachineArn: e.stateMachine.arn,
      name: e.stateMachine.name,
      definition: metadataOnly ? '{}' : revision.definitionText,
      roleArn: revision.roleArn,
      // "The date and time the state machine associated with an execution was updated. For a newly created state
      // machine, this is the creation date."
      updateDate: new Date(revision.since),
      loggingConfiguration: revision.logging,
      tracingConfiguration: revision.tracing,
      encryptionConfiguration: revision.encryption,
      ...(revision.revisionId === undefined ? {} : { revisionId: revision.revisionId }),
      ...(refs === undefined || metadataOnly ? {} : { variableReferences: refs }),
    };
  }

  async ListExecutions(input: { stateMachineArn?: string; statusFilter?: ExecutionStatus; maxResults?: number; nextToken?: string; mapRunArn?: string; redriveFilter?: string }): Promise<{
    executions: ExecutionSummary[];
    nextToken?: string;
  }> {
    if (input.mapRunArn !== undefined) {
      throw new ServiceError('UnknownOperationException', 'ListExecutions by mapRunArn is not supported by the shellstep local engine (no Distributed Map runs).');
    }
    const arn = required(input.stateMachineArn, 'stateMachineArn');
    const { machine, kind } = this.#target(arn);
    if (machine.type === 'EXPRESS') throw typeNotSupported();
    if (input.statusFilter === 'PENDING_REDRIVE') {
      // "If you provide a stateMachineArn and a PENDING_REDRIVE statusFilter, the API returns a validation exception." (UNCONFIRMED wording)
      throw validationMessage('The PENDING_REDRIVE status filter is valid only with a mapRunArn.');
    }
    // Newest first, as the API lists them; a version or alias ARN lists the executions started with it.
    const all = [...machine.executions]
      .reverse()
      .filter((e) => kind === 'stateMachine' || (kind === 'version' ? e.versionArn === arn : e.aliasArn === arn))
      .filter((e) => input.statusFilter === undefined || e.status === input.statusFilter)
      // Nothing is ever redriven locally: REDRIVEN lists none.
      .filter(() => input.redriveFilter !== 'REDRIVEN')
      .map((e) => ({
        executionArn: e.arn,
        stateMachineArn: machine.arn,
        name: e.name,
        status: e.status,
        startDate: new Date(e.running.startTime),
        ...(e.stopDate === undefined ? {} : { stopDate: new Date(e.stopDate) }),
        ...qualifiers(e),
        redriveCount: 0,
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

  // ------------------------------------------------------------------ validation

  async ValidateStateMachineDefinition(input: { definition?: string; type?: StateMachineType; severity?: string; maxResults?: number }): Promise<{
    result: 'OK' | 'FAIL';
    diagnostics: { severity: 'ERROR'; code: string; message: string; location: string }[];
    truncated: boolean;
  }> {
    return await validateDefinitionResponse(required(input.definition, 'definition'), input.type ?? 'STANDARD', input.maxResults);
  }

  // ------------------------------------------------------------------ activities

  async CreateActivity(input: { name?: string; tags?: Tag[]; encryptionConfiguration?: Partial<EncryptionConfiguration> }): Promise<{ activityArn: string; creationDate: Date }> {
    const name = required(input.name, 'name');
    if (!isValidName(name)) throw invalidName(name);
    const arn = `arn:aws:states:${this.region}:${this.accountId}:activity:${name}`;
    TagStore.check(input.tags, 'tags', arn);
    const { record, created } = this.activities.create(name, input.encryptionConfiguration);
    // "If a following request has different tags values, Step Functions will ignore these differences".
    if (created) this.#store.put(ACTIVITY_KIND, record.arn, () => record as unknown as JsonValue);
    if (created && input.tags !== undefined) {
      this.tags.set(record.arn, input.tags);
      this.#saveTags(record.arn);
    }
    return { activityArn: record.arn, creationDate: new Date(record.creationDate) };
  }

  async DescribeActivity(input: { activityArn?: string }): Promise<{ activityArn: string; name: string; creationDate: Date; encryptionConfiguration: EncryptionConfiguration }> {
    const record = this.activities.describe(required(input.activityArn, 'activityArn'));
    return { activityArn: record.arn, name: record.name, creationDate: new Date(record.creationDate), encryptionConfiguration: record.encryption };
  }

  async DeleteActivity(input: { activityArn?: string }): Promise<Record<string, never>> {
    const arn = required(input.activityArn, 'activityArn');
    if (this.activities.delete(arn)) {
      this.tags.drop(arn);
      this.#store.delete(ACTIVITY_KIND, arn);
      this.#saveTags(arn);
    }
    return {};
  }

  async ListActivities(input: { maxResults?: number; nextToken?: string } = {}): Promise<{ activities: { activityArn: string; name: string; creationDate: Date }[]; nextToken?: string }> {
    const all = this.activities.list().map((a) => ({ activityArn: a.arn, name: a.name, creationDate: new Date(a.creationDate) }));
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return nextToken === undefined ? { activities: items } : { activities: items, nextToken };
  }

  /** Long-polls for a task of the activity (at most 60 seconds of the service's clock). */
  async GetActivityTask(input: { activityArn?: string; workerName?: string }): Promise<{ taskToken?: string; input?: string }> {
    return this.activities.poll(required(input.activityArn, 'activityArn'), input.workerName);
  }

  // ------------------------------------------------------------------ tags

  async TagResource(input: { resourceArn?: string; tags?: Tag[] }): Promise<Record<string, never>> {
    const arn = this.#taggable(input.resourceArn);
    const tags = input.tags ?? [];
    TagStore.check(tags, 'tags', arn, this.tags.tagsOf(arn));
    this.tags.set(arn, tags);
    this.#saveTags(arn);
    return {};
  }

  async UntagResource(input: { resourceArn?: string; tagKeys?: string[] }): Promise<Record<string, never>> {
    const arn = this.#taggable(input.resourceArn);
    this.tags.remove(arn, input.tagKeys ?? []);
    this.#saveTags(arn);
    return {};
  }

  async ListTagsForResource(input: { resourceArn?: string }): Promise<{ tags: Tag[] }> {
    return { tags: this.tags.list(this.#taggable(input.resourceArn)) };
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

  /** TestState: runs one state by itself, with mocks and inspection data (src/engine/states/test-state/). */
  async TestState(input: TestStateInput): Promise<TestStateOutput> {
    const services = { clock: this.#clock, ids: this.#ids, awsApi: this.#awsApi, tokens: this.tokens, integrations: this.#integrations };
    return testState(input, { ...services, region: this.region, accountId: this.accountId });
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
    input: { stateMachineArn?: string; name?: string; input?: string; traceHeader?: string },
    options: { signal?: AbortSignal; context?: { Execution?: JsonObject; StateMachine?: JsonObject }; sync?: boolean },
  ): ExecutionRecord {
    // `<stateMachineArn>#<TestCase>` runs a test case of the mock configuration (Step Functions Local).
    const [targetInput, testCase] = splitTestCase(input.stateMachineArn);
    const { machine, kind, arn: targetArn } = this.#target(targetInput);
    let version: VersionRecord | undefined;
    let aliasArn: string | undefined;
    if (kind === 'version') {
      version = machine.versions.get(Number(targetArn.slice(machine.arn.length + 1)));
      if (version === undefined) throw stateMachineDoesNotExist(targetArn);
    } else if (kind === 'alias') {
      const alias = machine.aliases.get(targetArn.slice(machine.arn.length + 1));
      if (alias === undefined) throw stateMachineDoesNotExist(targetArn);
      const versionArn = pickVersion(alias.routing, this.#random);
      version = machine.versions.get(Number(versionArn.slice(machine.arn.length + 1)));
      if (version === undefined) throw stateMachineDoesNotExist(versionArn);
      aliasArn = alias.arn;
    }
    const revision = version?.revision ?? machine.revision;
    const mocks = testCase === undefined ? undefined : this.#mocks(machine, testCase, revision.definition);
    const name = input.name ?? this.#ids.uuid();
    if (!isValidName(name)) throw invalidName(name);
    const inputText = input.input ?? '{}';
    // "input ... Length Constraints: Maximum length of 262144" (API_StartExecution.html), in UTF-8 bytes.
    if (Buffer.byteLength(inputText, 'utf8') > MAX_PAYLOAD_BYTES) {
      throw validation('input', `Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`, inputText);
    }
    let parsed: JsonValue;
    try {
      parsed = parseJson(inputText) as JsonValue;
    } catch (error) {
      // "Invalid State Machine Execution Input: '<parser message>'", the parser's words being Jackson's (recorded);
      // past the nesting limit, Jackson's nesting message (validate/nesting.ts).
      const detail =
        inputText.trim() === ''
          ? 'Invalid execution input.'
          : error instanceof NestingTooDeepError
            ? error.message
            : (findJsonSyntaxError(inputText)?.message ?? 'Invalid execution input.');
      throw new ServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${detail}'`);
    }
    const express = machine.type === 'EXPRESS';
    const arn = makeExecutionArn(this.region, this.accountId, machine.name, name, express ? { uuid: this.#ids.uuid() } : undefined);
    const existing = this.#executions.get(arn);
    if (existing !== undefined) {
      // Same name and input while running: the call is idempotent for STANDARD workflows (API_StartExecution.html).
      if (existing.status === 'RUNNING' && existing.inputText === inputText) return existing;
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const running = startExecution({
      definition: revision.definition,
      input: parsed,
      clock: this.#clock,
      ids: this.#ids,
      awsApi: this.#awsApi,
      tokens: this.tokens,
      integrations: this.#integrations,
      activities: this.activities,
      region: this.region,
      accountId: this.accountId,
      executionArn: arn,
      executionName: name,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      roleArn: revision.roleArn,
      express,
      ...(options.sync === true ? { sync: true } : {}),
      ...(this.#canAssumeRole === undefined ? {} : { canAssumeRole: this.#canAssumeRole }),
      ...(options.context === undefined ? {} : { context: options.context }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(mocks === undefined ? {} : { mocks }),
    });
    const record: ExecutionRecord = {
      arn,
      name,
      stateMachine: machine,
      revision,
      versionArn: version?.arn,
      aliasArn,
      inputText,
      traceHeader: input.traceHeader,
      running,
      status: 'RUNNING',
      stopDate: undefined,
      result: undefined,
    };
    this.#executions.set(arn, record);
    machine.executions.push(record);
    this.#saveExecution(record);
    this.#changes?.emit('execution', arn, machine.arn);
    void running.result.then((result) => {
      record.result = result;
      record.status = result.status;
      record.stopDate = this.#clock.now();
      this.#saveExecution(record);
      this.#changes?.emit('execution', arn, machine.arn);
    });
    return record;
  }

  // ------------------------------------------------------------------ persistence

  #saveMachine(machine: StateMachineRecord, deleted = false): void {
    const store = this.#store;
    if (!store.durable) return;
    for (const revision of [machine.revision, ...machine.versions.list().map((v) => v.revision)]) {
      store.put(REVISION_KIND, revisionKey(machine.arn, revision), () => savedRevision(revision));
    }
    store.put(MACHINE_KIND, machine.arn, () => {
      const saved: SavedMachine = {
        arn: machine.arn,
        name: machine.name,
        type: machine.type,
        creationDate: machine.creationDate,
        created: {
          publish: machine.created.publish,
          ...(machine.created.versionDescription === undefined ? {} : { versionDescription: machine.created.versionDescription }),
          ...(machine.created.versionArn === undefined ? {} : { versionArn: machine.created.versionArn }),
        },
        revision: revisionKey(machine.arn, machine.revision),
        versions: machine.versions.list().map((v) => ({
          number: v.number,
          revision: revisionKey(machine.arn, v.revision),
          ...(v.description === undefined ? {} : { description: v.description }),
          creationDate: v.creationDate,
        })),
        nextVersion: machine.versions.nextNumber,
        aliases: [...machine.aliases.values()],
        ...(deleted ? { deleted } : {}),
      };
      return saved as unknown as JsonValue;
    });
  }

  #saveTags(arn: string): void {
    const tags = this.tags.list(arn);
    if (tags.length === 0) this.#store.delete(TAGS_KIND, arn);
    else this.#store.put(TAGS_KIND, arn, () => this.tags.list(arn) as unknown as JsonValue);
  }

  /**
   * Writes the execution through, and (once, when it starts) every history event as it is recorded. A store that keeps
   * nothing gets no listener: the default costs no memory per execution.
   */
  #saveExecution(record: ExecutionRecord): void {
    const store = this.#store;
    // Express executions are not kept: AWS has no describable state or history of them either.
    if (!store.durable || record.stateMachine.type === 'EXPRESS') return;
    const key = revisionKey(record.stateMachine.arn, record.revision);
    store.put(EXECUTION_KIND, record.arn, () => {
      const saved: SavedExecution = {
        arn: record.arn,
        name: record.name,
        stateMachineArn: record.stateMachine.arn,
        revision: key,
        ...(record.versionArn === undefined ? {} : { versionArn: record.versionArn }),
        ...(record.aliasArn === undefined ? {} : { aliasArn: record.aliasArn }),
        ...(record.traceHeader === undefined ? {} : { traceHeader: record.traceHeader }),
        inputText: record.inputText,
        startTime: record.running.startTime,
        ...(record.stopDate === undefined ? {} : { stopDate: record.stopDate }),
        ...(record.result === undefined ? {} : { result: record.result }),
      };
      return saved as unknown as JsonValue;
    });
    if (record.status !== 'RUNNING') return;
    const revision = record.revision;
    store.put(REVISION_KIND, key, () => savedRevision(revision));
    const history = record.running.history;
    for (const event of history.events) store.append(HISTORY_KIND, record.arn, event.id, event as unknown as JsonValue);
    history.subscribe((event) => store.append(HISTORY_KIND, record.arn, event.id, event as unknown as JsonValue));
  }

  /**
   * Brings back what the store kept (at start): revisions, state machines with their versions and aliases, Standard
   * executions with their histories, activities and tags. An execution still RUNNING when the last process stopped
   * ends ABORTED now, with an ExecutionAborted event, as a stop of the engine (LocalEngine.close) ends it
   * (docs/fidelity.md, Persistence).
   */
  restore(): void {
    const revisions = new Map<string, Revision>();
    for (const { id, value } of this.#store.records(REVISION_KIND)) revisions.set(id, restoredRevision(value as unknown as SavedRevision));
    const machines = new Map<string, StateMachineRecord>();
    for (const { value } of this.#store.records(MACHINE_KIND)) {
      const saved = value as unknown as SavedMachine;
      const revision = revisions.get(saved.revision);
      if (revision === undefined) continue;
      const versions = new Versions(saved.arn);
      versions.restore(
        saved.versions.flatMap((v) => {
          const of = revisions.get(v.revision);
          return of === undefined ? [] : [{ arn: `${saved.arn}:${v.number}`, number: v.number, revision: of, description: v.description, creationDate: v.creationDate }];
        }),
        saved.nextVersion,
      );
      const machine: StateMachineRecord = {
        arn: saved.arn,
        name: saved.name,
        type: saved.type,
        creationDate: saved.creationDate,
        revision,
        created: { publish: saved.created.publish, versionDescription: saved.created.versionDescription, versionArn: saved.created.versionArn },
        versions,
        aliases: new Map(saved.aliases.map((a) => [a.name, { ...a }])),
        executions: [],
      };
      machines.set(machine.arn, machine);
      if (saved.deleted !== true) this.#machines.set(machine.arn, machine);
    }
    const histories = this.#store.logs(HISTORY_KIND);
    for (const { value } of this.#store.records(EXECUTION_KIND)) {
      const saved = value as unknown as SavedExecution;
      const machine = machines.get(saved.stateMachineArn);
      const revision = revisions.get(saved.revision);
      if (machine === undefined || revision === undefined) continue;
      const events = (histories.get(saved.arn) ?? []) as unknown as RecordedEvent[];
      const result = saved.result ?? interruptedResult();
      const record: ExecutionRecord = {
        arn: saved.arn,
        name: saved.name,
        stateMachine: machine,
        revision,
        versionArn: saved.versionArn,
        aliasArn: saved.aliasArn,
        inputText: saved.inputText,
        traceHeader: saved.traceHeader,
        running: restoredRunning(this.#clock, saved.startTime, events, result),
        status: result.status,
        stopDate: saved.stopDate ?? this.#clock.now(),
        result,
      };
      this.#executions.set(record.arn, record);
      machine.executions.push(record);
      if (saved.result === undefined) {
        const history = record.running.history;
        const aborted = history.add('ExecutionAborted', history.lastEventId, 'executionAbortedEventDetails', { cause: result.cause });
        this.#store.append(HISTORY_KIND, record.arn, aborted, history.events[aborted - 1] as unknown as JsonValue);
        this.#saveExecution(record);
      }
    }
    for (const { value } of this.#store.records(ACTIVITY_KIND)) this.activities.restore(value as unknown as ActivityRecord);
    for (const { id, value } of this.#store.records(TAGS_KIND)) this.tags.set(id, value as unknown as Tag[]);
  }

  /** The mocked responses of a test case of the loaded mock configuration (Step Functions Local's `#TestCase`). */
  #mocks(machine: StateMachineRecord, testCase: string, definition: StateMachineDefinition): StateMocks {
    if (this.#mockConfig === undefined) {
      throw new ServiceError('ValidationException', `No mock configuration is loaded, so test case '${testCase}' cannot run (serve --mock-config FILE, or SFN_MOCK_CONFIG).`);
    }
    return this.#mockConfig.mocksFor(machine.name, testCase, definition);
  }

  /** A state machine ARN, version ARN or alias ARN that names an existing machine. */
  #target(value: string | undefined): { machine: StateMachineRecord; kind: 'stateMachine' | 'version' | 'alias'; arn: string } {
    const arn = required(value, 'stateMachineArn');
    const parsed = expectArn(arn, ['stateMachine', 'version', 'alias']);
    const machine = this.#machines.get(makeStateMachineArn(this.region, this.accountId, parsed.machine));
    if (machine === undefined || !arn.startsWith(`${machine.arn}`)) throw stateMachineDoesNotExist(arn);
    if (parsed.kind === 'version' && machine.versions.get(parsed.version) === undefined) throw stateMachineDoesNotExist(arn);
    if (parsed.kind === 'alias' && !machine.aliases.has(parsed.alias)) throw stateMachineDoesNotExist(arn);
    return { machine, kind: parsed.kind, arn };
  }

  /** An unqualified state machine ARN (a version or alias ARN names no state machine that can be changed, recorded). */
  #baseMachine(value: string | undefined): StateMachineRecord {
    const arn = required(value, 'stateMachineArn');
    const parsed = expectArn(arn, ['stateMachine', 'version', 'alias']);
    const machine = parsed.kind === 'stateMachine' ? this.#machines.get(arn) : undefined;
    if (machine === undefined) throw stateMachineDoesNotExist(arn);
    return machine;
  }

  #alias(value: string | undefined): { machine: StateMachineRecord; alias: AliasRecord } {
    const arn = required(value, 'stateMachineAliasArn');
    const parsed = expectArn(arn, ['alias']);
    const machine = this.#machines.get(makeStateMachineArn(this.region, this.accountId, parsed.machine));
    const alias = machine?.aliases.get(parsed.alias);
    if (machine === undefined || alias === undefined || alias.arn !== arn) throw aliasNotFound();
    return { machine, alias };
  }

  #checkVersionsExist(machine: StateMachineRecord, routing: readonly RoutingEntry[]): void {
    for (const entry of routing) {
      const number = Number(entry.stateMachineVersionArn.slice(entry.stateMachineVersionArn.lastIndexOf(':') + 1));
      if (machine.versions.get(number) === undefined || `${machine.arn}:${number}` !== entry.stateMachineVersionArn) throw resourceNotFound(entry.stateMachineVersionArn);
    }
  }

  /** A state machine or activity that exists: versions and aliases cannot be tagged (recorded: ResourceNotFound). */
  #taggable(value: string | undefined): string {
    const arn = required(value, 'resourceArn');
    const parsed = expectArn(arn, ['stateMachine', 'version', 'alias', 'activity']);
    if (parsed.kind === 'stateMachine' && this.#machines.has(arn)) return arn;
    if (parsed.kind === 'activity' && this.activities.exists(arn)) return arn;
    throw resourceNotFound(arn);
  }

  #execution(arn: string | undefined, allowExpress = false): ExecutionRecord {
    const value = required(arn, 'executionArn');
    const parsed = expectArn(value, allowExpress ? ['execution', 'express'] : ['execution']);
    // Express executions have no describable state or history on AWS (recorded in its Express API suite).
    if (!allowExpress && parsed.kind !== 'execution') throw new ServiceError('InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");
    const execution = this.#executions.get(value);
    if (execution === undefined) throw executionDoesNotExist(value);
    return execution;
  }
}

function withVersionArn<T extends object>(out: T, versionArn: string | undefined): T & { stateMachineVersionArn?: string } {
  return versionArn === undefined ? out : { ...out, stateMachineVersionArn: versionArn };
}

/** Whether `arn` (with its qualifier) names this machine in this service's region and account. */
function sameAccountArn(arn: string, machineArn: string, qualifier: string): boolean {
  return arn === `${machineArn}${qualifier}`;
}

/** `<stateMachineArn>#<TestCaseName>` (Step Functions Local, "sfn-local-test-sm-exec" page) → the ARN and the test case. */
function splitTestCase(arn: string | undefined): [string | undefined, string | undefined] {
  const hash = arn?.lastIndexOf('#') ?? -1;
  return hash === -1 ? [arn, undefined] : [arn!.slice(0, hash), arn!.slice(hash + 1)];
}

function versionDescriptionWithoutPublish(): ServiceError {
  // "if you set versionDescription, but publish to false, this API action throws ValidationException" (UNCONFIRMED wording).
  return validationMessage('Invalid Request: versionDescription can only be set when publish is true.');
}

function checkRoleArn(arn: string): string {
  if (!isValidRoleArn(arn)) throw new ServiceError('InvalidArn', `Invalid Arn: 'Role ARN is not valid: ${arn}'`);
  return arn;
}

function qualifiers(e: ExecutionRecord): { stateMachineVersionArn?: string; stateMachineAliasArn?: string } {
  const out: { stateMachineVersionArn?: string; stateMachineAliasArn?: string } = {};
  if (e.versionArn !== undefined) out.stateMachineVersionArn = e.versionArn;
  if (e.aliasArn !== undefined) out.stateMachineAliasArn = e.aliasArn;
  return out;
}

/**
 * Redrive is not supported locally, but the status is AWS's: a Standard execution that FAILED, TIMED_OUT or was
 * ABORTED is REDRIVABLE (recorded for TIMED_OUT), one that succeeded or runs is not, "Execution is SUCCEEDED and
 * cannot be redriven" (recorded).
 */
function redrive(e: ExecutionRecord): { redriveStatus: 'NOT_REDRIVABLE' | 'REDRIVABLE'; redriveStatusReason?: string } {
  if (e.status === 'FAILED' || e.status === 'TIMED_OUT' || e.status === 'ABORTED') return { redriveStatus: 'REDRIVABLE' };
  return { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: `Execution is ${e.status} and cannot be redriven` };
}

/**
 * Express billing: "billed ... rounded up to the nearest 100ms" and memory "in 64-MB chunks" (Step Functions pricing
 * page); recorded {billedDurationInMilliseconds: 100, billedMemoryUsedInMB: 64} for a one-Pass-state machine.
 * UNCONFIRMED: the memory of larger definitions and payloads (docs/fidelity.md).
 */
function billing(durationMs: number): { billedMemoryUsedInMB: number; billedDurationInMilliseconds: number } {
  return { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil(durationMs / 100) * 100) };
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

/**
 * One page of a list, from an opaque token; "A value of 0 uses the default" page size of 100. The bounds of
 * maxResults and nextToken are the API model's (api-constraints.ts); a token this service did not issue is
 * "Invalid Token: 'Invalid token'" (recorded).
 */
function page<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  const size = maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE : maxResults;
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = decodeToken(nextToken);
    if (decoded === undefined || decoded > items.length) throw invalidToken();
    start = decoded;
  }
  const slice = items.slice(start, start + size);
  const end = start + slice.length;
  return end < items.length ? { items: slice, nextToken: encodeToken(end) } : { items: slice };
}

const TOKEN_PREFIX = 'shellstep-page:';

function encodeToken(offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${offset}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): number | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(TOKEN_PREFIX)) return undefined;
  const offset = Number(text.slice(TOKEN_PREFIX.length));
  return Number.isInteger(offset) && offset >= 0 ? offset : undefined;
}
