/**
 * Task integrations, keyed by resource ARN family (`aws-sdk`, ...). An unknown family, service or action fails
 * the Task with a named error; nothing is skipped silently (ARCHITECTURE.md, principle 1).
 * https://docs.aws.amazon.com/step-functions/latest/dg/integrate-services.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { StateRun } from '../runtime.js';
import { awsSdkIntegration } from './aws-sdk.js';

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
}

/** One resource family. Rejects with a StatesError named as AWS names the failure. */
export interface TaskIntegration {
  invoke(invocation: TaskInvocation): Promise<JsonValue>;
}

export type IntegrationRegistry = Readonly<Record<string, TaskIntegration>>;

/** The integrations the local engine provides. */
export const DEFAULT_INTEGRATIONS: IntegrationRegistry = {
  'aws-sdk': awsSdkIntegration,
};

const SERVICE_ARN = /^arn:[a-z-]+:states:[a-z0-9-]*:[0-9]*:([a-z0-9-]+):([A-Za-z0-9-]+)(?::([A-Za-z0-9_.-]+))?$/;

/** Parses a Task Resource; `undefined` when it is not a Step Functions service-integration ARN we can read. */
export function parseResource(arn: string): ParsedResource | undefined {
  const service = SERVICE_ARN.exec(arn);
  if (service !== null) {
    const family = service[1]!;
    if (family === 'activity') return undefined;
    let second = service[2]!;
    let third = service[3];
    let pattern: IntegrationPattern = 'REQUEST_RESPONSE';
    const tail = third ?? second;
    const patternMatch = /\.(waitForTaskToken|sync(?::2)?)$/.exec(tail);
    if (patternMatch !== null) {
      pattern = patternMatch[1] === 'waitForTaskToken' ? 'WAIT_FOR_TASK_TOKEN' : 'RUN_JOB';
      if (third !== undefined) third = third.slice(0, -patternMatch[0].length);
      else second = second.slice(0, -patternMatch[0].length);
    }
    if (family === 'aws-sdk') {
      return {
        arn,
        family,
        service: second,
        action: third,
        pattern,
        resourceType: `aws-sdk:${second}`,
        resourceName: (service[3] ?? ''),
      };
    }
    return { arn, family, service: family, action: second, pattern, resourceType: family, resourceName: service[2]! + (service[3] === undefined ? '' : `:${service[3]}`) };
  }
  return undefined;
}
