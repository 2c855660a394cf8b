/**
 * Runs one workflow scope (the machine, a Parallel branch, a Map iteration) state by state, and one state
 * with its Entered/Exited events, payload limit and variable assignments.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-statemachines.html
 */
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { State } from '../../model/state-machine.js';
import { StatesDataLimitExceededError, StatesRuntimeError } from '../../errors/states-errors.js';
import { contextObject } from './context-object.js';
import { recordEvaluationFailure, toStatesError } from './error-handling.js';
import { NOT_TRUNCATED, eventData, type HistoryEventType } from './history.js';
import { exceedsPayloadLimit } from './json-utils.js';
import type { Frame, StateHandler, StateOutcome, StateRun } from './runtime.js';
import { STATE_TYPES } from './state-types/index.js';

/** Runs a workflow from its StartAt to an end state and returns its output. */
export async function runWorkflow(frame: Frame, input: JsonValue): Promise<JsonValue> {
  let name = frame.definition.StartAt;
  let current = input;
  for (;;) {
    if (frame.signal.aborted) throw frame.signal.reason;
    const state = frame.definition.States[name];
    if (state === undefined) throw new StatesRuntimeError(`The state '${name}' is not defined.`);
    const outcome = await runState(frame, name, state, current);
    current = outcome.output;
    if (outcome.next === undefined) return current;
    name = outcome.next;
  }
}

/** Records an event in a frame's scope, chaining `previousEventId` within the scope. */
export function emitIn(frame: Frame, type: HistoryEventType, detailsKey?: string, details?: Record<string, unknown>): number {
  if (!frame.recordEvents) return frame.lastEventId;
  const id = frame.runtime.history.add(type, frame.lastEventId, detailsKey, details);
  frame.lastEventId = id;
  return id;
}

async function runState(frame: Frame, name: string, state: State, input: JsonValue): Promise<StateOutcome> {
  const handler = STATE_TYPES[state.Type] as StateHandler | undefined;
  if (handler === undefined) throw new StatesRuntimeError(`The state type '${String(state.Type)}' is not supported.`);
  const runtime = frame.runtime;
  const enteredTime = new Date(runtime.clock.now()).toISOString();
  const enteredEventId = emitIn(frame, handler.enteredEvent, 'stateEnteredEventDetails', {
    name,
    input: eventData(input),
    inputDetails: NOT_TRUNCATED,
  });
  const run: StateRun = {
    frame,
    runtime,
    name,
    state,
    queryLanguage: state.QueryLanguage ?? frame.queryLanguage,
    enteredEventId,
    enteredTime,
    retryCount: handler.retries ? 0 : undefined,
    taskToken: undefined,
    emit: (type, detailsKey, details) => emitIn(frame, type, detailsKey, details),
    context(): JsonObject {
      return contextObject(
        runtime.base,
        this.retryCount === undefined
          ? { Name: name, EnteredTime: enteredTime }
          : { Name: name, EnteredTime: enteredTime, RetryCount: this.retryCount },
        {
          ...(this.taskToken === undefined ? {} : { taskToken: this.taskToken }),
          ...(frame.mapItem === undefined ? {} : { mapItem: frame.mapItem }),
        },
      );
    },
  };
  let outcome: StateOutcome;
  try {
    outcome = await handler.execute(run, input);
  } catch (thrown) {
    const error = toStatesError(thrown, frame.signal).locatedIn(name, enteredEventId);
    recordEvaluationFailure(run, error);
    throw error;
  }
  // "The maximum input or output size for a task, state, or execution is 256 KiB" (service-quotas page).
  if (exceedsPayloadLimit(outcome.output)) {
    throw new StatesDataLimitExceededError(
      `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  if (outcome.assign !== undefined) frame.variables.assign(outcome.assign);
  if (handler.exitedEvent !== undefined) {
    const details: Record<string, unknown> = { name, output: eventData(outcome.output), outputDetails: NOT_TRUNCATED };
    if (outcome.assign !== undefined && Object.keys(outcome.assign).length > 0) {
      details['assignedVariables'] = Object.fromEntries(Object.entries(outcome.assign).map(([k, v]) => [k, JSON.stringify(v)]));
      details['assignedVariablesDetails'] = NOT_TRUNCATED;
    }
    emitIn(frame, handler.exitedEvent, 'stateExitedEventDetails', details);
  }
  return outcome;
}
