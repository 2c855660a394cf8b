/**
 * Checks a request body against the operation's model (types and required members), the way the AWS
 * service front end does before any handler runs: a wrong JSON type is a `SerializationException`, a missing
 * required member a `ValidationException` in the Coral message format AWS uses.
 */
import { ServiceError } from '../errors/service-error.js';
import { isJsonObject, type JsonValue } from '../model/json.js';
import type { SdkService, SdkShape } from './aws-sdk-models.js';

/** A member is either an inline shape (`{}` is a string) or a reference into the model's shared shapes. */
function resolve(service: SdkService, shape: SdkShape): SdkShape {
  return shape.shape !== undefined ? (service.shapes?.[shape.shape] ?? shape) : shape;
}

function kind(value: JsonValue): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value === 'object' ? 'structure' : typeof value;
}

function mismatch(value: JsonValue, path: string, expected: string): never {
  throw new ServiceError('SerializationException', `Unexpected ${kind(value)} at '${path || 'body'}': expected ${expected}.`);
}

interface Member {
  readonly name: string;
  /** The name as request paths spell it (`documentName`). */
  readonly pathName: string;
  readonly shape: SdkShape;
}

/** A structure's members in model order, listed once per shape: the models never change, and every call walks them. */
const memberLists = new WeakMap<SdkShape, readonly Member[]>();

function membersOf(shape: SdkShape): readonly Member[] {
  let members = memberLists.get(shape);
  if (members === undefined) {
    members = Object.entries(shape.members ?? {}).map(([name, member]) => ({ name, pathName: lowerFirst(name), shape: member }));
    memberLists.set(shape, members);
  }
  return members;
}

/** Throws the error AWS's front end would return for `input`, or returns when it is well-formed. */
export function checkRequestShape(service: SdkService, operation: string, input: JsonValue): void {
  const op = service.operations.get(operation);
  if (op === undefined) return;
  if (op.input === undefined) {
    // A programming error, not a client's: the engine serves a service whose request shapes were not indexed.
    throw new Error(`The API index has no request shapes for '${service.key}': add it to SHAPED_SERVICES in scripts/generate-aws-api-index.ts.`);
  }
  const missing: string[] = [];
  const walk = (value: JsonValue, shape: SdkShape, path: string): void => {
    const s = resolve(service, shape);
    const type = s.type ?? (s.members !== undefined ? 'structure' : 'string');
    switch (type) {
      case 'structure': {
        if (!isJsonObject(value)) return mismatch(value, path, 'a structure (JSON object)');
        if (s.required !== undefined) {
          for (const name of s.required) {
            if (value[name] === undefined || value[name] === null) missing.push(`${path}${path === '' ? '' : '.'}${lowerFirst(name)}`);
          }
        }
        for (const member of membersOf(s)) {
          const v = value[member.name];
          if (v !== undefined && v !== null) walk(v, member.shape, `${path}${path === '' ? '' : '.'}${member.pathName}`);
        }
        return;
      }
      case 'list':
        if (!Array.isArray(value)) return mismatch(value, path, 'a list (JSON array)');
        value.forEach((v, i) => {
          if (v === null) missing.push(`${path}.${i + 1}.member`);
          else if (s.member !== undefined) walk(v, s.member, `${path}.${i + 1}.member`);
        });
        return;
      case 'map':
        if (!isJsonObject(value)) return mismatch(value, path, 'a map (JSON object)');
        for (const [k, v] of Object.entries(value)) {
          if (v === null) missing.push(`${path}.${k}`);
          else if (s.value !== undefined) walk(v, s.value, `${path}.${k}`);
        }
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) return mismatch(value, path, 'an integer');
        return;
      case 'float':
      case 'double':
        if (typeof value !== 'number') return mismatch(value, path, 'a number');
        return;
      case 'boolean':
        if (typeof value !== 'boolean') return mismatch(value, path, 'a boolean');
        return;
      case 'document':
        // A free-form JSON value.
        return;
      case 'timestamp':
        if (typeof value !== 'number' && typeof value !== 'string') return mismatch(value, path, 'a timestamp (epoch seconds)');
        return;
      default:
        if (typeof value !== 'string') return mismatch(value, path, 'a string');
    }
  };
  walk(input, op.input, '');
  if (missing.length > 0) {
    // e.g. "1 validation error detected: Value null at 'documentName' failed to satisfy constraint: Member must not be null"
    const details = missing.map((m) => `Value null at '${m}' failed to satisfy constraint: Member must not be null`);
    throw new ServiceError(
      'ValidationException',
      `${missing.length} validation error${missing.length === 1 ? '' : 's'} detected: ${details.join('; ')}`,
    );
  }
}

/**
 * A JSON `null` member means "not set" in the AWS JSON protocols; the services see it as absent. Returns a copy
 * of `value` with null object members removed at every depth (null list items are refused by the shape check).
 */
export function withoutNullMembers(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutNullMembers);
  if (!isJsonObject(value)) return value;
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNullMembers(v);
  return out;
}

function lowerFirst(name: string): string {
  return name.length === 0 ? name : name[0]!.toLowerCase() + name.slice(1);
}
