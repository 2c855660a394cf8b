/**
 * Step Functions ARNs and names (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html,
 * "name": 1..80 characters, no whitespace, brackets, wildcards or special characters), and the `InvalidArn` errors AWS
 * gives for each kind of ARN an operation does not take.
 */
import { ServiceError } from '../../errors/service-error.js';
import { flatString } from '../flat-string.js';
import { partitionOf } from '../regions/partitions.js';

/** `arn:<partition>:states:<region>:<account>:stateMachine:<name>`, in the region's partition (`aws-cn` for cn-*). */
export function stateMachineArn(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:states:${region}:${accountId}:stateMachine:${name}`;
}

/** `arn:aws:states:<region>:<account>:activity:<name>`. */
export function activityArn(region: string, accountId: string, name: string): string {
  return `arn:aws:states:${region}:${accountId}:activity:${name}`;
}

/**
 * Standard: `...:execution:<machine>:<name>`; Express: `...:express:<machine>:<name>:<uuid>`. Flat, as it lives as long
 * as the execution: the template makes a rope of about seven pieces (~220 bytes, against ~110 flat).
 */
export function executionArn(region: string, accountId: string, machine: string, name: string, express?: { uuid: string }): string {
  return flatString(
    express === undefined
      ? `arn:${partitionOf(region)}:states:${region}:${accountId}:execution:${machine}:${name}`
      : `arn:${partitionOf(region)}:states:${region}:${accountId}:express:${machine}:${name}:${express.uuid}`,
  );
}

/** What a Step Functions ARN names. */
export type StatesArn =
  | { readonly kind: 'stateMachine'; readonly arn: string; readonly machine: string }
  | { readonly kind: 'version'; readonly arn: string; readonly machine: string; readonly version: number }
  | { readonly kind: 'alias'; readonly arn: string; readonly machine: string; readonly alias: string }
  | { readonly kind: 'execution'; readonly arn: string; readonly machine: string; readonly name: string }
  | { readonly kind: 'express'; readonly arn: string; readonly machine: string; readonly name: string }
  | { readonly kind: 'activity'; readonly arn: string; readonly name: string }
  | { readonly kind: 'mapRun'; readonly arn: string }
  | { readonly kind: 'other'; readonly arn: string; readonly resourceType: string };

export type StatesArnKind = StatesArn['kind'];

const PREFIX = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)$/;
/** State machine, activity and alias names: the characters that `isValidName` allows, and no colon. */
const NAME = /^[^:\s]+$/;

/** Parses a Step Functions ARN; `undefined` when it does not even have the service's prefix. */
export function parseStatesArn(arn: string): StatesArn | undefined {
  const match = PREFIX.exec(arn);
  if (match === null) return undefined;
  const resourceType = match[3]!;
  const parts = match[4]!.split(':');
  switch (resourceType) {
    case 'stateMachine': {
      const machine = parts[0]!;
      if (!NAME.test(machine)) return { kind: 'other', arn, resourceType };
      if (parts.length === 1) return { kind: 'stateMachine', arn, machine };
      if (parts.length !== 2 || parts[1] === '') return { kind: 'other', arn, resourceType };
      const qualifier = parts[1]!;
      if (/^\d+$/.test(qualifier)) return { kind: 'version', arn, machine, version: Number(qualifier) };
      return { kind: 'alias', arn, machine, alias: qualifier };
    }
    case 'execution':
    case 'express':
      if (parts.length < 2 || parts.some((p) => p === '')) return { kind: 'other', arn, resourceType };
      return { kind: resourceType, arn, machine: parts[0]!, name: parts[1]! };
    case 'activity':
      if (parts.length !== 1 || !NAME.test(parts[0]!)) return { kind: 'other', arn, resourceType };
      return { kind: 'activity', arn, name: parts[0]! };
    case 'mapRun':
      return { kind: 'mapRun', arn };
    default:
      return { kind: 'other', arn, resourceType };
  }
}

/**
 * Parses `arn` for an operation that takes only the given kinds, or throws AWS's InvalidArn: "Invalid Arn: 'Invalid
 * ARN prefix: <arn>'" for what is not a Step Functions ARN at all, and "Invalid Arn: 'Resource type not valid in this
 * context: <type>'" for another kind of resource (both recorded).
 */
export function expectArn<K extends StatesArnKind>(arn: string, kinds: readonly K[]): Extract<StatesArn, { kind: K }> {
  const parsed = parseStatesArn(arn);
  if (parsed === undefined) throw new ServiceError('InvalidArn', `Invalid Arn: 'Invalid ARN prefix: ${arn}'`);
  if ((kinds as readonly string[]).includes(parsed.kind)) return parsed as Extract<StatesArn, { kind: K }>;
  // A qualified state machine ARN where only the machine is taken, or a malformed one: AWS names the ARN (UNCONFIRMED
  // wording for these; docs/fidelity.md).
  if (parsed.kind === 'version' || parsed.kind === 'alias' || parsed.kind === 'other') {
    if (parsed.kind === 'other' && !isKnownResourceType(parsed.resourceType)) throw resourceTypeNotValid(parsed.resourceType);
    throw new ServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
  }
  throw resourceTypeNotValid(parsed.kind === 'stateMachine' ? 'stateMachine' : parsed.kind);
}

function isKnownResourceType(type: string): boolean {
  return ['stateMachine', 'execution', 'express', 'activity', 'mapRun'].includes(type);
}

function resourceTypeNotValid(type: string): ServiceError {
  return new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${type.toLowerCase()}'`);
}

/** The name in a state machine ARN, or undefined when the ARN is malformed. */
export function parseStateMachineArn(arn: string): string | undefined {
  const parsed = parseStatesArn(arn);
  return parsed?.kind === 'stateMachine' ? parsed.machine : undefined;
}

export function isExecutionArn(arn: string): boolean {
  const kind = parseStatesArn(arn)?.kind;
  return kind === 'execution' || kind === 'express';
}

/**
 * "A name must not contain: white space, brackets < > { } [ ], wildcard characters ? *, special characters
 * " # % \ ^ | ~ ` $ & , ; : /, control characters (U+0000-001F, U+007F-009F, U+FFFE-FFFF), surrogates
 * (U+D800-DFFF), invalid characters (U+10FFFF)" (API_StartExecution.html, "name").
 */
export function isValidName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= 80 &&
    // `u`: a surrogate pair (an emoji) is one character; only lone surrogates are refused.
    !/[\s<>{}[\]?*"#%\\^|~`$&,;:\/\u0000-\u001f\u007f-\u009f\ufffe\uffff\ud800-\udfff\u{10ffff}]/u.test(name)
  );
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]+$/;

export function isValidRoleArn(arn: string): boolean {
  return ROLE_ARN.test(arn);
}
