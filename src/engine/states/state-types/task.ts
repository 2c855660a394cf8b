/**
 * The Task state: calls an integration (request-response or `.waitForTaskToken`), with TimeoutSeconds,
 * HeartbeatSeconds (and their Path forms), Retry and Catch.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { TaskState } from '../../../model/state-machine.js';
import { StatesError, StatesRuntimeError, StatesTimeoutError, isStatesError } from '../../../errors/states-errors.js';
import { withRetryAndCatch } from '../error-handling.js';
import { NOT_TRUNCATED, eventData } from '../history.js';
import { applyPath, applyPayloadTemplate, evaluateDynamic } from '../io-processing.js';
import { evaluateTemplate } from '../jsonata.js';
import { evaluateJsonataField, intrinsicEnv, jsonataScope, pathScope, resultOutcome } from '../query.js';
import type { MockedOutcome, StateHandler, StateOutcome, StateRun } from '../runtime.js';
import { parseResource, type ParsedResource, type TaskIntegration, type TaskInvocation } from '../integrations/index.js';
import type { TaskWaiter, TokenOutcome } from '../task-tokens.js';
import { activityAttempt } from './activity-task.js';
import { secondsParameter } from '../path-numbers.js';

/** "If not provided, the default value of TimeoutSeconds is 99999999" (state-task page); HeartbeatSeconds likewise. */
export const DEFAULT_TIMEOUT_SECONDS = 99_999_999;

export const taskState: StateHandler<TaskState> = {
  enteredEvent: 'TaskStateEntered',
  exitedEvent: 'TaskStateExited',
  retries: true,
  execute(run: StateRun<TaskState>, input: JsonValue): Promise<StateOutcome> {
    return withRetryAndCatch(run, input, () => attempt(run, input));
  },
};

/** Parsed once per Task state of a definition: every waiting Task keeps its ParsedResource (and its strings). */
const parsedResources = new WeakMap<TaskState, ParsedResource | null>();

function parsedResource(state: TaskState): ParsedResource | undefined {
  let parsed = parsedResources.get(state);
  if (parsed === undefined) {
    parsed = parseResource(state.Resource) ?? null;
    parsedResources.set(state, parsed);
  }
  return parsed ?? undefined;
}

/** What a Task sends and how long it may take, evaluated on entry (and again on each retry). */
export interface TaskRequest {
  readonly parameters: JsonValue;
  readonly credentialsRole: string | undefined;
  readonly timeoutSeconds: number;
  readonly heartbeatSeconds: number;
}

/** InputPath, then Parameters (JSONPath) or Arguments (JSONata), Credentials, TimeoutSeconds and HeartbeatSeconds. */
export async function taskRequest(run: StateRun<TaskState>, input: JsonValue): Promise<TaskRequest> {
  const state = run.state;
  const jsonata = run.queryLanguage === 'JSONata';
  const effective = jsonata ? input : applyPath(state.InputPath, pathScope(run, input));
  let parameters: JsonValue;
  if (jsonata) parameters = state.Arguments === undefined ? {} : await evaluateTemplate(state.Arguments, jsonataScope(run, { input }), 'Arguments');
  else parameters = state.Parameters === undefined ? effective : applyPayloadTemplate(state.Parameters, pathScope(run, effective), intrinsicEnv(run));
  const inspector = run.runtime.inspector;
  if (inspector !== undefined) {
    if (jsonata) inspector.record('afterArguments', parameters);
    else {
      inspector.record('afterInputPath', effective);
      inspector.record('afterParameters', parameters);
    }
  }
  const credentialsRole = await credentials(run, input, effective);
  const timeoutSeconds = await seconds(run, 'TimeoutSeconds', input, effective);
  const heartbeatSeconds = await seconds(run, 'HeartbeatSeconds', input, effective);
  return { parameters, credentialsRole, timeoutSeconds, heartbeatSeconds };
}

