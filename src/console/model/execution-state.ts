/**
 * What happened to each state of an execution, read from its history events: each visit of a state (a "run") with
 * its input, output, error and cause, its Map iteration, its retries and the automation a Task started; each state's
 * colour (not reached, running, succeeded, failed, caught); and why the execution failed. Events are linked to the
 * state visit they belong to through `previousEventId`, as the history records them.
 */

export type StateStatus = 'not-reached' | 'running' | 'succeeded' | 'failed' | 'caught';

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly type: string;
  /** Epoch seconds, as the JSON protocol sends it. */
  readonly timestamp: number;
  readonly [details: string]: unknown;
}

export interface StateRun {
  readonly name: string;
  /** The state's Type as the history names it (`Task`, `Map`…). */
  readonly type: string;
  readonly enteredId: number;
  readonly entered: number;
  exited?: number;
  input?: string;
  output?: string;
  status: StateStatus;
  error?: string;
  cause?: string;
  /** The Map iteration this visit ran in (the innermost). */
  readonly iteration?: { readonly map: string; readonly index: number };
  retries: number;
  resource?: string;
  /** The AutomationExecutionId a Task's startAutomationExecution returned. */
  automationExecutionId?: string;
  readonly events: HistoryEvent[];
}

export interface MapIteration {
  readonly map: string;
  readonly index: number;
  status: 'running' | 'succeeded' | 'failed' | 'aborted';
  readonly startedId: number;
}

export interface ExecutionFailure {
  readonly error: string;
  readonly cause: string;
  /** The state the error came from (a caught Task whose error the execution failed with), and the one that ended it. */
  readonly originState?: string;
  readonly endedIn?: string;
}

export interface ExecutionView {
  readonly runs: readonly StateRun[];
  readonly runsByName: ReadonlyMap<string, readonly StateRun[]>;
  readonly statusByName: ReadonlyMap<string, StateStatus>;
  readonly iterations: ReadonlyMap<string, readonly MapIteration[]>;
  /** `RUNNING` until a terminal execution event. */
  readonly executionStatus: string;
  readonly failure?: ExecutionFailure;
}

const FAILURE_EVENTS: Readonly<Record<string, string>> = {
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  ParallelStateFailed: 'parallelStateFailedEventDetails',
  MapStateFailed: 'mapStateFailedEventDetails',
  EvaluationFailed: 'evaluationFailedEventDetails',
};
const ATTEMPT_EVENTS = new Set(['TaskScheduled', 'ParallelStateStarted', 'MapStateStarted']);
const TERMINAL: Readonly<Record<string, [string, string]>> = {
  ExecutionSucceeded: ['SUCCEEDED', 'executionSucceededEventDetails'],
  ExecutionFailed: ['FAILED', 'executionFailedEventDetails'],
  ExecutionAborted: ['ABORTED', 'executionAbortedEventDetails'],
  ExecutionTimedOut: ['TIMED_OUT', 'executionTimedOutEventDetails'],
};

type Details = Record<string, unknown> | undefined;
const details = (event: HistoryEvent, member: string): Details => {
  const value = event[member];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
};
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The automation id in a startAutomationExecution result (`{"AutomationExecutionId": …}`). */
function automationIdOf(output: string | undefined): string | undefined {
  if (output === undefined || !output.includes('AutomationExecutionId')) return undefined;
  try {
    const value = JSON.parse(output) as Record<string, unknown>;
    return str(value['AutomationExecutionId']);
  } catch {
    return undefined;
  }
}

