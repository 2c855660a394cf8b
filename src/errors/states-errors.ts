/**
 * Runtime errors of the Step Functions interpreter. `name` is the ASL error name exactly as AWS reports it
 * (`States.Timeout`, or a user error such as `Ssm.InvalidInstanceId`), so Retry/Catch matching is a string
 * comparison on `name` (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 */

/** The predefined `States.*` error names (error-handling page, "Error names"). */
export type StatesErrorName =
  | 'States.ALL'
  | 'States.DataLimitExceeded'
  | 'States.ExceedToleratedFailureThreshold'
  | 'States.HeartbeatTimeout'
  | 'States.Http.Socket'
  | 'States.IntrinsicFailure'
  | 'States.ItemReaderFailed'
  | 'States.NoChoiceMatched'
  | 'States.ParameterPathFailure'
  | 'States.Permissions'
  | 'States.QueryEvaluationError'
  | 'States.ResultPathMatchFailure'
  | 'States.ResultWriterFailed'
  | 'States.Runtime'
  | 'States.TaskFailed'
  | 'States.Timeout'
  | 'States.BranchFailed';

/** Which history event records the failure of the state (AWS puts evaluation errors in `EvaluationFailed`). */
export type FailureEventKind = 'TaskFailed' | 'EvaluationFailed' | 'None';

const BRAND = Symbol.for('shellstep.StatesError');

/** An ASL error: what Retry/Catch see as `Error` and `Cause`. */
export class StatesError extends Error {
  /** The ASL error name matched by `ErrorEquals`. */
  override readonly name: string;
  /** The ASL cause; `undefined` when AWS reports none (a Fail state without Cause). */
  override readonly cause: string | undefined;
  /** The history event that records this failure inside the failing state. */
  readonly eventKind: FailureEventKind;
  /** Whether the cause already names the state where the error occurred. */
  located = false;
  /** The error before `locatedIn` prefixed its cause (TestState reports causes without the prefix). */
  unlocated: StatesError | undefined = undefined;

  constructor(name: string, cause?: string, eventKind: FailureEventKind = 'None') {
    super(cause ?? name);
    this.name = name;
    this.cause = cause;
    this.eventKind = eventKind;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * The same error with AWS's location prefix: "An error occurred while executing the state 'X' (entered at the
   * event id #N). ..." — AWS adds it to the interpreter's own errors (recorded in the conformance cases).
   */
  locatedIn(stateName: string, enteredEventId: number): StatesError {
    if (this.located || !LOCATED_ERRORS.has(this.name)) return this;
    const copy = new StatesError(
      this.name,
      `An error occurred while executing the state '${stateName}' (entered at the event id #${enteredEventId}). ${this.cause ?? ''}`,
      this.eventKind,
    );
    copy.located = true;
    copy.unlocated = this;
    return copy;
  }
}

/** The interpreter's own errors, whose causes AWS prefixes with the state's name and entered-event id. */
const LOCATED_ERRORS: ReadonlySet<string> = new Set([
  'States.Runtime',
  'States.QueryEvaluationError',
  'States.IntrinsicFailure',
  'States.ResultPathMatchFailure',
]);

export function isStatesError(value: unknown): value is StatesError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** `States.Runtime`: never retried nor caught, not even by `States.ALL` (error-handling page, "States.Runtime"). */
export class StatesRuntimeError extends StatesError {
  constructor(cause: string) {
    super('States.Runtime', cause);
  }
}

/** `States.DataLimitExceeded`: a payload above 262,144 bytes; not matched by `States.ALL` (error-handling page). */
export class StatesDataLimitExceededError extends StatesError {
  constructor(cause: string) {
    super('States.DataLimitExceeded', cause);
  }
}

/** `States.QueryEvaluationError`: a JSONata expression failed or returned an unusable value. */
export class StatesQueryEvaluationError extends StatesError {
  constructor(cause: string) {
    super('States.QueryEvaluationError', cause, 'EvaluationFailed');
  }
}

/** `States.IntrinsicFailure`: an intrinsic function failed (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html). */
export class StatesIntrinsicFailureError extends StatesError {
  constructor(cause: string) {
    super('States.IntrinsicFailure', cause);
  }
}

/** `States.Timeout`: a Task ran longer than TimeoutSeconds or missed a heartbeat, or the execution timed out. */
export class StatesTimeoutError extends StatesError {
  constructor(cause?: string) {
    super('States.Timeout', cause, 'TaskFailed');
  }
}

/** `States.TaskFailed`: a Task failed; as an ErrorEquals entry it matches every error except States.Timeout. */
export class StatesTaskFailedError extends StatesError {
  constructor(cause?: string) {
    super('States.TaskFailed', cause, 'TaskFailed');
  }
}

/** `States.ExceedToleratedFailureThreshold`: a Map state had more failed items than tolerated. */
export class StatesExceedToleratedFailureThresholdError extends StatesError {
  constructor(cause: string) {
    super('States.ExceedToleratedFailureThreshold', cause);
  }
}

/** Errors that no Retrier or Catcher can handle (error-handling page: "States.Runtime ... isn't retriable"). */
export const UNCATCHABLE: ReadonlySet<string> = new Set(['States.Runtime']);

/** Errors that `States.ALL` does not match, though an explicit ErrorEquals entry can. */
export const NOT_MATCHED_BY_ALL: ReadonlySet<string> = new Set(['States.Runtime', 'States.DataLimitExceeded']);

/** Whether an `ErrorEquals` list matches an error name (error-handling page, "Retrying after an error"). */
export function errorEqualsMatches(errorEquals: readonly string[], name: string): boolean {
  if (UNCATCHABLE.has(name)) return false;
  for (const candidate of errorEquals) {
    if (candidate === name) return true;
    if (candidate === 'States.ALL' && !NOT_MATCHED_BY_ALL.has(name)) return true;
    // "States.TaskFailed ... matches any known error name except for States.Timeout."
    if (candidate === 'States.TaskFailed' && name !== 'States.Timeout' && !NOT_MATCHED_BY_ALL.has(name)) return true;
  }
  return false;
}