async function attempt(run: StateRun<TaskState>, input: JsonValue): Promise<StateOutcome> {
  const state = run.state;
  const next = state.End === true ? undefined : state.Next;
  const resource = parsedResource(state);
  if (resource?.family === 'activity') return activityAttempt(run, input, resource.arn, await taskRequest(run, input));
  if (resource?.pattern === 'WAIT_FOR_TASK_TOKEN') {
    // "If a Task state using the callback task token times out, a new random token is generated" (connect-to-resource page).
    run.taskToken = run.runtime.tokens.issue();
  }
  const { parameters, credentialsRole, timeoutSeconds, heartbeatSeconds } = await taskRequest(run, input);

  const resourceType = resource?.resourceType ?? state.Resource;
  const resourceName = resource?.resourceName ?? state.Resource;
  const scheduled: Record<string, unknown> = {
    resourceType,
    resource: resourceName,
    region: run.runtime.region,
    parameters: eventData(parameters),
  };
  if (state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined) scheduled['timeoutInSeconds'] = timeoutSeconds;
  if (state.HeartbeatSeconds !== undefined || state.HeartbeatSecondsPath !== undefined) scheduled['heartbeatInSeconds'] = heartbeatSeconds;
  if (credentialsRole !== undefined) scheduled['taskCredentials'] = { roleArn: credentialsRole };
  run.emit('TaskScheduled', 'taskScheduledEventDetails', scheduled);
  run.emit('TaskStarted', 'taskStartedEventDetails', { resourceType, resource: resourceName });

  // The wait continues in callbacks rather than in this frame: a suspended async frame keeps all its locals and
  // temporaries (the parameters, the evaluation scopes) until it resumes, for as long as the Task waits.
  return invoke(run, resource, parameters, timeoutSeconds, heartbeatSeconds, credentialsRole).then(
    (result) => {
      run.emit('TaskSucceeded', 'taskSucceededEventDetails', { resourceType, resource: resourceName, output: eventData(result), outputDetails: NOT_TRUNCATED });
      run.runtime.inspector?.record('result', result);
      return resultOutcome(run, state, input, result, next);
    },
    (thrown: unknown) => {
      if (run.frame.signal.aborted) throw thrown;
      if (run.taskToken !== undefined) run.runtime.tokens.close(run.taskToken);
      const error = isStatesError(thrown) ? thrown : new StatesRuntimeError(thrown instanceof Error ? thrown.message : String(thrown));
      // A SendTaskFailure without error or cause is recorded without them (recorded in AWS's callback suite).
      const details: Record<string, unknown> = { resourceType, resource: resourceName };
      if (error.name !== '') details['error'] = error.name;
      if (error.cause !== undefined) details['cause'] = error.cause;
      run.emit(error.name === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed', error.name === 'States.Timeout' ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails', details);
      throw error;
    },
  );
}

/**
 * `Credentials.RoleArn` (literal, `RoleArn.$` path/intrinsic, or JSONata): the role assumed for this Task's call
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html, "Credentials").
 */
async function credentials(run: StateRun<TaskState>, input: JsonValue, effective: JsonValue): Promise<string | undefined> {
  const block = run.state.Credentials;
  if (block === undefined) return undefined;
  let role: JsonValue | undefined;
  if (run.queryLanguage === 'JSONata') {
    role = block['RoleArn'] === undefined ? undefined : await evaluateJsonataField(run, block['RoleArn'], 'Credentials/RoleArn', { input });
  } else {
    const selected = applyPayloadTemplate(block, pathScope(run, effective), intrinsicEnv(run));
    role = typeof selected === 'object' && selected !== null && !Array.isArray(selected) ? selected['RoleArn'] : undefined;
  }
  if (typeof role !== 'string' || role === '') {
    throw new StatesRuntimeError(`The Credentials of state '${run.name}' must give a RoleArn string but gave: ${JSON.stringify(role ?? null)}`);
  }
  // The execution's role assumes the Task's (UNCONFIRMED error and message for a role it cannot assume, docs/fidelity.md).
  const executionRole = run.runtime.roleArn;
  if (executionRole !== undefined && run.runtime.canAssumeRole?.(role, { roleArn: executionRole }) === false) {
    throw new StatesError('States.TaskFailed', `User: ${executionRole} is not authorized to perform: sts:AssumeRole on resource: ${role}`, 'TaskFailed');
  }
  return role;
}

