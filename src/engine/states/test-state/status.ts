/**
 * TestState's `status` of a state that raised an error. TestState runs one attempt: instead of retrying it reports
 * RETRIABLE when a retrier would retry (with the backoff it would wait), CAUGHT_ERROR with the catcher's output and
 * Next when a catcher handles the error, and FAILED otherwise. `stateConfiguration.retrierRetryCount` says how many
 * retries the matching retrier has made already.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html ("status")
 */
import type { JsonValue } from '../../../model/json.js';
import type { Catcher, Retrier, State } from '../../../model/state-machine.js';
import type { StatesError } from '../../../errors/states-errors.js';
import { DEFAULT_MAX_ATTEMPTS, catchOutcome, handles, retryDelayMs } from '../error-handling.js';
import type { StateOutcome, StateRun } from '../runtime.js';
import type { InspectionErrorDetails } from './inspection.js';

export type TestExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

export interface FailureStatus {
  readonly status: Exclude<TestExecutionStatus, 'SUCCEEDED'>;
  readonly errorDetails?: InspectionErrorDetails;
  /** CAUGHT_ERROR: the catcher's output, Next and assignments. */
  readonly caught?: StateOutcome;
}

export async function failureStatus(run: StateRun, state: State, input: JsonValue, error: StatesError, retryCount: number): Promise<FailureStatus> {
  const retriers: readonly Retrier[] = 'Retry' in state ? (state.Retry ?? []) : [];
  const catchers: readonly Catcher[] = 'Catch' in state ? (state.Catch ?? []) : [];
  const details: InspectionErrorDetails = {};
  // "When a state reports an error, the interpreter scans through the Retriers" and uses the first match.
  const retryIndex = retriers.findIndex((r) => handles(r, error));
  if (retryIndex !== -1) {
    const retrier = retriers[retryIndex]!;
    details.retryIndex = retryIndex;
    if (retryCount < (retrier.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      // Recorded: IntervalSeconds 1, BackoffRate 2 after 4 retries gives 16. UNCONFIRMED for JitterStrategy FULL,
      // where AWS waits a random part of it: the full interval is reported (docs/fidelity.md).
      details.retryBackoffIntervalSeconds = Math.floor(retryDelayMs(retrier, retryCount, () => 1) / 1000);
      return { status: 'RETRIABLE', errorDetails: details };
    }
  }
  const catchIndex = catchers.findIndex((c) => handles(c, error));
  if (catchIndex !== -1) {
    details.catchIndex = catchIndex;
    const caught = await catchOutcome(run, input, catchers[catchIndex]!, error);
    return { status: 'CAUGHT_ERROR', errorDetails: details, caught };
  }
  // Recorded: retries exhausted, the retrier's index is still reported.
  return retryIndex === -1 ? { status: 'FAILED' } : { status: 'FAILED', errorDetails: details };
}
