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
import type { StateHandler, StateOutcome, StateRun } from '../runtime.js';
import { parseResource, type ParsedResource } from '../integrations/index.js';
import type { TokenOutcome } from '../task-tokens.js';

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

async function attempt(run: StateRun<TaskState>, input: JsonValue): Promise<StateOutcome> {
  const state = run.state;
  const next = state.End === true ? undefined : state.Next;
  const resource = parseResource(state.Resource);
  const jsonata = run.queryLanguage === 'JSONata';
  if (resource?.pattern === 'WAIT_FOR_TASK_TOKEN') {
    // "If a Task state using the callback task token times out, a new random token is generated" (connect-to-resource page).
    run.taskToken = run.runtime.tokens.issue();
  }
  const effective = jsonata ? input : applyPath(state.InputPath, pathScope(run, input));
  let parameters: JsonValue;
  if (jsonata) parameters = state.Arguments === undefined ? {} : await evaluateTemplate(state.Arguments, jsonataScope(run, { input }), 'Arguments');
  else parameters = state.Parameters === undefined ? effective : applyPayloadTemplate(state.Parameters, pathScope(run, effective), intrinsicEnv(run));
  const credentialsRole = await credentials(run, input, effective);
  const timeoutSeconds = await seconds(run, 'TimeoutSeconds', input, effective);
  const heartbeatSeconds = await seconds(run, 'HeartbeatSeconds', input, effective);

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

  let result: JsonValue;
  try {
    result = await invoke(run, resource, parameters, timeoutSeconds, heartbeatSeconds, credentialsRole);
  } catch (thrown) {
    if (run.frame.signal.aborted) throw thrown;
    if (run.taskToken !== undefined) run.runtime.tokens.close(run.taskToken);
    const error = isStatesError(thrown) ? thrown : new StatesRuntimeError(thrown instanceof Error ? thrown.message : String(thrown));
    // A SendTaskFailure without error or cause is recorded without them (recorded in AWS's callback suite).
    const details: Record<string, unknown> = { resourceType, resource: resourceName };
    if (error.name !== '') details['error'] = error.name;
    if (error.cause !== undefined) details['cause'] = error.cause;
    run.emit(error.name === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed', error.name === 'States.Timeout' ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails', details);
    throw error;
  }
  run.emit('TaskSucceeded', 'taskSucceededEventDetails', { resourceType, resource: resourceName, output: eventData(result), outputDetails: NOT_TRUNCATED });

  return resultOutcome(run, state, input, result, next);
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
  return role;
}

/** TimeoutSeconds / HeartbeatSeconds from the literal, the `...Path` (JSONPath) or a JSONata expression. */
async function seconds(run: StateRun<TaskState>, field: 'TimeoutSeconds' | 'HeartbeatSeconds', input: JsonValue, effective: JsonValue): Promise<number> {
  const state = run.state;
  let value: JsonValue | undefined = state[field];
  if (run.queryLanguage === 'JSONata' && value !== undefined) value = await evaluateJsonataField(run, value, field, { input });
  const path = state[`${field}Path`];
  if (run.queryLanguage === 'JSONPath' && path !== undefined) value = evaluateDynamic(path, `${field}Path`, pathScope(run, effective), intrinsicEnv(run));
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  // "Must be a positive, non-zero integer" (state-task page).
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new StatesRuntimeError(`The ${field} value of state '${run.name}' must be a positive integer but was: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Calls the integration and, for `.waitForTaskToken`, waits for the callback, under both timers. */
async function invoke(
  run: StateRun<TaskState>,
  resource: ParsedResource | undefined,
  parameters: JsonValue,
  timeoutSeconds: number,
  heartbeatSeconds: number,
  credentialsRole: string | undefined,
): Promise<JsonValue> {
  if (resource === undefined) {
    throw new StatesRuntimeError(`The resource '${run.state.Resource}' is not supported by the local engine (only service integrations such as arn:aws:states:::aws-sdk:<service>:<action> are).`);
  }
  const integration = run.runtime.integrations[resource.family];
  if (integration === undefined) {
    throw new StatesRuntimeError(`The service integration '${resource.family}' (resource '${resource.arn}') is not supported by the local engine.`);
  }
  const clock = run.runtime.clock;
  const controller = new AbortController();
  const parent = run.frame.signal;
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const cleanups: Array<() => void> = [() => parent.removeEventListener('abort', onParentAbort)];
  try {
    return await new Promise<JsonValue>((resolve, reject) => {
      const fail = (error: unknown): void => {
        controller.abort(error);
        reject(error);
      };
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      // "If the task runs longer than the specified seconds, this state fails with a States.Timeout error."
      // AWS records TaskTimedOut and ExecutionFailed with `error: States.Timeout` and no cause.
      cleanups.push(clock.setTimer(timeoutSeconds * 1000, () => fail(new StatesTimeoutError())));
      let cancelHeartbeat = (): void => undefined;
      const armHeartbeat = (): void => {
        cancelHeartbeat();
        cancelHeartbeat = clock.setTimer(heartbeatSeconds * 1000, () => fail(heartbeatTimeout()));
      };
      cleanups.push(() => cancelHeartbeat());
      const token = run.taskToken;
      // A callback can arrive while the API call is still returning (an in-process service may call back at once);
      // it is applied only after TaskSubmitted is recorded, so the history keeps AWS's order.
      let submitted = false;
      let early: TokenOutcome | undefined;
      const apply = (outcome: TokenOutcome): void => (outcome.ok ? resolve(outcome.output) : fail(outcome.error));
      if (resource.pattern === 'WAIT_FOR_TASK_TOKEN' && token !== undefined) {
        // A heartbeat interval not shorter than the timeout can never fire first, so it needs no timer.
        if (heartbeatSeconds < timeoutSeconds) armHeartbeat();
        cleanups.push(
          run.runtime.tokens.wait(token, {
            stateMachineArn: run.runtime.stateMachineArn,
            settle: (outcome: TokenOutcome) => {
              if (submitted) apply(outcome);
              else early ??= outcome;
            },
            heartbeat: () => {
              if (heartbeatSeconds < timeoutSeconds) armHeartbeat();
            },
          }),
        );
      }
      integration.invoke({ resource, parameters, run, signal: controller.signal, ...(credentialsRole === undefined ? {} : { roleArn: credentialsRole }) }).then((output) => {
        if (resource.pattern !== 'WAIT_FOR_TASK_TOKEN') {
          resolve(output);
          return;
        }
        if (controller.signal.aborted) return;
        // History: TaskScheduled → TaskStarted → TaskSubmitted (the API response) → TaskSucceeded (aws-semantics §7.2).
        run.emit('TaskSubmitted', 'taskSubmittedEventDetails', {
          resourceType: resource.resourceType,
          resource: resource.resourceName,
          output: eventData(output),
          outputDetails: NOT_TRUNCATED,
        });
        submitted = true;
        if (early !== undefined) apply(early);
      }, fail);
    });
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

/** A missed heartbeat: reported as States.Timeout; `States.HeartbeatTimeout` in Retry/Catch also matches it. */
function heartbeatTimeout(): StatesError {
  return Object.assign(new StatesTimeoutError(), { heartbeat: true });
}