/** TimeoutSeconds / HeartbeatSeconds from the literal, the `...Path` (JSONPath) or a JSONata expression. */
async function seconds(run: StateRun<TaskState>, field: 'TimeoutSeconds' | 'HeartbeatSeconds', input: JsonValue, effective: JsonValue): Promise<number> {
  const state = run.state;
  let value: JsonValue | undefined = state[field];
  if (run.queryLanguage === 'JSONata' && value !== undefined) value = await evaluateJsonataField(run, value, field, { input });
  const path = state[`${field}Path`];
  if (run.queryLanguage === 'JSONPath' && path !== undefined) {
    // Read as Wait's SecondsPath is: a numeric string counts, other values are refused in its words (path-numbers.ts).
    return secondsParameter(evaluateDynamic(path, `${field}Path`, pathScope(run, effective), intrinsicEnv(run)), `${field}Path`, path, { positive: true });
  }
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  // "Must be a positive, non-zero integer" (state-task page).
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new StatesRuntimeError(`The ${field} value of state '${run.name}' must be a positive integer but was: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Calls the integration and, for `.waitForTaskToken`, waits for the callback, under both timers. */
function invoke(
  run: StateRun<TaskState>,
  resource: ParsedResource | undefined,
  parameters: JsonValue,
  timeoutSeconds: number,
  heartbeatSeconds: number,
  credentialsRole: string | undefined,
): Promise<JsonValue> {
  const mocked = run.runtime.mocks?.outcome(run);
  if (mocked !== undefined) return mockedCall(run, mocked);
  if (resource === undefined) {
    return Promise.reject(new StatesRuntimeError(`The resource '${run.state.Resource}' is not supported by the local engine (only service integrations such as arn:aws:states:::aws-sdk:<service>:<action> are).`));
  }
  const integration = run.runtime.integrations[resource.family];
  if (integration === undefined) {
    return Promise.reject(new StatesRuntimeError(`The service integration '${resource.family}' (resource '${resource.arn}') is not supported by the local engine.`));
  }
  return new Promise<JsonValue>((resolve, reject) => {
    const call = new TaskCall(run, resource, heartbeatSeconds < timeoutSeconds ? heartbeatSeconds : undefined, resolve, reject);
    call.start(integration, parameters, timeoutSeconds, credentialsRole);
  });
}

/**
 * A mocked call (TestState's `mock`, a Step Functions Local test case): the service is not called, and a
 * `.waitForTaskToken` Task returns without a callback, as in Step Functions Local ("sfn-local-mock-cfg-file" page).
 */
function mockedCall(run: StateRun<TaskState>, mocked: MockedOutcome): Promise<JsonValue> {
  if ('error' in mocked) return Promise.reject(new StatesError(mocked.error, mocked.cause, 'TaskFailed'));
  if (run.taskToken !== undefined) run.runtime.tokens.close(run.taskToken);
  return Promise.resolve(mocked.result);
}

/**
 * One integration call and its wait: the timers, the token registration and the parent-signal listener in one
 * object rather than a dozen closures and a second listener, as thousands of Tasks may wait at once.
 */
class TaskCall implements TaskWaiter {
  /** Aborts the integration call; dropped once the call has returned, when nothing listens to it any more. */
  #controller: AbortController | undefined = new AbortController();
  #settled = false;
  /** The API call returned and TaskSubmitted is recorded: a callback may be applied. */
  #submitted = false;
  /** A callback that arrived while the API call was still returning (an in-process service may call back at once). */
  #early: TokenOutcome | undefined;
  #cancelTimeout: (() => void) | undefined;
  #cancelHeartbeat: (() => void) | undefined;
  #token: string | undefined;

  constructor(
    readonly run: StateRun<TaskState>,
    readonly resource: ParsedResource,
    /** Undefined when the heartbeat interval is not shorter than the timeout: it can never fire first. */
    readonly heartbeatSeconds: number | undefined,
    readonly resolve: (output: JsonValue) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  get stateMachineArn(): string {
    return this.run.runtime.stateMachineArn;
  }

  start(integration: TaskIntegration, parameters: JsonValue, timeoutSeconds: number, credentialsRole: string | undefined): void {
    const run = this.run;
    const resource = this.resource;
    const signal = this.#controller!.signal;
    const parent = run.frame.signal;
    if (parent.aborted) this.#controller!.abort(parent.reason);
    else parent.addEventListener('abort', this, { once: true });
    // "If the task runs longer than the specified seconds, this state fails with a States.Timeout error."
    // AWS records TaskTimedOut and ExecutionFailed with `error: States.Timeout` and no cause.
    this.#cancelTimeout = run.runtime.clock.setTimer(timeoutSeconds * 1000, () => this.fail(new StatesTimeoutError()));
    const token = run.taskToken;
    if (resource.pattern === 'WAIT_FOR_TASK_TOKEN' && token !== undefined) {
      this.#armHeartbeat();
      this.#token = token;
      run.runtime.tokens.wait(token, this);
    }
    const invocation: TaskInvocation = credentialsRole === undefined
      ? { resource, parameters, run, signal }
      : { resource, parameters, run, signal, roleArn: credentialsRole };
    integration.invoke(invocation).then((output) => this.#returned(output), (error: unknown) => this.fail(error));
  }

  /** The parent frame's signal aborted (StopExecution, execution timeout, a failed sibling). */
  handleEvent(): void {
    this.fail(this.run.frame.signal.reason);
  }

  settle(outcome: TokenOutcome): void {
    // Applied only after TaskSubmitted is recorded, so the history keeps AWS's order.
    if (this.#submitted) this.#apply(outcome);
    else this.#early ??= outcome;
  }

  heartbeat(): void {
    this.#armHeartbeat();
  }

  fail(error: unknown): void {
    if (this.#settled) return;
    this.#controller?.abort(error);
    this.#finish();
    this.reject(error);
  }

  #returned(output: JsonValue): void {
    if (this.#settled) return;
    if (this.resource.pattern !== 'WAIT_FOR_TASK_TOKEN') {
      this.#finish();
      this.resolve(output);
      return;
    }
    if (this.#controller?.signal.aborted === true) return;
    // The call is over: nothing listens to its signal any more.
    this.#controller = undefined;
    // History: TaskScheduled → TaskStarted → TaskSubmitted (the API response) → TaskSucceeded (aws-semantics §7.2).
    this.run.emit('TaskSubmitted', 'taskSubmittedEventDetails', {
      resourceType: this.resource.resourceType,
      resource: this.resource.resourceName,
      output: eventData(output),
      outputDetails: NOT_TRUNCATED,
    });
    this.#submitted = true;
    const early = this.#early;
    this.#early = undefined;
    if (early !== undefined) this.#apply(early);
  }

  #apply(outcome: TokenOutcome): void {
    if (!outcome.ok) {
      this.fail(outcome.error);
      return;
    }
    if (this.#settled) return;
    this.#finish();
    this.resolve(outcome.output);
  }

  #armHeartbeat(): void {
    const seconds = this.heartbeatSeconds;
    if (seconds === undefined || this.#settled) return;
    this.#cancelHeartbeat?.();
    this.#cancelHeartbeat = this.run.runtime.clock.setTimer(seconds * 1000, () => this.fail(heartbeatTimeout()));
  }

  /** Cancels the timers, closes the token and stops listening to the parent signal. */
  #finish(): void {
    this.#settled = true;
    this.run.frame.signal.removeEventListener('abort', this);
    this.#cancelTimeout?.();
    this.#cancelHeartbeat?.();
    if (this.#token !== undefined) this.run.runtime.tokens.close(this.#token);
  }
}

/** A missed heartbeat: reported as States.Timeout; `States.HeartbeatTimeout` in Retry/Catch also matches it. */
function heartbeatTimeout(): StatesError {
  return Object.assign(new StatesTimeoutError(), { heartbeat: true });
}
