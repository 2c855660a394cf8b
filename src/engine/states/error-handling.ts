/**
 * Retry and Catch for Task, Parallel and Map states: retriers with IntervalSeconds, BackoffRate, MaxAttempts,
 * MaxDelaySeconds and JitterStrategy, then catchers with ResultPath (JSONPath) or Output (JSONata) and Assign.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import type { JsonValue } from '../../model/json.js';
import type { StopSignal } from '../stop-signal.js';
import type { Catcher, Retrier, State } from '../../model/state-machine.js';
import { StatesError, StatesRuntimeError, errorEqualsMatches, isStatesError } from '../../errors/states-errors.js';
import type { HistoryEventType } from './history.js';
import { applyResultPath } from './io-processing.js';
import { evaluateAssign, evaluateOutput } from './query.js';
import type { StateOutcome, StateRun } from './runtime.js';

/** Retrier defaults (error-handling page, "Retrier fields"). */
export const DEFAULT_INTERVAL_SECONDS = 1;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_RATE = 2.0;

/** Errors already recorded as an EvaluationFailed event, so the state wrapper does not record them twice. */
const recordedEvaluationFailures = new WeakSet<object>();

/** Records `EvaluationFailed` for a JSONata/evaluation error (once per error object). */
export function recordEvaluationFailure(run: StateRun, error: StatesError): void {
  if (error.eventKind !== 'EvaluationFailed' || recordedEvaluationFailures.has(error)) return;
  recordedEvaluationFailures.add(error);
  const details: Record<string, unknown> = { error: error.name, state: run.name };
  if (error.cause !== undefined) details['cause'] = error.cause;
  run.emit('EvaluationFailed', 'evaluationFailedEventDetails', details);
}

/**
 * Normalizes anything thrown inside a state. ASL errors pass through; an abort (StopExecution, timeout, a
 * failed sibling) is rethrown untouched; anything else is an interpreter fault, reported as States.Runtime.
 */
export function toStatesError(error: unknown, signal: StopSignal): StatesError {
  if (signal.aborted) throw signal.reason;
  if (isStatesError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StatesRuntimeError(message);
}

export interface ErrorHandlingOptions {
  /** Recorded once retries are exhausted (`MapStateFailed`, `ParallelStateFailed`); none for Task. */
  readonly failedEvent?: HistoryEventType;
}

type RetryableState = State & { readonly Retry?: readonly Retrier[]; readonly Catch?: readonly Catcher[] };

/** Runs `attempt` under the state's Retry and Catch policy. */
export function withRetryAndCatch(
  run: StateRun<RetryableState>,
  input: JsonValue,
  attempt: () => Promise<StateOutcome>,
  options: ErrorHandlingOptions = {},
): Promise<StateOutcome> {
  if ((run.state.Retry ?? []).length > 0 || (run.state.Catch ?? []).length > 0) return retryAndCatch(run, input, attempt, options);
  // Nothing to retry or catch: one attempt, without an async frame that would stay suspended while the state waits.
  run.retryCount = 0;
  return attempt().then(undefined, (thrown: unknown) => {
    const error = toStatesError(thrown, run.frame.signal).locatedIn(run.name, run.enteredEventId);
    recordEvaluationFailure(run, error);
    if (options.failedEvent !== undefined && error.name !== 'States.Runtime') run.emit(options.failedEvent);
    throw error;
  });
}

async function retryAndCatch(
  run: StateRun<RetryableState>,
  input: JsonValue,
  attempt: () => Promise<StateOutcome>,
  options: ErrorHandlingOptions,
): Promise<StateOutcome> {
  const retriers = run.state.Retry ?? [];
  const attempts = new Array<number>(retriers.length).fill(0);
  run.retryCount = 0;
  for (;;) {
    let error: StatesError;
    try {
      return await attempt();
    } catch (thrown) {
      error = toStatesError(thrown, run.frame.signal).locatedIn(run.name, run.enteredEventId);
    }
    recordEvaluationFailure(run, error);
    // "When a state reports an error, the interpreter scans through the Retriers" and uses the first match.
    const index = retriers.findIndex((r) => handles(r, error));
    if (index !== -1) {
      const retrier = retriers[index]!;
      const made = attempts[index]!;
      if (made < (retrier.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
        attempts[index] = made + 1;
        await run.runtime.clock.sleep(retryDelayMs(retrier, made), run.frame.signal);
        run.retryCount++;
        continue;
      }
    }
    if (options.failedEvent !== undefined && error.name !== 'States.Runtime') run.emit(options.failedEvent);
    const catcher = (run.state.Catch ?? []).find((c) => handles(c, error));
    if (catcher === undefined) throw error;
    return catchOutcome(run, input, catcher, error);
  }
}

/** Whether a retrier or catcher handles the error (its ErrorEquals names it). */
export function handles(handler: Retrier | Catcher, error: StatesError): boolean {
  return errorEqualsMatches(handler.ErrorEquals, error.name) || heartbeatAlias(handler.ErrorEquals, error);
}

/** A missed heartbeat is reported as States.Timeout but also matches `States.HeartbeatTimeout` in Retry/Catch. */
function heartbeatAlias(errorEquals: readonly string[], error: StatesError): boolean {
  return error.name === 'States.Timeout' && (error as { heartbeat?: boolean }).heartbeat === true && errorEquals.includes('States.HeartbeatTimeout');
}

/**
 * IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds; with JitterStrategy FULL a random delay
 * between 0 and that value (error-handling page, "Retry behavior").
 */
export function retryDelayMs(retrier: Retrier, attempt: number, random: () => number = Math.random): number {
  let seconds = (retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * (retrier.BackoffRate ?? DEFAULT_BACKOFF_RATE) ** attempt;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds = random() * seconds;
  return Math.round(seconds * 1000);
}

/**
 * `{Error, Cause}` as Catch passes it on. Recorded by AWS: an error Step Functions raises without a cause has
 * `"Cause": ""` (States.Timeout), while a SendTaskFailure without error or cause gives `null` for each.
 */
export function errorOutput(error: StatesError): { Error: string | null; Cause: string | null } {
  const absent = (error as { absentAsNull?: boolean }).absentAsNull === true ? null : '';
  return { Error: error.name === '' ? absent : error.name, Cause: error.cause ?? absent };
}

export async function catchOutcome(run: StateRun, input: JsonValue, catcher: Catcher, error: StatesError): Promise<StateOutcome> {
  const errorValue = errorOutput(error);
  if (run.queryLanguage === 'JSONata') {
    const states = { input, errorOutput: errorValue };
    const assign = await evaluateAssign(run, catcher.Assign, errorValue, states);
    const output = await evaluateOutput(run, catcher.Output, errorValue, states);
    return assign === undefined ? { output, next: catcher.Next } : { output, next: catcher.Next, assign };
  }
  const assign = await evaluateAssign(run, catcher.Assign, errorValue, { input, errorOutput: errorValue });
  // "ResultPath (Optional): ... If omitted, the error output replaces the state input" (default `$`).
  const output = applyResultPath(catcher.ResultPath, input, errorValue);
  return assign === undefined ? { output, next: catcher.Next } : { output, next: catcher.Next, assign };
}
