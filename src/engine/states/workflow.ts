/**
 * Runs one workflow scope (the machine, a Parallel branch, a Map iteration) state by state, and one state
 * with its Entered/Exited events, payload limit and variable assignments.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-statemachines.html
 */
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { QueryLanguage, State, StateType } from '../../model/state-machine.js';
import { StatesDataLimitExceededError, StatesRuntimeError } from '../../errors/states-errors.js';
import { contextObject, type MapItemContext } from './context-object.js';
import { recordEvaluationFailure, toStatesError } from './error-handling.js';
import { NOT_TRUNCATED, eventData, type HistoryEventType } from './history.js';
import { exceedsPayloadLimit } from './json-utils.js';
import { MAX_JSON_NESTING, nestingExceeds, nestingMessage } from '../../validate/nesting.js';
import type { ExecutionRuntime, Frame, StateHandler, StateOutcome, StateRun } from './runtime.js';
import { STATE_TYPES } from './state-types/index.js';

/** "Maximum execution history size: 25,000 events" (Step Functions service quotas); the execution then fails. */
export const MAX_HISTORY_EVENTS = 25_000;
/** A loop of Pass/Choice states never waits; yielding this often keeps timers, I/O and other executions running. */
const TRANSITIONS_PER_YIELD = 256;

/** Runs a workflow from its StartAt to an end state and returns its output. */
export function runWorkflow(frame: Frame, input: JsonValue): Promise<JsonValue> {
  return new Promise<JsonValue>((resolve, reject) => new WorkflowRun(frame, input, resolve, reject).step());
}

/**
 * The state loop of one scope, driven by promise callbacks: a suspended async frame (generator, register file)
 * would stay alive for as long as a state waits. Each step takes the same microtask turns as an `await` would.
 */
class WorkflowRun {
  #name: string;
  #current: JsonValue;
  // The JSON text of the current value, reused from the previous state's exit (serializing is the hot path).
  #currentText: string | undefined = undefined;
  #transitions = 0;

  constructor(
    readonly frame: Frame,
    input: JsonValue,
    readonly resolve: (output: JsonValue) => void,
    readonly reject: (error: unknown) => void,
  ) {
    this.#name = frame.definition.StartAt;
    this.#current = input;
  }

  /** Starts the next state (after yielding to the event loop every TRANSITIONS_PER_YIELD transitions). */
  step(): void {
    try {
      const frame = this.frame;
      if (frame.signal.aborted) throw frame.signal.reason;
      if (++this.#transitions % TRANSITIONS_PER_YIELD === 0) {
        // Busy, not idle: a fast-forwarding clock must not jump over this loop while it yields.
        const release = frame.runtime.clock.hold();
        new Promise((resolve) => setImmediate(resolve)).then(() => {
          release();
          this.#enter();
        }, this.reject);
        return;
      }
      this.#enter();
    } catch (error) {
      this.reject(error);
    }
  }

  #enter(): void {
    try {
      const frame = this.frame;
      if (frame.runtime.history.events.length >= MAX_HISTORY_EVENTS) {
        // UNCONFIRMED error name and cause (docs/fidelity.md): the quota page says only that the execution fails.
        throw new StatesRuntimeError(`The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`);
      }
      const name = this.#name;
      const state = frame.definition.States[name];
      if (state === undefined) throw new StatesRuntimeError(`The state '${name}' is not defined.`);
      runState(frame, name, state, this.#current, this.#currentText).then((outcome) => this.#exited(outcome), this.reject);
    } catch (error) {
      this.reject(error);
    }
  }

  #exited(outcome: StateOutcome & { outputText: string }): void {
    this.#current = outcome.output;
    this.#currentText = outcome.outputText;
    if (outcome.next === undefined) {
      this.resolve(this.#current);
      return;
    }
    this.#name = outcome.next;
    this.step();
  }
}

/** States whose interruption inside a failed branch or iteration AWS records as `<Type>StateAborted`. */
const ABORTABLE: ReadonlySet<StateType> = new Set(['Task', 'Wait', 'Map', 'Parallel']);

/**
 * After a Parallel branch or Map iteration ended in failure or was aborted, records `<Type>StateAborted` for the state
 * it was running (recorded by AWS: `TaskFailed → TaskStateAborted → ParallelStateFailed`, and for every in-flight
 * Task of a failed Map).
 */
export function recordAborted(frame: Frame): void {
  const type = frame.activeState;
  frame.activeState = undefined;
  if (type === undefined || !ABORTABLE.has(type)) return;
  emitIn(frame, `${type as 'Task' | 'Wait' | 'Map' | 'Parallel'}StateAborted`);
}

/** Records an event in a frame's scope, chaining `previousEventId` within the scope. */
function emitIn(frame: Frame, type: HistoryEventType, detailsKey?: string, details?: Record<string, unknown>): number {
  if (!frame.recordEvents) return frame.lastEventId;
  const id = frame.runtime.history.add(type, frame.lastEventId, detailsKey, details);
  frame.lastEventId = id;
  return id;
}

/**
 * Not an async function: a suspended async frame (its register file, generator and promise) would stay alive for as
 * long as the state waits; promise callbacks cost less and take the same number of microtask turns.
 */
