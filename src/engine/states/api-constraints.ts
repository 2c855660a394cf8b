/**
 * The constraints of the Step Functions API model (length, range, enum and pattern of every request member), checked
 * as AWS's front end checks them before the operation runs, with its message format: "1 validation error detected:
 * Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
 * (recorded in AWS's API suites, for top-level members and nested ones such as
 * 'routingConfiguration.1.member.weight').
 */
import type { JsonValue } from '../../model/json.js';
import { findSdkService, type SdkService, type SdkShape } from '../../validate/aws-sdk-models.js';
import { validationErrors } from './api-errors.js';

/**
 * Enum sets in the order AWS lists them in its messages, where a recording shows an order other than the model's
 * ("Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]").
 */
const RECORDED_ENUM_ORDER: Readonly<Record<string, readonly string[]>> = {
  ExecutionStatus: ['SUCCEEDED', 'TIMED_OUT', 'PENDING_REDRIVE', 'ABORTED', 'FAILED', 'RUNNING'],
};

const patterns = new Map<string, RegExp | null>();

/** The model's Java regex as a JS one that must match the whole value; null (not checked) if JS cannot read it. */
function patternOf(source: string): RegExp | null {
  let regex = patterns.get(source);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${source})$`, 'u');
    } catch {
      regex = null;
    }
    patterns.set(source, regex);
  }
  return regex;
}

let model: SdkService | undefined;

/** The Step Functions model of the shared API index (src/validate/generated/aws-api-index.ts). */
function stepFunctionsModel(): SdkService {
  model ??= findSdkService('stepfunctions');
  if (model?.shapes === undefined) throw new Error('The API index has no request shapes for stepfunctions.');
  return model;
}

/** Throws AWS's ValidationException listing every constraint `input` violates, or returns when there is none. */
export function checkConstraints(operation: string, input: Readonly<Record<string, unknown>>): void {
  const service = stepFunctionsModel();
  const shapeName = service.operations.get(operation)?.input?.shape;
  if (shapeName === undefined) return;
  const violations: string[] = [];
  walk(service.shapes!, input, shapeName, '', violations);
  if (violations.length > 0) throw validationErrors(violations);
}

type Shapes = Readonly<Record<string, SdkShape>>;

function walk(shapes: Shapes, value: unknown, shapeName: string, path: string, out: string[]): void {
  const shape = shapes[shapeName];
  if (shape === undefined) return;
  if (value === undefined || value === null) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      const record = value as Record<string, unknown>;
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        const memberPath = path === '' ? member : `${path}.${member}`;
        const item = record[member];
        if ((item === undefined || item === null) && shape.required?.includes(member) === true) {
          out.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        walk(shapes, item, ref.shape!, memberPath, out);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return;
      lengthCheck(shapes, value.length, value, shapeName, shape, path, out);
      value.forEach((item, i) => walk(shapes, item, shape.member!.shape!, `${path}.${i + 1}.member`, out));
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      const entries = Object.entries(value as Record<string, unknown>);
      lengthCheck(shapes, entries.length, value, shapeName, shape, path, out);
      for (const [key, item] of entries) {
        walk(shapes, key, shape.key!.shape!, `${path}.${key}.key`, out);
        walk(shapes, item, shape.value!.shape!, `${path}.${key}.value`, out);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return;
      // Lengths count UTF-16 code units, as Java's String.length() does.
      lengthCheck(shapes, value.length, value, shapeName, shape, path, out);
      if (shape.enum !== undefined && !shape.enum.includes(value)) {
        const order = RECORDED_ENUM_ORDER[shapeName] ?? shape.enum;
        out.push(violation(shapes, value, shapeName, path, `Member must satisfy enum value set: [${order.join(', ')}]`));
      }
      if (shape.pattern !== undefined && patternOf(shape.pattern)?.test(value) === false) {
        out.push(violation(shapes, value, shapeName, path, `Member must satisfy regular expression pattern: ${shape.pattern}`));
      }
      return;
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      if (typeof value !== 'number') return;
      if (shape.min !== undefined && value < shape.min) out.push(violation(shapes, value, shapeName, path, `Member must have value greater than or equal to ${shape.min}`));
      if (shape.max !== undefined && value > shape.max) out.push(violation(shapes, value, shapeName, path, `Member must have value less than or equal to ${shape.max}`));
      return;
    }
    default:
      return;
  }
}

function lengthCheck(shapes: Shapes, length: number, value: unknown, shapeName: string, shape: SdkShape, path: string, out: string[]): void {
  if (shape.min !== undefined && length < shape.min) out.push(violation(shapes, value, shapeName, path, `Member must have length greater than or equal to ${shape.min}`));
  if (shape.max !== undefined && length > shape.max) out.push(violation(shapes, value, shapeName, path, `Member must have length less than or equal to ${shape.max}`));
}

function violation(shapes: Shapes, value: unknown, shapeName: string, path: string, constraint: string): string {
  return `Value '${javaString(shapes, value, shapeName)}' at '${path}' failed to satisfy constraint: ${constraint}`;
}

/**
 * A value as AWS's (Java) front end prints it: lists as `[a, b]`, structures as `ShapeName(member=value, ...)`
 * ("[RoutingConfigurationListItem(stateMachineVersionArn=arn:..., weight=50), ...]", recorded), strings bare.
 */
function javaString(shapes: Shapes, value: unknown, shapeName?: string): string {
  if (value === null || value === undefined) return 'null';
  const shape = shapeName === undefined ? undefined : shapes[shapeName];
  if (Array.isArray(value)) return `[${value.map((item) => javaString(shapes, item, shape?.member?.shape)).join(', ')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, JsonValue>;
    if (shape?.type === 'structure') {
      return `${shapeName}(${Object.entries(shape.members ?? {})
        .map(([member, ref]) => `${member}=${javaString(shapes, record[member], ref.shape)}`)
        .join(', ')})`;
    }
    return `{${Object.entries(record).map(([k, v]) => `${k}=${javaString(shapes, v)}`).join(', ')}}`;
  }
  return String(value);
}
