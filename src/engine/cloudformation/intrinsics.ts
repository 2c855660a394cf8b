/**
 * Resolves CloudFormation intrinsic functions against a stack's parameters, created resources, exports,
 * mappings and conditions (CloudFormation User Guide, "Intrinsic function reference"). A function this
 * resolver does not implement is an error that names it.
 */
import { ServiceError } from '../../errors/service-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';

export interface ResolvedResource {
  /** What `Ref` returns for the resource. */
  readonly ref: string;
  readonly attributes: Readonly<Record<string, JsonValue>>;
}

export interface IntrinsicContext {
  readonly parameters: Readonly<Record<string, JsonValue>>;
  readonly pseudo: Readonly<Record<string, JsonValue>>;
  readonly resources: ReadonlyMap<string, ResolvedResource>;
  readonly exports: ReadonlyMap<string, string>;
  readonly mappings: JsonObject;
  readonly conditions: ReadonlyMap<string, boolean>;
}

/** `AWS::NoValue` removes the property that holds it. */
const NO_VALUE = Symbol('AWS::NoValue');
type Resolved = JsonValue | typeof NO_VALUE;

export function validationError(message: string): ServiceError {
  // CloudFormation reports template problems as ValidationError (query protocol error code).
  return new ServiceError('ValidationError', message);
}

function asString(value: Resolved, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw validationError(`${where} must resolve to a string, got ${JSON.stringify(value === NO_VALUE ? 'AWS::NoValue' : value)}.`);
}

function asList(value: Resolved, where: string): JsonValue[] {
  if (Array.isArray(value)) return value;
  throw validationError(`${where} must resolve to a list.`);
}

function isIntrinsicObject(value: JsonObject): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
}

function ref(name: string, context: IntrinsicContext): Resolved {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in context.pseudo) return context.pseudo[name]!;
  if (name in context.parameters) return context.parameters[name]!;
  const resource = context.resources.get(name);
  if (resource !== undefined) return resource.ref;
  throw validationError(`Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`);
}

function getAtt(resourceName: string, attribute: string, context: IntrinsicContext): JsonValue {
  const resource = context.resources.get(resourceName);
  if (resource === undefined) throw validationError(`Template error: instance of Fn::GetAtt references undefined resource ${resourceName}`);
  const value = resource.attributes[attribute];
  if (value === undefined) throw validationError(`Template error: resource ${resourceName} does not support attribute type ${attribute} in Fn::GetAtt`);
  return value;
}

function sub(template: string, variables: Readonly<Record<string, JsonValue>>, context: IntrinsicContext): string {
  // `${!Literal}` writes `${Literal}`.
  return template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (name in variables) return asString(variables[name]!, `Fn::Sub variable ${name}`);
    const dot = name.indexOf('.');
    if (dot !== -1 && context.resources.has(name.slice(0, dot))) {
      return asString(getAtt(name.slice(0, dot), name.slice(dot + 1), context), `\${${name}}`);
    }
    return asString(ref(name, context), whole);
  });
}

