/**
 * The AWS SDK integration, `arn:aws:states:::aws-sdk:<service>:<action>[.waitForTaskToken]`: calls the local
 * service through the `AwsApi` port. Errors surface as `<Service>.<ErrorName>` in PascalCase with an `Exception`
 * suffix: "Be sure to add the Exception suffix ... even if the suffix isn't part of the error name the service
 * returns" (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
 */
import type { JsonObject, JsonValue } from '../../../model/json.js';
import { isJsonObject } from '../../../model/json.js';
import { isServiceError } from '../../../errors/service-error.js';
import { StatesError, StatesRuntimeError } from '../../../errors/states-errors.js';
import { canonicalServiceId, operationName } from '../../aws-api.js';
import { findSdkOperation, findSdkService, type SdkOperation } from '../../../validate/aws-sdk-models.js';
import type { TaskIntegration, TaskInvocation } from './index.js';

/** PascalCase service names that are not just the capitalized SDK id (supported-services-awssdk page examples). */
const SERVICE_PREFIXES: Readonly<Record<string, string>> = {
  acmpca: 'AcmPca',
  dynamodb: 'DynamoDb',
  cloudformation: 'CloudFormation',
  cloudwatch: 'CloudWatch',
  cloudwatchlogs: 'CloudWatchLogs',
  eventbridge: 'EventBridge',
  secretsmanager: 'SecretsManager',
  apigateway: 'ApiGateway',
};

/** `ssm` → `Ssm`, `sfn` → `Sfn`, `acmpca` → `AcmPca`. */
export function errorPrefix(service: string): string {
  const lower = service.toLowerCase();
  return SERVICE_PREFIXES[lower] ?? lower.charAt(0).toUpperCase() + lower.slice(1);
}

/**
 * Error codes the Java SDK behind Step Functions does not model per service, so they surface as the service's base
 * exception: recorded `DynamoDb.DynamoDbException` and `SecretsManager.SecretsManagerException` for validation errors.
 */
const UNMODELED_CODES: ReadonlySet<string> = new Set(['ValidationException']);

/** `InvalidInstanceId` from `ssm` → `Ssm.InvalidInstanceIdException` (recorded: `S3.NoSuchBucketException`). */
export function sdkErrorName(service: string, code: string): string {
  const prefix = errorPrefix(service);
  if (UNMODELED_CODES.has(code)) return `${prefix}.${prefix}Exception`;
  const name = code.endsWith('Exception') ? code : `${code}Exception`;
  return `${prefix}.${name}`;
}

export const awsSdkIntegration: TaskIntegration = {
  async invoke({ resource, parameters, run, signal, roleArn: credentialsRole }: TaskInvocation): Promise<JsonValue> {
    const service = resource.service;
    const action = resource.action;
    if (service === undefined || action === undefined || action === '') {
      throw new StatesRuntimeError(`The resource '${resource.arn}' does not name an AWS SDK service and action.`);
    }
    if (resource.pattern === 'RUN_JOB') {
      throw new StatesRuntimeError(`The resource '${resource.arn}' uses the .sync pattern, which AWS SDK integrations do not support.`);
    }
    const input: JsonObject = parameters === null || parameters === undefined ? {} : (parameters as JsonObject);
    if (!isJsonObject(input)) {
      throw new StatesRuntimeError(`The parameters of the AWS SDK call '${service}:${action}' must be a JSON object.`);
    }
    const callerRole = credentialsRole ?? run.runtime.roleArn;
    const context = callerRole === undefined ? {} : { roleArn: callerRole };
    const sdkService = findSdkService(service);
    const model = sdkService === undefined ? undefined : findSdkOperation(sdkService, action);
    // The call is real work: a fast-forwarding clock must not jump past it (to the Task timeout) while it runs.
    const release = run.runtime.clock.hold();
    try {
      const output = await abortable(run.runtime.awsApi.call(canonicalServiceId(service), operationName(action), toApiMembers(input, model, service), context), signal);
      return toSdkOutput(output, model);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (isServiceError(error)) {
        // The Java SDK v2's message format, which AWS uses for the cause of SDK integration failures: "Invalid Token:
        // 'Invalid token' (Service: Sfn, Status Code: 400, Request ID: ...) (SDK Attempt Count: 1)" (recorded, 2025).
        throw new StatesError(
          sdkErrorName(service, error.name),
          `${error.message} (Service: ${errorPrefix(service)}, Status Code: ${error.httpStatusCode}, Request ID: ${run.runtime.ids.uuid()}) (SDK Attempt Count: 1)`,
          'TaskFailed',
        );
      }
      if (error instanceof StatesError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StatesError('States.TaskFailed', `The AWS SDK call ${service}:${action} failed: ${message}`, 'TaskFailed');
    } finally {
      release();
    }
  },
};

/**
 * "Parameter names will be Pascal case" in the state machine, whatever the API spells them (supported-services-awssdk
 * page): top-level request members are mapped to the API's own names (`TaskToken` → `taskToken` for Step Functions)
 * using the SDK model. Nested members are passed as written.
 */
export function toApiMembers(input: JsonObject, model: SdkOperation | undefined, service?: string): JsonObject {
  if (model === undefined) return input;
  const { byLower } = memberIndex(model);
  const implicit = service === undefined ? undefined : IMPLICIT_JSON_MEMBERS[`${canonicalServiceId(service)}:${model.name}`];
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    const member = byLower.get(key.toLowerCase()) ?? key;
    out[member] = implicit?.includes(member) === true && value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
  }
  return out;
}

