/**
 * The optimized Step Functions integration, `arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]`:
 * starts another state machine's execution through the local Step Functions service
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html).
 * - request-response returns `{ExecutionArn, StartDate, SdkHttpMetadata, SdkResponseMetadata}` (recorded);
 * - `.sync` waits for the child and returns its DescribeExecution (PascalCase, `Output` as text), `.sync:2` the same
 *   with `Input` and `Output` as JSON; a child that does not succeed fails the Task with `States.TaskFailed` and that
 *   description as the cause;
 * - `.waitForTaskToken` starts the child and waits for the callback (the Task state does the waiting).
 * Service errors are `StepFunctions.<Code>Exception` with the Java SDK v1 cause "<message> (Service:
 * AWSStepFunctions; Status Code: 400; Error Code: <Code>; Request ID: <id>; Proxy: null)" (recorded).
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../../model/json.js';
import { isServiceError } from '../../../errors/service-error.js';
import { StatesError, StatesRuntimeError } from '../../../errors/states-errors.js';
import { abortable } from './aws-sdk.js';
import type { TaskIntegration, TaskInvocation } from './index.js';

/** How often `.sync` asks whether the child execution has ended, in the service's clock. */
const SYNC_POLL_MS = 1000;

export const stepFunctionsIntegration: TaskIntegration = {
  async invoke({ resource, parameters, run, signal, roleArn: credentialsRole }: TaskInvocation): Promise<JsonValue> {
    if (resource.action !== 'startExecution') {
      throw new StatesRuntimeError(`The resource '${resource.arn}' is not an action of the Step Functions integration (only startExecution is).`);
    }
    if (!isJsonObject(parameters)) throw new StatesRuntimeError(`The parameters of '${resource.arn}' must be a JSON object.`);
    const request: JsonObject = {};
    for (const [key, value] of Object.entries(parameters)) {
      const member = key.charAt(0).toLowerCase() + key.slice(1);
      // "Input" may be an object: it is started with that object's JSON (recorded for the aws-sdk form too).
      request[member] = member === 'input' && value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
    }
    if (request['input'] === null) delete request['input'];
    const callerRole = credentialsRole ?? run.runtime.roleArn;
    const context = callerRole === undefined ? {} : { roleArn: callerRole };
    const api = run.runtime.awsApi;
    const release = run.runtime.clock.hold();
    let started: JsonObject;
    try {
      started = (await abortable(api.call('sfn', 'StartExecution', request, context), signal)) as JsonObject;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw serviceFailure(error, run.runtime.ids.uuid());
    } finally {
      release();
    }
    const executionArn = String(started['executionArn']);
    const startSeconds = Number(started['startDate']);
    if (resource.pattern !== 'RUN_JOB') return requestResponse(executionArn, startSeconds, run.runtime.ids.uuid(), run.runtime.clock.now());
    for (;;) {
      await run.runtime.clock.sleep(SYNC_POLL_MS, signal);
      const described = (await abortable(api.call('sfn', 'DescribeExecution', { executionArn }, context), signal)) as JsonObject;
      if (described['status'] === 'RUNNING') continue;
      const output = syncOutput(described, resource.resourceName.endsWith(':2'));
      if (described['status'] === 'SUCCEEDED') return output;
      throw new StatesError('States.TaskFailed', JSON.stringify(output), 'TaskFailed');
    }
  },
};

/** The Java SDK v1 response the optimized integration returns for StartExecution. */
function requestResponse(executionArn: string, startSeconds: number, requestId: string, now: number): JsonObject {
  // The length of AWS's own response body, whose timestamp Java writes as a double ("1.762431353547E9").
  const length = String(Buffer.byteLength(`{"executionArn":${JSON.stringify(executionArn)},"startDate":${javaDouble(startSeconds)}}`));
  const date = new Date(now).toUTCString();
  return {
    ExecutionArn: executionArn,
    // UNCONFIRMED: epoch milliseconds, as the Java SDK v1 writes a Date (docs/fidelity.md).
    StartDate: Math.round(startSeconds * 1000),
    SdkHttpMetadata: {
      AllHttpHeaders: {
        'x-amzn-RequestId': [requestId],
        connection: ['keep-alive'],
        'Content-Length': [length],
        Date: [date],
        'Content-Type': ['application/x-amz-json-1.0'],
      },
      HttpHeaders: { connection: 'keep-alive', 'Content-Length': length, 'Content-Type': 'application/x-amz-json-1.0', Date: date, 'x-amzn-RequestId': requestId },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

/** Java's `Double.toString` for an epoch-seconds value (always ≥ 10^7, so in its E notation). */
function javaDouble(value: number): string {
  const [mantissa, exponent] = value.toExponential().split('e');
  return `${mantissa!.includes('.') ? mantissa! : `${mantissa!}.0`}E${Number(exponent)}`;
}

/** DescribeExecution in the integration's PascalCase; `.sync:2` parses Input and Output. */
function syncOutput(described: JsonObject, json: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(described)) {
    const name = key.charAt(0).toUpperCase() + key.slice(1);
    if (isJsonObject(value)) {
      const nested: JsonObject = {};
      for (const [k, v] of Object.entries(value)) nested[k.charAt(0).toUpperCase() + k.slice(1)] = v;
      out[name] = nested;
    } else if (json && (key === 'input' || key === 'output') && typeof value === 'string') {
      out[name] = parseOrText(value);
    } else if ((key === 'startDate' || key === 'stopDate') && typeof value === 'number') {
      out[name] = Math.round(value * 1000);
    } else {
      out[name] = value;
    }
  }
  return out;
}

function parseOrText(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function serviceFailure(error: unknown, requestId: string): StatesError {
  if (!isServiceError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new StatesError('States.TaskFailed', `The Step Functions call failed: ${message}`, 'TaskFailed');
  }
  const name = error.name.endsWith('Exception') ? error.name : `${error.name}Exception`;
  return new StatesError(
    `StepFunctions.${name}`,
    `${error.message} (Service: AWSStepFunctions; Status Code: ${error.httpStatusCode}; Error Code: ${error.name}; Request ID: ${requestId}; Proxy: null)`,
    'TaskFailed',
  );
}