function resolveInner(value: JsonValue, context: IntrinsicContext): Resolved {
  if (Array.isArray(value)) {
    return value.map((v) => resolveInner(v, context)).filter((v): v is JsonValue => v !== NO_VALUE);
  }
  if (!isJsonObject(value)) return value;
  if (!isIntrinsicObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const r = resolveInner(v, context);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  const [fn, arg] = Object.entries(value)[0]!;
  const r = (v: JsonValue) => resolveInner(v, context);
  switch (fn) {
    case 'Ref':
      return ref(asString(r(arg), 'Ref'), context);
    case 'Fn::GetAtt': {
      const parts = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : asList(r(arg), 'Fn::GetAtt');
      return getAtt(asString(parts[0] ?? '', 'Fn::GetAtt resource'), asString(parts[1] ?? '', 'Fn::GetAtt attribute'), context);
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return sub(arg, {}, context);
      const [text, vars] = asList(arg, 'Fn::Sub');
      const variables: Record<string, JsonValue> = {};
      if (isJsonObject(vars)) for (const [k, v] of Object.entries(vars)) variables[k] = asJson(r(v), `Fn::Sub variable ${k}`);
      return sub(asString(r(text ?? ''), 'Fn::Sub template'), variables, context);
    }
    case 'Fn::Join': {
      const [delimiter, items] = asList(arg, 'Fn::Join');
      return asList(r(items ?? []), 'Fn::Join list')
        .map((item) => asString(item, 'Fn::Join item'))
        .join(asString(r(delimiter ?? ''), 'Fn::Join delimiter'));
    }
    case 'Fn::Select': {
      const [index, items] = asList(arg, 'Fn::Select');
      const list = asList(r(items ?? []), 'Fn::Select list');
      const i = Number(asString(r(index ?? 0), 'Fn::Select index'));
      if (!Number.isInteger(i) || i < 0 || i >= list.length) throw validationError(`Fn::Select index ${i} is out of bounds for a list of ${list.length}.`);
      return list[i]!;
    }
    case 'Fn::Split': {
      const [delimiter, text] = asList(arg, 'Fn::Split');
      return asString(r(text ?? ''), 'Fn::Split source').split(asString(r(delimiter ?? ''), 'Fn::Split delimiter'));
    }
    case 'Fn::ImportValue': {
      const name = asString(r(arg), 'Fn::ImportValue');
      const exported = context.exports.get(name);
      if (exported === undefined) throw validationError(`No export named ${name} found.`);
      return exported;
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = asList(arg, 'Fn::FindInMap').map((p) => asString(r(p), 'Fn::FindInMap key'));
      const value = (context.mappings[map!] as JsonObject | undefined)?.[top!];
      const found = isJsonObject(value) ? value[second!] : undefined;
      if (found === undefined) throw validationError(`Fn::FindInMap: no value for [${map}, ${top}, ${second}].`);
      return found;
    }
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = asList(arg, 'Fn::If');
      return r(condition(asString(name ?? '', 'Fn::If condition'), context) ? (whenTrue ?? null) : (whenFalse ?? null));
    }
    case 'Fn::Equals': {
      const [a, b] = asList(arg, 'Fn::Equals');
      return JSON.stringify(r(a ?? null)) === JSON.stringify(r(b ?? null));
    }
    case 'Fn::And':
      return asList(arg, 'Fn::And').every((c) => r(c) === true);
    case 'Fn::Or':
      return asList(arg, 'Fn::Or').some((c) => r(c) === true);
    case 'Fn::Not':
      return r(asList(arg, 'Fn::Not')[0] ?? false) !== true;
    case 'Condition':
      return condition(asString(arg, 'Condition'), context);
    case 'Fn::Base64':
      return Buffer.from(asString(r(arg), 'Fn::Base64')).toString('base64');
    case 'Fn::GetAZs': {
      const region = asString(r(arg) === '' ? (context.pseudo['AWS::Region'] ?? '') : r(arg), 'Fn::GetAZs');
      return ['a', 'b', 'c'].map((z) => `${region}${z}`);
    }
    case 'Fn::ToJsonString':
      return JSON.stringify(r(arg));
    default:
      throw validationError(`Intrinsic function ${fn} is not supported by the shellstep local engine.`);
  }
}

function condition(name: string, context: IntrinsicContext): boolean {
  const value = context.conditions.get(name);
  if (value === undefined) throw validationError(`Template error: unresolved condition dependency ${name}`);
  return value;
}

function asJson(value: Resolved, where: string): JsonValue {
  if (value === NO_VALUE) throw validationError(`${where} cannot be AWS::NoValue.`);
  return value;
}

/** Resolves every intrinsic in `value`. Properties set to `AWS::NoValue` disappear. */
export function resolveIntrinsics(value: JsonValue, context: IntrinsicContext): JsonValue | undefined {
  const resolved = resolveInner(value, context);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Logical ids that `value` depends on through Ref, Fn::GetAtt and Fn::Sub. */
export function dependencies(value: JsonValue, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) dependencies(v, into);
  } else if (isJsonObject(value)) {
    if (isIntrinsicObject(value)) {
      const [fn, arg] = Object.entries(value)[0]!;
      if (fn === 'Ref' && typeof arg === 'string') into.add(arg);
      if (fn === 'Fn::GetAtt') {
        const target = typeof arg === 'string' ? arg.split('.')[0] : Array.isArray(arg) ? arg[0] : undefined;
        if (typeof target === 'string') into.add(target);
      }
      if (fn === 'Fn::Sub') {
        const text = typeof arg === 'string' ? arg : Array.isArray(arg) ? arg[0] : undefined;
        const local = Array.isArray(arg) && isJsonObject(arg[1]) ? new Set(Object.keys(arg[1])) : new Set<string>();
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = m[1]!.trim().split('.')[0]!;
            if (!local.has(name)) into.add(name);
          }
        }
      }
    }
    for (const v of Object.values(value)) dependencies(v, into);
  }
  return into;
}