/** Reads a history (events in id order, as GetExecutionHistory and the live stream give them). */
export function readHistory(events: readonly HistoryEvent[]): ExecutionView {
  const runs: StateRun[] = [];
  const ownerOf = new Map<number, StateRun>();
  const iterationOf = new Map<number, { map: string; index: number }>();
  const iterations = new Map<string, MapIteration[]>();
  const iterationByStart = new Map<number, MapIteration>();
  const lastOutcome = new Map<StateRun, 'ok' | { error?: string; cause?: string }>();
  let executionStatus = 'RUNNING';
  let terminal: { error?: string; cause?: string } | undefined;

  for (const event of events) {
    const owner = ownerOf.get(event.previousEventId);
    const iteration = iterationOf.get(event.previousEventId);
    if (iteration !== undefined) iterationOf.set(event.id, iteration);
    const type = event.type;
    if (type.endsWith('StateEntered')) {
      const entered = details(event, 'stateEnteredEventDetails');
      const run: StateRun = {
        name: str(entered?.['name']) ?? '?',
        type: type.slice(0, -'StateEntered'.length),
        enteredId: event.id,
        entered: event.timestamp,
        status: 'running',
        retries: 0,
        events: [event],
        ...(iteration === undefined ? {} : { iteration }),
      };
      const input = str(entered?.['input']);
      if (input !== undefined) run.input = input;
      runs.push(run);
      ownerOf.set(event.id, run);
      continue;
    }
    if (type === 'MapIterationStarted') {
      const d = details(event, 'mapIterationStartedEventDetails');
      const it: MapIteration = { map: str(d?.['name']) ?? '?', index: Number(d?.['index'] ?? 0), status: 'running', startedId: event.id };
      iterationOf.set(event.id, { map: it.map, index: it.index });
      let list = iterations.get(it.map);
      if (list === undefined) iterations.set(it.map, (list = []));
      list.push(it);
      iterationByStart.set(event.id, it);
      if (owner !== undefined) ownerOf.set(event.id, owner);
      continue;
    }
    if (type.startsWith('MapIteration')) {
      const d = details(event, `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`);
      const map = str(d?.['name']);
      const index = Number(d?.['index'] ?? -1);
      const it = iterations.get(map ?? '')?.find((i) => i.index === index && i.status === 'running');
      if (it !== undefined) it.status = type === 'MapIterationSucceeded' ? 'succeeded' : type === 'MapIterationFailed' ? 'failed' : 'aborted';
      if (owner !== undefined) ownerOf.set(event.id, owner);
      continue;
    }
    const ending = TERMINAL[type];
    if (ending !== undefined) {
      executionStatus = ending[0];
      const d = details(event, ending[1]);
      terminal = { ...(str(d?.['error']) === undefined ? {} : { error: str(d?.['error'])! }), ...(str(d?.['cause']) === undefined ? {} : { cause: str(d?.['cause'])! }) };
      continue;
    }
    if (owner === undefined) continue;
    ownerOf.set(event.id, owner);
    owner.events.push(event);
    if (type.endsWith('StateExited')) {
      const exited = details(event, 'stateExitedEventDetails');
      owner.exited = event.timestamp;
      const output = str(exited?.['output']);
      if (output !== undefined) owner.output = output;
      const outcome = lastOutcome.get(owner);
      owner.status = outcome !== undefined && outcome !== 'ok' ? 'caught' : 'succeeded';
      continue;
    }
    if (ATTEMPT_EVENTS.has(type)) {
      if (lastOutcome.get(owner) !== undefined && lastOutcome.get(owner) !== 'ok') owner.retries++;
      lastOutcome.delete(owner);
      if (type === 'TaskScheduled') {
        const d = details(event, 'taskScheduledEventDetails');
        const resource = str(d?.['resource']);
        const resourceType = str(d?.['resourceType']);
        if (resource !== undefined) owner.resource = resourceType === undefined ? resource : `${resourceType}:${resource}`;
      }
      continue;
    }
    const failure = FAILURE_EVENTS[type];
    if (failure !== undefined) {
      const d = details(event, failure);
      const error = str(d?.['error']);
      const cause = str(d?.['cause']);
      lastOutcome.set(owner, { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) });
      if (error !== undefined) owner.error = error;
      if (cause !== undefined) owner.cause = cause;
      continue;
    }
    if (type === 'TaskSucceeded' || type === 'TaskSubmitted' || type === 'ParallelStateSucceeded' || type === 'MapStateSucceeded') {
      if (type !== 'TaskSubmitted') lastOutcome.set(owner, 'ok');
      const d = details(event, type === 'TaskSubmitted' ? 'taskSubmittedEventDetails' : 'taskSucceededEventDetails');
      const automation = owner.automationExecutionId ?? automationIdOf(str(d?.['output']));
      if (automation !== undefined) owner.automationExecutionId = automation;
    }
  }

  // Visits that never exited: a Fail state failed; once the execution (or its Map iteration) is over, the rest
  // were cut short (failed); otherwise they are still running.
  const done = executionStatus !== 'RUNNING';
  for (const run of runs) {
    if (run.exited !== undefined) continue;
    const iterationOver = run.iteration !== undefined && iterations.get(run.iteration.map)?.some((i) => i.index === run.iteration!.index && i.status !== 'running') === true;
    if (run.type === 'Fail' || done || iterationOver) run.status = 'failed';
  }

  let failure: ExecutionFailure | undefined;
  if (executionStatus !== 'RUNNING' && executionStatus !== 'SUCCEEDED') {
    const error = terminal?.error ?? (executionStatus === 'TIMED_OUT' ? 'States.Timeout' : executionStatus === 'ABORTED' ? 'Aborted' : 'Unknown');
    const cause = terminal?.cause ?? '';
    const endedIn = [...runs].reverse().find((r) => r.status === 'failed' || r.status === 'running')?.name;
    const origin = runs.find((r) => r.error !== undefined && r.error === error)?.name;
    failure = { error, cause, ...(origin === undefined ? {} : { originState: origin }), ...(endedIn === undefined ? {} : { endedIn }) };
    for (const run of runs) {
      if (run.name === endedIn && run.type === 'Fail' && run.status === 'failed') {
        run.error ??= error;
        run.cause ??= cause;
      }
    }
  }

  const runsByName = new Map<string, StateRun[]>();
  for (const run of runs) {
    let list = runsByName.get(run.name);
    if (list === undefined) runsByName.set(run.name, (list = []));
    list.push(run);
  }
  const statusByName = new Map<string, StateStatus>();
  for (const [name, list] of runsByName) statusByName.set(name, aggregate(list));
  return { runs, runsByName, statusByName, iterations, executionStatus, ...(failure === undefined ? {} : { failure }) };
}

/** One colour for all of a state's visits: running over failed over caught over succeeded. */
function aggregate(runs: readonly StateRun[]): StateStatus {
  let seen: StateStatus = 'not-reached';
  const rank: Record<StateStatus, number> = { 'not-reached': 0, succeeded: 1, caught: 2, failed: 3, running: 4 };
  for (const run of runs) if (rank[run.status] > rank[seen]) seen = run.status;
  return seen;
}