function runState(
  frame: Frame,
  name: string,
  state: State,
  input: JsonValue,
  inputText: string | undefined,
): Promise<StateOutcome & { outputText: string }> {
  try {
    return startState(frame, name, state, input, inputText).settled;
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/**
 * Runs one state by itself, outside a workflow loop (TestState): `run` is the state's run, for what comes after its
 * outcome (a Catch's output), and `settled` resolves as the state exits or rejects as it fails.
 */
export function runStandaloneState(frame: Frame, name: string, state: State, input: JsonValue): { run: StateRun; settled: Promise<StateOutcome> } {
  return startState(frame, name, state, input, undefined);
}

/** Enters a state (its Entered event) and starts its handler; throws when the state type is unknown. */
function startState(
  frame: Frame,
  name: string,
  state: State,
  input: JsonValue,
  inputText: string | undefined,
): { run: StateRun; settled: Promise<StateOutcome & { outputText: string }> } {
  const handler = STATE_TYPES[state.Type] as StateHandler | undefined;
  if (handler === undefined) throw new StatesRuntimeError(`The state type '${String(state.Type)}' is not supported.`);
  const runtime = frame.runtime;
  const enteredAt = runtime.clock.now();
  frame.activeState = state.Type;
  const enteredEventId = emitIn(frame, handler.enteredEvent, 'stateEnteredEventDetails', {
    name,
    input: frame.recordEvents ? (inputText ?? eventData(input)) : '',
    inputDetails: NOT_TRUNCATED,
  });
  const run = new StateRunImpl(frame, name, state, state.QueryLanguage ?? frame.queryLanguage, enteredEventId, enteredAt, handler.retries);
  const failed = (thrown: unknown): never => {
    const error = toStatesError(thrown, frame.signal).locatedIn(name, enteredEventId);
    recordEvaluationFailure(run, error);
    throw error;
  };
  let pending: Promise<StateOutcome>;
  try {
    pending = handler.execute(run, input);
  } catch (thrown) {
    pending = Promise.reject(thrown as Error);
  }
  return { run, settled: pending.then((outcome) => exitState(frame, name, handler, outcome), failed) };
}

/** Records the exit of a state that completed: payload limit, variable assignments and the Exited event. */
function exitState(frame: Frame, name: string, handler: StateHandler, outcome: StateOutcome): StateOutcome & { outputText: string } {
  // A payload template can nest its input one level deeper on every pass of a loop, within the size quota; past
  // Jackson's 1,000 levels every later walk (and AWS's serializer) would fail, so the state fails here
  // (UNCONFIRMED which error AWS gives: docs/fidelity.md).
  if (nestingExceeds(outcome.output, MAX_JSON_NESTING)) {
    throw new StatesRuntimeError(`The state/task '${name}' returned a result nested more than ${MAX_JSON_NESTING} levels deep: ${nestingMessage(MAX_JSON_NESTING)}`);
  }
  // "The maximum input or output size for a task, state, or execution is 256 KiB" (service-quotas page).
  const outputText = eventData(outcome.output);
  if (exceedsPayloadLimit(outputText)) {
    throw new StatesDataLimitExceededError(
      `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  if (outcome.assign !== undefined) frame.variables.assign(outcome.assign);
  if (handler.exitedEvent !== undefined) {
    const details: Record<string, unknown> = { name, output: outputText, outputDetails: NOT_TRUNCATED };
    if (outcome.assign !== undefined && Object.keys(outcome.assign).length > 0) {
      details['assignedVariables'] = Object.fromEntries(Object.entries(outcome.assign).map(([k, v]) => [k, JSON.stringify(v)]));
      details['assignedVariablesDetails'] = NOT_TRUNCATED;
    }
    emitIn(frame, handler.exitedEvent, 'stateExitedEventDetails', details);
  }
  frame.activeState = undefined;
  return { ...outcome, outputText };
}

/** One entry into one state (a class, so the per-state object is cheap to create). */
class StateRunImpl implements StateRun {
  readonly runtime: ExecutionRuntime;
  retryCount: number | undefined;
  taskToken: string | undefined = undefined;
  #enteredTime: string | undefined;

  constructor(
    readonly frame: Frame,
    readonly name: string,
    readonly state: State,
    readonly queryLanguage: QueryLanguage,
    readonly enteredEventId: number,
    readonly enteredAt: number,
    retries: boolean,
  ) {
    this.runtime = frame.runtime;
    this.retryCount = retries ? 0 : undefined;
  }

  get enteredTime(): string {
    this.#enteredTime ??= new Date(this.enteredAt).toISOString();
    return this.#enteredTime;
  }

  emit(type: HistoryEventType, detailsKey?: string, details?: Record<string, unknown>): number {
    return emitIn(this.frame, type, detailsKey, details);
  }

  context(): JsonObject {
    const given = this.runtime.contextOverride;
    if (given !== undefined) return given;
    const state = this.retryCount === undefined
      ? { Name: this.name, EnteredTime: this.enteredTime }
      : { Name: this.name, EnteredTime: this.enteredTime, RetryCount: this.retryCount };
    const extra: { taskToken?: string; mapItem?: MapItemContext } = {};
    if (this.taskToken !== undefined) extra.taskToken = this.taskToken;
    if (this.frame.mapItem !== undefined) extra.mapItem = this.frame.mapItem;
    return contextObject(this.runtime.base, state, extra);
  }
}