/**
 * String members that take JSON text, to which AWS serializes an object or array given in the state machine:
 * `aws-sdk:sfn:startExecution` with `"Input.$": "$.Input"` selecting an object starts the execution with that
 * object's JSON (recorded, "implicit JSON serialisation").
 */
const IMPLICIT_JSON_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  'sfn:StartExecution': ['input'],
  'sfn:StartSyncExecution': ['input'],
};

/**
 * The result as the integration returns it, as JSON: for APIs whose members are camelCase (Step Functions), keys
 * become PascalCase as in AWS's recorded results (`ExecutionArn`, `InputDetails.Included`); PascalCase APIs keep
 * theirs. Timestamps (the local services answer `Date`s, as the AWS SDK types them) become ISO-8601 strings as
 * Java's `Instant.toString()` writes them, the form AWS's results show (`"CreationTime": "2013-08-23T01:02:15.422Z"`
 * from a CloudFormation describeStacks task): JSONPath and JSONata then see the same string, where JSONata saw
 * `{}` before (a Date has no members).
 */
export function toSdkOutput(output: JsonValue, model: SdkOperation | undefined): JsonValue {
  const pascal = model !== undefined && memberIndex(model).camelCase;
  const convert = (value: unknown): JsonValue => {
    if (value instanceof Date) return instantString(value);
    if (value === null || typeof value !== 'object') return value as JsonValue;
    if (Array.isArray(value)) return value.map(convert);
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) out[pascal ? key.charAt(0).toUpperCase() + key.slice(1) : key] = convert(item);
    return out;
  };
  return convert(output);
}

/** `java.time.Instant#toString`: ISO-8601 in UTC, milliseconds only when there are some. */
export function instantString(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Rejects with the signal's reason when it aborts first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/** What the mapping needs of an operation's members, built once per SDK model (models are immutable). */
interface MemberIndex {
  /** Member names by their lower-case spelling. */
  readonly byLower: ReadonlyMap<string, string>;
  /** Whether the API spells its members in camelCase (Step Functions). */
  readonly camelCase: boolean;
}

const MEMBER_INDEX = new WeakMap<SdkOperation, MemberIndex>();

function memberIndex(model: SdkOperation): MemberIndex {
  let index = MEMBER_INDEX.get(model);
  if (index === undefined) {
    index = { byLower: new Map(model.members.map((member) => [member.toLowerCase(), member])), camelCase: model.members.some((member) => /^[a-z]/.test(member)) };
    MEMBER_INDEX.set(model, index);
  }
  return index;
}
