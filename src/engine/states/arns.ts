/**
 * Step Functions ARNs and names (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html,
 * "name": 1..80 characters, no whitespace, brackets, wildcards or special characters).
 */
import { flatString } from '../flat-string.js';

/** `arn:aws:states:<region>:<account>:stateMachine:<name>`. */
export function stateMachineArn(region: string, accountId: string, name: string): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
}

/**
 * Standard: `...:execution:<machine>:<name>`; Express: `...:express:<machine>:<name>:<uuid>`. Flat, as it lives as long
 * as the execution: the template makes a rope of about seven pieces (~220 bytes, against ~110 flat).
 */
export function executionArn(region: string, accountId: string, machine: string, name: string, express?: { uuid: string }): string {
  return flatString(
    express === undefined
      ? `arn:aws:states:${region}:${accountId}:execution:${machine}:${name}`
      : `arn:aws:states:${region}:${accountId}:express:${machine}:${name}:${express.uuid}`,
  );
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(?:execution|express):([^:]+):([^:]+)(?::[^:]+)?$/;

/** The name in a state machine ARN, or undefined when the ARN is malformed. */
export function parseStateMachineArn(arn: string): string | undefined {
  return STATE_MACHINE_ARN.exec(arn)?.[1];
}

export function isExecutionArn(arn: string): boolean {
  return EXECUTION_ARN.test(arn);
}

/**
 * "A name must not contain: white space, brackets < > { } [ ], wildcard characters ? *, special characters
 * " # % \ ^ | ~ ` $ & , ; : /, control characters" (API_StartExecution.html, "name").
 */
export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name);
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]+$/;

export function isValidRoleArn(arn: string): boolean {
  return ROLE_ARN.test(arn);
}
