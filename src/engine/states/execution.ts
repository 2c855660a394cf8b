/**
 * One execution of a state machine: ExecutionStarted → the workflow → ExecutionSucceeded / Failed / TimedOut /
 * Aborted, under the machine's `TimeoutSeconds` and an abort (StopExecution).
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-executions.html
 */
import type { RoleAssumption } from '../iam/roles.js';
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { StateMachineDefinition } from '../../model/state-machine.js';
import { isStatesError } from '../../errors/states-errors.js';
import type { Clock } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import type { AwsApi } from '../aws-api.js';
import { Stopper, type StopSignal } from '../stop-signal.js';
import { ExecutionHistory, NOT_TRUNCATED, eventData } from './history.js';
import type { IntegrationRegistry } from './integrations/index.js';
import type { ExecutionRuntime, Frame, StateMocks } from './runtime.js';
import type { TaskTokens } from './task-tokens.js';
import type { ActivityPort } from './runtime.js';
import { Variables } from './variables.js';
import { runWorkflow } from './workflow.js';
import { FailStateError } from './state-types/fail.js';

/** Maximum execution durations: Standard 1 year, Express 5 minutes (service-quotas page). */
export const MAX_STANDARD_SECONDS = 365 * 24 * 3600;
export const MAX_EXPRESS_SECONDS = 5 * 60;

/** `ExecutionStatus` values that end an execution (API_DescribeExecution.html). */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionResult {
  readonly status: Exclude<ExecutionStatus, 'RUNNING' | 'PENDING_REDRIVE'>;
  readonly output?: JsonValue;
  readonly error?: string;
  readonly cause?: string;
}

/** Why an execution was stopped from outside: the abort reason carried by its signal. */
export class ExecutionStop extends Error {
  constructor(
    readonly status: 'ABORTED' | 'TIMED_OUT',
    readonly error: string | undefined,
    readonly stopCause: string | undefined,
  ) {
    super(status === 'ABORTED' ? 'Execution stopped' : 'Execution timed out');
  }
}

export interface ExecutionParams {
  readonly definition: StateMachineDefinition;
  readonly input: JsonValue;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly awsApi: AwsApi;
  readonly tokens: TaskTokens;
  readonly integrations: IntegrationRegistry;
  readonly activities?: ActivityPort;
  readonly region: string;
  readonly accountId: string;
  readonly executionArn: string;
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string | undefined;
  readonly express?: boolean;
  /** Started by StartSyncExecution: AWS's context object then has no `Execution.RedriveCount` (recorded). */
  readonly sync?: boolean;
  /** Overrides of `$$.Execution` / `$$.StateMachine` members (the conformance runner seeds recorded values). */
  readonly context?: { readonly Execution?: JsonObject; readonly StateMachine?: JsonObject };
  /** The caller's signal; aborting it stops the execution as ABORTED. */
  readonly signal?: AbortSignal;
  /** Mocked Task responses (a Step Functions Local test case). */
  readonly mocks?: StateMocks;
  /** Whether a Task's `Credentials` role can be assumed (default: any). */
  readonly canAssumeRole?: RoleAssumption;
}

/** A started execution: its live history, its result, and a way to stop it. */
export interface RunningExecution {
  readonly history: ExecutionHistory;
  /** Epoch ms, not a Date: a Date costs ~96 bytes and every waiting execution keeps this. */
  readonly startTime: number;
  readonly result: Promise<ExecutionResult>;
  /** StopExecution: ends the execution as ABORTED with the optional error and cause. */
  stop(error?: string, cause?: string): void;
}

