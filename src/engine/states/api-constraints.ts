/**
 * The constraints of the Step Functions API model (length, range, enum and pattern of every request member), checked
 * as AWS's front end checks them before the operation runs, with its message format: "1 validation error detected:
 * Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
 * (recorded in AWS's API suites, for top-level members and nested ones such as
 * 'routingConfiguration.1.member.weight').
 */
import type { JsonValue } from '../../model/json.js';
import { OPERATION_INPUTS, SHAPES } from './generated/api-constraints.js';
import { validationErrors } from './api-errors.js';

/** A shape of the model with the constraints that AWS checks. */
export interface ConstraintShape {
  readonly type: string;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
  readonly members?: readonly (readonly [string, string])[];
  readonly required?: readonly string[];
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
}

/**
 * Enum sets in the order AWS lists them in its messages, where a recording shows an order other than the model's
 * ("Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]").
 */
const RECORDED_ENUM_ORDER: Readonly<Record<string, readonly string[]>> = {
  ExecutionStatus: ['SUCCEEDED', 'TIMED_OUT', 'PENDING_REDRIVE', 'ABORTED', 'FAILED', 'RUNNING'],
};

const patterns = new Map<string, RegExp>();

function patternOf(source: string): RegExp {
  let regex = patterns.get(source);
  if (regex === undefined) {
    // The model's patterns are Java regexes that must match the whole value; these few are valid in JS's `u` mode.
    regex = new RegExp(`^(?:${source})$`, 'u');
    patterns.set(source, regex);
  }
  return regex;
}

/** Throws AWS's ValidationException listing every constraint `input` violates, or returns when there is none. */
export function checkConstraints(operation: string, input: Readonly<Record<string, unknown>>): void {
  const shapeName = OPERATION_INPUTS[operation];
  if (shapeName === undefined) return;
  const violations: string[] = [];
  walk(input, shapeName, '', violations);
  if (violations.length > 0) throw validationErrors(violations);
}

function walk(value: unknown, shapeName: string, path: string, out: string[]): void {
  const shape = SHAPES[shapeName];
  if (shape === undefined) return;
  if (value === undefined || value === null) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      const record = value as Record<string, unknown>;
      for (const [member, memberShape] of shape.members ?? []) {
        const memberPath = path === '' ? member : `${path}.${member}`;
        const item = record[member];
        if ((item === undefined || item === null) && shape.required?.includes(member) === true) {
          out.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        walk(item, memberShape, memberPath, out);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return;
      lengthCheck(value.length, value, shapeName, shape, path, out);
      value.forEach((item, i) => walk(item, shape.member!, `${path}.${i + 1}.member`, out));
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      const entries = Object.entries(value as Record<string, unknown>);
      lengthCheck(entries.length, value, shapeName, shape, path, out);
      for (const [key, item] of entries) {
        walk(key, shape.key!, `${path}.${key}.key`, out);
        walk(item, shape.value!, `${path}.${key}.value`, out);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return;
      // Lengths count UTF-16 code units, as Java's String.length() does.
      lengthCheck(value.length, value, shapeName, shape, path, out);
      if (shape.enum !== undefined && !shape.enum.includes(value)) {
        const order = RECORDED_ENUM_ORDER[shapeName] ?? shape.enum;
        out.push(violation(value, shapeName, path, `Member must satisfy enum value set: [${order.join(', ')}]`));
      }
      if (shape.pattern !== undefined && !patternOf(shape.pattern).test(value)) {
        out.push(violation(value, shapeName, path, `Member must satisfy regular expression pattern: ${shape.pattern}`));
      }
      return;
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      if (typeof value !== 'number') return;
      if (shape.min !== undefined && value < shape.min) out.push(violation(value, shapeName, path, `Member must have value greater than or equal to ${shape.min}`));
      if (shape.max !== undefined && value > shape.max) out.push(violation(value, shapeName, path, `Member must have value less than or equal to ${shape.max}`));
      return;
    }
    default:
      return;
  }
}

function lengthCheck(length: number, value: unknown, shapeName: string, shape: ConstraintShape, path: string, out: string[]): void {
  if (shape.min !== undefined && length < shape.min) out.push(violation(value, shapeName, path, `Member must have length greater than or equal to ${shape.min}`));
  if (shape.max !== undefined && length > shape.max) out.push(violation(value, shapeName, path, `Member must have length less than or equal to ${shape.max}`));
}

function violation(value: unknown, shapeName: string, path: string, constraint: string): string {
  return `Value '${javaString(value, shapeName)}' at '${path}' failed to satisfy constraint: ${constraint}`;
}

/**
 * A value as AWS's (Java) front end prints it: lists as `[a, b]`, structures as `ShapeName(member=value, ...)`
 * ("[RoutingConfigurationListItem(stateMachineVersionArn=arn:..., weight=50), ...]", recorded), strings bare.
 */
function javaString(value: unknown, shapeName?: string): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => javaString(item, itemShape(shapeName))).join(', ')}]`;
  if (typeof value === 'object') {
    const shape = shapeName === undefined ? undefined : SHAPES[shapeName];
    const record = value as Record<string, JsonValue>;
    if (shape?.type === 'structure') {
      return `${shapeName}(${(shape.members ?? []).map(([member, memberShape]) => `${member}=${javaString(record[member], memberShape)}`).join(', ')})`;
    }
    return `{${Object.entries(record).map(([k, v]) => `${k}=${javaString(v)}`).join(', ')}}`;
  }
  return String(value);
}

function itemShape(listShape: string | undefined): string | undefined {
  return listShape === undefined ? undefined : SHAPES[listShape]?.member;
}
