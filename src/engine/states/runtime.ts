/**
 * The shapes shared by the interpreter's modules: one execution (`ExecutionRuntime`), one workflow scope
 * (`Frame`: the machine, a Parallel branch or a Map iteration), and one state being run (`StateRun`).
 */
import type { Clock } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import type { AwsApi } from '../aws-api.js';
import type { StopSignal } from '../stop-signal.js';
import type { RoleAssumption } from '../iam/roles.js';
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { QueryLanguage, State, StateMachineDefinition, StateType } from '../../model/state-machine.js';
import type { ExecutionHistory, HistoryEventType } from './history.js';
import type { ExecutionContextBase, MapItemContext } from './context-object.js';
import type { Variables } from './variables.js';
import type { TaskTokens } from './task-tokens.js';
import type { IntegrationRegistry } from './integrations/index.js';
import type { ActivityTask } from './activities.js';

/** Where Task states on activity ARNs queue their tasks for workers (the service's activities). */
export interface ActivityPort {
  exists(activityArn: string): boolean;
  /** Queues a task; returns the function that withdraws it while no worker has taken it. */
  schedule(activityArn: string, task: ActivityTask): () => void;
}

/** Everything one execution shares across its states. */
export interface ExecutionRuntime {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly awsApi: AwsApi;
  readonly tokens: TaskTokens;
  readonly integrations: IntegrationRegistry;
  /** Absent where no service runs the execution (a Task on an activity ARN then fails). */
  readonly activities: ActivityPort | undefined;
  readonly history: ExecutionHistory;
  readonly region: string;
  readonly accountId: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly roleArn: string | undefined;
  readonly express: boolean;
  readonly base: ExecutionContextBase;
  /** Aborted by StopExecution or the execution timeout; every wait listens to it. */
  readonly signal: StopSignal;
  /** Whether a Task's `Credentials` role can be assumed by the execution's role (default: any). */
  readonly canAssumeRole?: RoleAssumption;
  /** Mocked outcomes that stand in for the work of states (TestState's `mock`, a Step Functions Local test case). */
  readonly mocks?: StateMocks;
  /** Receives each processing step of the state under test (TestState's `inspectionData`). */
  readonly inspector?: StateInspector;
  /** A context object given whole (TestState's `context`): `$$` is this object, as given. */
  readonly contextOverride?: JsonObject;
}

/** A mocked result or error in place of a state's work; `failedIterations` is TestState's mapIterationFailureCount. */
export type MockedOutcome =
  | { readonly result: JsonValue; readonly failedIterations?: number }
  | { readonly error: string; readonly cause?: string };

/** Stands in for the work of states: a Task's service call, or (TestState) a Map's iterations or a Parallel's branches. */
export interface StateMocks {
  /** The mocked outcome of this attempt of the state, or undefined to run it for real. */
  outcome(run: StateRun): MockedOutcome | undefined;
  /** The items an ItemReader would read (TestState's `mapItemReaderData`), or undefined when none were given. */
  readerItems?(run: StateRun): JsonValue[] | undefined;
}

/** The processing steps TestState reports in `inspectionData` (API_InspectionData.html). */
export type InspectionStep =
  | 'afterInputPath'
  | 'afterParameters'
  | 'afterArguments'
  | 'result'
  | 'afterResultSelector'
  | 'afterResultPath'
  | 'afterItemsPath'
  | 'afterItemSelector'
  | 'afterItemBatcher'
  | 'afterItemsPointer'
  | 'maxConcurrency'
  | 'toleratedFailureCount'
  | 'toleratedFailurePercentage';

export interface StateInspector {
  record(step: InspectionStep, value: JsonValue): void;
}

/** One workflow scope: the machine, a Parallel branch or a Map iteration. */
export interface Frame {
  readonly runtime: ExecutionRuntime;
  readonly definition: StateMachineDefinition;
  /** The query language of states that do not set their own. */
  readonly queryLanguage: QueryLanguage;
  readonly variables: Variables;
  readonly mapItem?: MapItemContext;
  /** Whether this frame's events are recorded (a Distributed Map's child workflows are not in the parent history). */
  readonly recordEvents: boolean;
  /** Aborted when the execution stops or a sibling branch/iteration fails; every wait listens to it. */
  readonly signal: StopSignal;
  /** The id of the last event recorded in this scope, the next event's `previousEventId`. */
  lastEventId: number;
  /** The type of the state running in this scope, until it exits normally (for `<Type>StateAborted` events). */
  activeState?: StateType | undefined;
}

/** One entry into one state. */
export interface StateRun<S extends State = State> {
  readonly frame: Frame;
  readonly runtime: ExecutionRuntime;
  readonly name: string;
  readonly state: S;
  readonly queryLanguage: QueryLanguage;
  readonly enteredEventId: number;
  readonly enteredTime: string;
  /** Incremented by Retry; present in `$$.State` for states that can retry. */
  retryCount: number | undefined;
  /** The Task token of the current attempt, for `$$.Task.Token`. */
  taskToken: string | undefined;
  /** Records an event in this state's scope and returns its id. */
  emit(type: HistoryEventType, detailsKey?: string, details?: Record<string, unknown>): number;
  /** The context object as this state sees it now. */
  context(): JsonObject;
}

/** What a state hands back: its output and where to go (`undefined` ends the workflow). */
export interface StateOutcome {
  readonly output: JsonValue;
  readonly next: string | undefined;
  /** Variable assignments to apply when the state exits. */
  readonly assign?: Readonly<Record<string, JsonValue>>;
}

/** One state type: the events it records and how it runs. */
export interface StateHandler<S extends State = State> {
  readonly enteredEvent: HistoryEventType;
  /** Fail states record no exit event. */
  readonly exitedEvent: HistoryEventType | undefined;
  /** Whether `$$.State.RetryCount` is shown (states with Retry: Task, Parallel, Map). */
  readonly retries: boolean;
  execute(run: StateRun<S>, input: JsonValue): Promise<StateOutcome>;
}