/** Starts an execution; it runs on the event loop until `result` settles. */
export function startExecution(params: ExecutionParams): RunningExecution {
  const { clock } = params;
  const history = new ExecutionHistory(clock);
  const startTime = clock.now();
  const stopper = new Stopper();
  const outerSignal = params.signal;
  const onExternalAbort = outerSignal === undefined ? undefined : (): void => stopper.stop(new ExecutionStop('ABORTED', undefined, undefined));
  if (onExternalAbort !== undefined) outerSignal?.addEventListener('abort', onExternalAbort, { once: true });

  const execution: JsonObject = {
    Id: params.executionArn,
    Input: params.input,
    Name: params.executionName,
    RoleArn: params.roleArn ?? null,
    StartTime: new Date(startTime).toISOString(),
  };
  // AWS shows RedriveCount 0 in the context of Standard and asynchronous Express executions alike, and none in that
  // of a synchronous Express execution (recorded in its Express suites).
  if (params.sync !== true) execution['RedriveCount'] = 0;
  const base = {
    Execution: { ...execution, ...params.context?.Execution, Input: params.input },
    StateMachine: { Id: params.stateMachineArn, Name: params.stateMachineName, ...params.context?.StateMachine },
  };
  const runtime: ExecutionRuntime = {
    clock,
    ids: params.ids,
    awsApi: params.awsApi,
    tokens: params.tokens,
    integrations: params.integrations,
    activities: params.activities,
    history,
    region: params.region,
    accountId: params.accountId,
    executionArn: params.executionArn,
    stateMachineArn: params.stateMachineArn,
    roleArn: params.roleArn,
    express: params.express === true,
    ...(params.canAssumeRole === undefined ? {} : { canAssumeRole: params.canAssumeRole }),
    base,
    signal: stopper,
    ...(params.mocks === undefined ? {} : { mocks: params.mocks }),
  };
  const started: Record<string, unknown> = { input: eventData(params.input), inputDetails: NOT_TRUNCATED };
  if (params.roleArn !== undefined) started['roleArn'] = params.roleArn;
  history.add('ExecutionStarted', 0, 'executionStartedEventDetails', started);
  const frame: Frame = {
    runtime,
    definition: params.definition,
    queryLanguage: params.definition.QueryLanguage ?? 'JSONPath',
    variables: new Variables(),
    recordEvents: true,
    signal: stopper,
    // AWS records the first state's Entered event with previousEventId 0, not ExecutionStarted's id (recorded).
    lastEventId: 0,
  };

  // The machine-level TimeoutSeconds ends the execution as TIMED_OUT with States.Timeout, and so does the service's
  // maximum duration: "If an execution runs for more than the 1-year maximum, it will fail with a States.Timeout
  // error" (Standard); Express workflows run at most 5 minutes (service-quotas page).
  const maxSeconds = params.express === true ? MAX_EXPRESS_SECONDS : MAX_STANDARD_SECONDS;
  const timeoutSeconds = Math.min(params.definition.TimeoutSeconds ?? maxSeconds, maxSeconds);
  const cancelTimeout = clock.setTimer(timeoutSeconds * 1000, () =>
    stopper.stop(new ExecutionStop('TIMED_OUT', 'States.Timeout', undefined)),
  );

  const handle = new ExecutionHandle(history, startTime, stopper);
  const end = (outcome: ExecutionResult): ExecutionResult => {
    cancelTimeout();
    if (onExternalAbort !== undefined) outerSignal?.removeEventListener('abort', onExternalAbort);
    handle.finished = true;
    recordEnd(history, frame.lastEventId, outcome);
    // The ExecutionTimedOut event names States.Timeout, but AWS's DescribeExecution of a TIMED_OUT execution reports
    // no error or cause (recorded), and neither does the result.
    return outcome.status === 'TIMED_OUT' ? { status: 'TIMED_OUT' } : outcome;
  };
  // Promise callbacks rather than an async frame, which would keep `params` and its temporaries while the execution waits.
  handle.result = runWorkflow(frame, params.input).then(
    (output): ExecutionResult => end({ status: 'SUCCEEDED', output }),
    (error: unknown) => end(failure(error, stopper)),
  );
  return handle;
}

/**
 * What the service keeps of an execution for as long as it keeps the execution. An object rather than closures: a
 * `stop` closure made in startExecution would share its context, and so keep the frame, the runtime and the
 * timers of every finished execution.
 */
class ExecutionHandle implements RunningExecution {
  result!: Promise<ExecutionResult>;
  /** Late stop requests (after the workflow finished) must not change the result. */
  finished = false;

  readonly #stopper: Stopper;

  constructor(
    readonly history: ExecutionHistory,
    readonly startTime: number,
    stopper: Stopper,
  ) {
    this.#stopper = stopper;
  }

  stop(error?: string, cause?: string): void {
    if (!this.finished && !this.#stopper.aborted) this.#stopper.stop(new ExecutionStop('ABORTED', error, cause));
  }
}

function failure(error: unknown, signal: StopSignal): ExecutionResult {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof ExecutionStop) return withErrorCause(reason.status, reason.error, reason.stopCause);
  if (error instanceof FailStateError) return withErrorCause('FAILED', error.hasError ? error.name : undefined, error.cause);
  if (isStatesError(error)) return withErrorCause('FAILED', error.name === '' ? undefined : error.name, error.cause);
  const message = error instanceof Error ? error.message : String(error);
  return withErrorCause('FAILED', 'States.Runtime', message);
}

function withErrorCause(status: ExecutionResult['status'], error: string | undefined, cause: string | undefined): ExecutionResult {
  const result: { status: ExecutionResult['status']; error?: string; cause?: string } = { status };
  if (error !== undefined) result.error = error;
  if (cause !== undefined) result.cause = cause;
  return result;
}

function recordEnd(history: ExecutionHistory, previous: number, outcome: ExecutionResult): void {
  const errorDetails: Record<string, unknown> = {};
  if (outcome.error !== undefined) errorDetails['error'] = outcome.error;
  if (outcome.cause !== undefined) errorDetails['cause'] = outcome.cause;
  const last = Math.max(previous, history.lastEventId);
  switch (outcome.status) {
    case 'SUCCEEDED':
      history.add('ExecutionSucceeded', last, 'executionSucceededEventDetails', { output: eventData(outcome.output), outputDetails: NOT_TRUNCATED });
      break;
    case 'FAILED':
      history.add('ExecutionFailed', last, 'executionFailedEventDetails', errorDetails);
      break;
    case 'TIMED_OUT':
      history.add('ExecutionTimedOut', last, 'executionTimedOutEventDetails', errorDetails);
      break;
    case 'ABORTED':
      // StopExecution is not a consequence of an earlier event: AWS records previousEventId 0 (recorded).
      history.add('ExecutionAborted', 0, 'executionAbortedEventDetails', errorDetails);
      break;
  }
}
