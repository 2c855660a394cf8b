/**
 * The one port through which a runbook step (`aws:executeAwsApi`, `aws:runCommand`) or a state machine Task
 * (`arn:aws:states:::aws-sdk:<service>:<action>`) calls a local AWS service. The CloudFormation loader and
 * IAM enforcement (a later layer) wrap this same port, so every caller passes who is calling.
 */
import type { JsonObject, JsonValue } from '../model/json.js';

/** Canonical service keys: the AWS SDK v3 client ids. */
export type AwsServiceId = 'ssm' | 'sfn' | (string & {});

export interface AwsCallContext {
  /** ARN of the role the caller assumed (runbook `assumeRole`, state machine `RoleArn`), when known. */
  readonly roleArn?: string;
}

export interface AwsApi {
  /**
   * Calls `operation` (PascalCase, as in the API reference: `SendTaskSuccess`) on `service` with the
   * request members as the API names them. Rejects with a `ServiceError` named as AWS names the error.
   */
  call(service: AwsServiceId, operation: string, input: JsonObject, context?: AwsCallContext): Promise<JsonValue>;
}

// boto3 namespaces (aws:executeAwsApi `Service`) and ASL aws-sdk service names that differ from SDK v3 ids.
const SERVICE_ALIASES: Readonly<Record<string, AwsServiceId>> = {
  stepfunctions: 'sfn',
  states: 'sfn',
};

/** `stepfunctions` (boto3), `sfn` (ASL, SDK v3) → `sfn`. */
export function canonicalServiceId(name: string): AwsServiceId {
  const lower = name.toLowerCase();
  return SERVICE_ALIASES[lower] ?? lower;
}

/** `send_task_success` (boto3) and `sendTaskSuccess` (ASL) → `SendTaskSuccess`. */
export function operationName(api: string): string {
  if (api.includes('_')) {
    return api
      .split('_')
      .filter((part) => part.length > 0)
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join('');
  }
  return api.length === 0 ? api : api[0]!.toUpperCase() + api.slice(1);
}

/** A dispatch table of local services. Unknown services and operations are rejected, never ignored. */
export type ServiceHandlers = Readonly<Record<string, (input: JsonObject, context: AwsCallContext) => Promise<JsonValue>>>;
