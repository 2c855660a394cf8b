/**
 * The Step Functions operations as a dispatch table of JSON handlers (`ServiceHandlers`), for the `AwsApi` registry
 * (Task states calling `arn:aws:states:::aws-sdk:sfn:*`) and a protocol layer. Dates become epoch seconds, as the
 * AWS JSON 1.0 protocol writes timestamps (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
 */
import type { AwsCallContext, ServiceHandlers } from '../aws-api.js';
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { StepFunctionsService } from './service.js';
import { checkConstraints } from './api-constraints.js';

/** The API operations the local service implements. */
export const STEP_FUNCTIONS_OPERATIONS = [
  'CreateStateMachine',
  'UpdateStateMachine',
  'DescribeStateMachine',
  'ListStateMachines',
  'DeleteStateMachine',
  'PublishStateMachineVersion',
  'ListStateMachineVersions',
  'DeleteStateMachineVersion',
  'CreateStateMachineAlias',
  'DescribeStateMachineAlias',
  'UpdateStateMachineAlias',
  'DeleteStateMachineAlias',
  'ListStateMachineAliases',
  'StartExecution',
  'StartSyncExecution',
  'DescribeExecution',
  'DescribeStateMachineForExecution',
  'ListExecutions',
  'StopExecution',
  'GetExecutionHistory',
  'ValidateStateMachineDefinition',
  'CreateActivity',
  'DescribeActivity',
  'DeleteActivity',
  'ListActivities',
  'GetActivityTask',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
  'SendTaskSuccess',
  'SendTaskFailure',
  'SendTaskHeartbeat',
  'TestState',
] as const;

export type StepFunctionsOperation = (typeof STEP_FUNCTIONS_OPERATIONS)[number];

type Operation = (input: JsonObject) => Promise<unknown>;

/** Builds `{ CreateStateMachine: (input) => ..., ... }` over a service; responses are plain JSON. */
export function stepFunctionsHandlers(service: StepFunctionsService): ServiceHandlers {
  const handlers: Record<string, (input: JsonObject, context: AwsCallContext) => Promise<JsonValue>> = {};
  for (const operation of STEP_FUNCTIONS_OPERATIONS) {
    const method = (service[operation] as Operation).bind(service);
    handlers[operation] = async (input) => {
      // The API model's constraints, checked as AWS's front end checks them before the operation runs.
      checkConstraints(operation, input);
      return toJson(await method(input));
    };
  }
  return handlers;
}

/** Converts a response to JSON: `Date` → epoch seconds (with milliseconds as the fraction), `undefined` dropped. */
export function toJson(value: unknown): JsonValue {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value === null || typeof value !== 'object') return (value ?? null) as JsonValue;
  if (Array.isArray(value)) return value.map(toJson);
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toJson(item);
  return out;
}
