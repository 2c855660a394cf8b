/**
 * A Task state whose Resource is an activity ARN: the task waits in the activity's queue until a worker takes it
 * with GetActivityTask, then until the worker answers with SendTaskSuccess / SendTaskFailure, under TimeoutSeconds
 * (from scheduling) and HeartbeatSeconds (from the start, reset by SendTaskHeartbeat). History: ActivityScheduled →
 * ActivityStarted → ActivitySucceeded | ActivityFailed | ActivityTimedOut
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html, the Activity* details).
 */
import type { JsonValue } from '../../../model/json.js';
import type { TaskState } from '../../../model/state-machine.js';
import { StatesError, StatesRuntimeError, StatesTimeoutError, isStatesError } from '../../../errors/states-errors.js';
import { NOT_TRUNCATED, eventData } from '../history.js';
import { resultOutcome } from '../query.js';
import type { StateOutcome, StateRun } from '../runtime.js';
import type { TaskWaiter, TokenOutcome } from '../task-tokens.js';
import type { TaskRequest } from './task.js';

export function activityAttempt(run: StateRun<TaskState>, input: JsonValue, activityArn: string, request: TaskRequest): Promise<StateOutcome> {
  const state = run.state;
  const next = state.End === true ? undefined : state.Next;
  const activities = run.runtime.activities;
  const parametersText = eventData(request.parameters);
  if (activities === undefined || !activities.exists(activityArn)) {
    // UNCONFIRMED error name and cause of a deleted activity (docs/fidelity.md).
    const error = new StatesError('States.Runtime', `Activity Does Not Exist: '${activityArn}'`);
    run.emit('ActivityScheduleFailed', 'activityScheduleFailedEventDetails', { error: error.name, cause: error.cause });
    return Promise.reject(error);
  }
  const scheduled: Record<string, unknown> = { resource: activityArn, input: parametersText, inputDetails: NOT_TRUNCATED };
  if (state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined) scheduled['timeoutInSeconds'] = request.timeoutSeconds;
  if (state.HeartbeatSeconds !== undefined || state.HeartbeatSecondsPath !== undefined) scheduled['heartbeatInSeconds'] = request.heartbeatSeconds;
  run.emit('ActivityScheduled', 'activityScheduledEventDetails', scheduled);
  return new Promise<JsonValue>((resolve, reject) => {
    new ActivityCall(run, activityArn, request, resolve, reject).start(parametersText);
  }).then(
    (output) => {
      run.emit('ActivitySucceeded', 'activitySucceededEventDetails', { output: eventData(output), outputDetails: NOT_TRUNCATED });
      return resultOutcome(run, state, input, output, next);
    },
    (thrown: unknown) => {
      if (run.frame.signal.aborted) throw thrown;
      const error = isStatesError(thrown) ? thrown : new StatesRuntimeError(thrown instanceof Error ? thrown.message : String(thrown));
      const details: Record<string, unknown> = {};
      if (error.name !== '') details['error'] = error.name;
      if (error.cause !== undefined) details['cause'] = error.cause;
      const timedOut = error.name === 'States.Timeout';
      run.emit(timedOut ? 'ActivityTimedOut' : 'ActivityFailed', timedOut ? 'activityTimedOutEventDetails' : 'activityFailedEventDetails', details);
      throw error;
    },
  );
}

/** One activity task and its wait: in the queue, then with a worker. */
class ActivityCall implements TaskWaiter {
  #settled = false;
  #started = false;
  #withdraw: (() => void) | undefined;
  #cancelTimeout: (() => void) | undefined;
  #cancelHeartbeat: (() => void) | undefined;
  readonly #token: string;

  constructor(
    readonly run: StateRun<TaskState>,
    readonly activityArn: string,
    readonly request: TaskRequest,
    readonly resolve: (output: JsonValue) => void,
    readonly reject: (error: unknown) => void,
  ) {
    this.#token = run.runtime.tokens.issue();
  }

  get stateMachineArn(): string {
    return this.run.runtime.stateMachineArn;
  }

  start(inputText: string): void {
    const run = this.run;
    const parent = run.frame.signal;
    if (parent.aborted) {
      this.fail(parent.reason);
      return;
    }
    parent.addEventListener('abort', this, { once: true });
    this.#cancelTimeout = run.runtime.clock.setTimer(this.request.timeoutSeconds * 1000, () => this.fail(new StatesTimeoutError()));
    run.runtime.tokens.wait(this.#token, this);
    this.#withdraw = run.runtime.activities!.schedule(this.activityArn, {
      taskToken: this.#token,
      input: inputText,
      started: (workerName) => this.#onStarted(workerName),
    });
  }

  /** StopExecution, the execution timeout, or a failed sibling. */
  handleEvent(): void {
    this.fail(this.run.frame.signal.reason);
  }

  settle(outcome: TokenOutcome): void {
    if (this.#settled) return;
    if (!outcome.ok) {
      this.fail(outcome.error);
      return;
    }
    this.#finish();
    this.resolve(outcome.output);
  }

  heartbeat(): void {
    this.#armHeartbeat();
  }

  fail(error: unknown): void {
    if (this.#settled) return;
    this.#finish();
    this.reject(error);
  }

  #onStarted(workerName: string | undefined): void {
    if (this.#settled || this.#started) return;
    this.#started = true;
    this.#withdraw = undefined;
    this.run.emit('ActivityStarted', 'activityStartedEventDetails', workerName === undefined ? {} : { workerName });
    this.#armHeartbeat();
  }

  #armHeartbeat(): void {
    const seconds = this.request.heartbeatSeconds;
    if (this.#settled || !this.#started || seconds >= this.request.timeoutSeconds) return;
    this.#cancelHeartbeat?.();
    this.#cancelHeartbeat = this.run.runtime.clock.setTimer(seconds * 1000, () => this.fail(Object.assign(new StatesTimeoutError(), { heartbeat: true })));
  }

  #finish(): void {
    this.#settled = true;
    this.run.frame.signal.removeEventListener('abort', this);
    this.#cancelTimeout?.();
    this.#cancelHeartbeat?.();
    this.#withdraw?.();
    this.run.runtime.tokens.close(this.#token);
  }
}
