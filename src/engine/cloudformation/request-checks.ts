/**
 * The checks CloudFormation makes on request members before anything else (names, lengths, enums), with its
 * "1 validation error detected" messages, and the paging of its list operations.
 */
import { validationError } from './intrinsics.js';

const NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
// StackNameOrId in the API model: a name, or a stack ARN.
const STACK_ARN = /^arn:(aws|aws-us-gov|aws-cn):[-a-zA-Z0-9:/._+]*$/;
const PAGE_SIZE = 100;

/** Keeps a hostile value from filling an error message. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function requireName(name: string | undefined, member: string): string {
  // StackName and ChangeSetName: "[a-zA-Z][-a-zA-Z0-9]*", 1 to 128 characters (API reference).
  if (name === undefined || !NAME.test(name)) {
    throw validationError(`1 validation error detected: Value '${clip(name ?? 'null')}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
  }
  return name;
}

export function requireStackName(name: string | undefined): string {
  return requireName(name, 'stackName');
}

/** A stack name, or a stack id (ARN) where the API takes either. */
export function requireStackNameOrId(name: string | undefined): string {
  if (name !== undefined && name.length <= 1600 && STACK_ARN.test(name)) return name;
  return requireName(name, 'stackName');
}

export function requireChangeSetName(name: string | undefined): string {
  return requireName(name, 'changeSetName');
}

export function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

/** An enum member: undefined stays undefined, anything else must be one of `values`. */
export function requireEnum<T extends string>(value: string | undefined, member: string, values: readonly T[]): T | undefined {
  if (value === undefined || (values as readonly string[]).includes(value)) return value as T | undefined;
  throw validationError(`1 validation error detected: Value '${clip(value)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`);
}

/** A length limit (CreateChangeSet: Description 1..1024, Tags ≤ 50, NotificationARNs ≤ 5, ClientToken 1..128). */
export function requireLength(value: { length: number } | undefined, member: string, min: number, max: number): void {
  if (value === undefined) return;
  if (value.length > max) throw validationError(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  if (value.length < min) throw validationError(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
}

/** One page of a list; the token is the offset of the next page. */
export function page<T>(items: readonly T[], token: string | undefined): { items: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    const decoded = /^[0-9]{1,9}$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(decoded) || decoded > items.length) throw validationError('Invalid NextToken');
    start = decoded;
  }
  const end = start + PAGE_SIZE;
  return end < items.length ? { items: items.slice(start, end), next: String(end) } : { items: items.slice(start) };
}
