/**
 * Task integrations, keyed by resource ARN family (`aws-sdk`, ...). An unknown family, service or action fails
 * the Task with a named error; nothing is skipped silently (ARCHITECTURE.md, principle 1).
 * https://docs.aws.amazon.com/step-functions/latest/dg/integrate-services.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { StateRun } from '../runtime.js';
import { awsSdkIntegration } from './aws-sdk.js';
import { stepFunctionsIntegration } from './states.js';

/** The service integration patterns (connect-to-resource page). */
export type IntegrationPattern = 'REQUEST_RESPONSE' | 'WAIT_FOR_TASK_TOKEN' | 'RUN_JOB';

/** A Task `Resource` taken apart. */
export interface ParsedResource {
  readonly arn: string;
  /** `aws-sdk`, `lambda`, `sqs`, ... (the part after `arn:aws:states:::`), or `activity`/`lambda-function`. */
  readonly family: string;
  readonly service: string | undefined;
  readonly action: string | undefined;
  readonly pattern: IntegrationPattern;
  /** As in TaskScheduledEventDetails: `aws-sdk:ssm`. */
  readonly resourceType: string;
  /** As in TaskScheduledEventDetails: `startAutomationExecution.waitForTaskToken`. */
  readonly resourceName: string;
}

export interface TaskInvocation {
  readonly resource: ParsedResource;
  readonly parameters: JsonValue;
  readonly run: StateRun;
  readonly signal: AbortSignal;
  /** The role from the Task's `Credentials`, which replaces the execution role for this call. */
  readonly roleArn?: string;
}

/** One resource family. Rejects with a StatesError named as AWS names the failure. */
export interface TaskIntegration {
  invoke(invocation: TaskInvocation): Promise<JsonValue>;
}

export type IntegrationRegistry = Readonly<Record<string, TaskIntegration>>;

/** The integrations the local engine provides. */
export const DEFAULT_INTEGRATIONS: IntegrationRegistry = {
  'aws-sdk': awsSdkIntegration,
  states: stepFunctionsIntegration,
};

const SERVICE_ARN_PREFIX = /^arn:[a-z-]+:states:[a-z0-9-]*:[0-9]*:/;

/** Parses a Task Resource; `undefined` when it is not a Step Functions service-integration ARN we can read. */
export function parseResource(arn: string): ParsedResource | undefined {
  const prefix = SERVICE_ARN_PREFIX.exec(arn);
  if (prefix === null) return undefined;
  const parts = arn.slice(prefix[0].length).split(':');
  const family = parts[0] ?? '';
  // Activities (`...:activity:name`) are run by the Task state itself (state-types/activity-task.ts); state machine
  // ARNs are not a Task resource.
  if (family === 'activity' && parts.length === 2 && parts[1] !== '') {
    return { arn, family, service: undefined, action: undefined, pattern: 'REQUEST_RESPONSE', resourceType: 'activity', resourceName: arn };
  }
  if (family === '' || family === 'activity' || family === 'stateMachine' || parts.length < 2) return undefined;
  const sdk = family === 'aws-sdk';
  if (sdk && parts.length < 3) return undefined;
  const resourceName = parts.slice(sdk ? 2 : 1).join(':');
  const patternMatch = /\.(waitForTaskToken|sync(?::2)?)$/.exec(resourceName);
  const pattern: IntegrationPattern = patternMatch === null ? 'REQUEST_RESPONSE' : patternMatch[1] === 'waitForTaskToken' ? 'WAIT_FOR_TASK_TOKEN' : 'RUN_JOB';
  const action = patternMatch === null ? resourceName : resourceName.slice(0, -patternMatch[0].length);
  return sdk
    ? { arn, family, service: parts[1], action, pattern, resourceType: `aws-sdk:${parts[1]!}`, resourceName }
    : { arn, family, service: family, action, pattern, resourceType: family, resourceName };
}
