/**
 * JSONPath for the JSONPath query language: reference paths (`$.a.b`, `$['a'][0]`), indefinite paths
 * (`$.a[*]`, filters) through `jsonpath-plus`, the context object (`$$.`) and workflow variables (`$name.x`).
 * https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
 */
import { JSONPath } from 'jsonpath-plus';
import type { JsonValue } from '../../model/json.js';
import { StatesRuntimeError } from '../../errors/states-errors.js';
import { nestingExceeds } from '../../validate/nesting.js';

/**
 * Budgets of one indefinite path (`..`, `*`, filters), which `jsonpath-plus` evaluates synchronously and
 * recursively: its work, counted as the length of every path it traces (`$..b..a` on a 230 KB input ran out of
 * memory after three minutes; `$..a` over a 400-level chain took over a second), and the nesting `..` descends
 * into (its recursion overflowed the stack between 1,000 and 1,500 levels). AWS documents neither (its engine is
 * Jayway JsonPath): UNCONFIRMED, docs/fidelity.md.
 */
export const JSONPATH_WORK_BUDGET = 2_000_000;
export const JSONPATH_DESCENT_NESTING = 500;

class JsonPathBudgetExceeded extends Error {}

/** Work left to the evaluation under way; unlimited outside one (asl-validator runs `jsonpath-plus` too). */
let workLeft = Number.POSITIVE_INFINITY;
type Trace = (this: unknown, expr: unknown, val: unknown, path: readonly unknown[], ...rest: unknown[]) => unknown;
const prototype = (JSONPath as unknown as { prototype: { _trace: Trace } }).prototype;
const trace = prototype._trace;
prototype._trace = function budgetedTrace(this: unknown, expr, val, path, ...rest) {
  workLeft -= path.length;
  if (workLeft < 0) throw new JsonPathBudgetExceeded();
  return trace.call(this, expr, val, path, ...rest);
};

function budgetError(path: string, what: string): StatesRuntimeError {
  return new StatesRuntimeError(`The JSONPath '${path}' exceeded ${what}.`);
}

/** Raised when a path selects nothing; callers turn it into the AWS cause of their field. */
export class NoSuchPathError extends Error {
  constructor(
    readonly path: string,
    readonly data: JsonValue | undefined,
  ) {
    super(`No results for path: ${normalizedPath(path)}`);
  }
}

/** Raised when a path references an undefined variable. */
export class NoSuchVariableError extends Error {
  constructor(readonly variable: string) {
    super(`No such variable '${variable}'`);
  }
}

/** What a path can read: the effective input (`$`), the context object (`$$`), and variables (`$name`). */
export interface PathScope {
  readonly input: JsonValue;
  readonly context: JsonValue;
  readonly variables?: VariableLookup;
}

export interface VariableLookup {
  get(name: string): JsonValue | undefined;
}

type Segment = string | number;

/** Parsed simple paths, cached: most paths in real machines are `$.a.b` or `$['a'][0]`. */
const simpleCache = new Map<string, readonly Segment[] | null>();

/** Splits `$.a['b'][0]` into segments; returns null when the path needs the full JSONPath engine. */
function parseSimple(path: string): readonly Segment[] | null {
  const cached = simpleCache.get(path);
  if (cached !== undefined) return cached;
  const segments: Segment[] = [];
  let i = 1;
  let ok = path.startsWith('$');
  while (ok && i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const name = path.slice(i + 1, j);
      if (name.length === 0 || name === '*' || /[\s()?@*,:'"]/.test(name)) ok = false;
      else segments.push(name);
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close === -1) {
        ok = false;
        break;
      }
      const inner = path.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else if (/^'[^'\\]*'$/.test(inner) || /^"[^"\\]*"$/.test(inner)) segments.push(inner.slice(1, -1));
      else ok = false;
      i = close + 1;
    } else ok = false;
  }
  const result = ok ? segments : null;
  if (simpleCache.size > 10_000) simpleCache.clear();
  simpleCache.set(path, result);
  return result;
}

/** Whether a path can select several values (then AWS returns an array). */
export function isIndefinite(path: string): boolean {
  return parseSimple(path) === null && /\*|\.\.|\?\(|,|:|\[-/.test(path);
}

/** Jayway-style normalized path, used in AWS causes: `$['a']['b'][0]`. */
export function normalizedPath(path: string): string {
  const segments = parseSimple(path);
  if (segments === null) return path;
  return '$' + segments.map((s) => (typeof s === 'number' ? `[${s}]` : `['${s}']`)).join('');
}

/**
 * Evaluates a path against its scope. Reference paths return the selected value; indefinite paths return
 * an array of matches (possibly empty). A reference path that selects nothing throws `NoSuchPathError`.
 */
export function evaluatePath(path: string, scope: PathScope): JsonValue {
  if (path.startsWith('$$')) return evaluateOn(path.slice(1), scope.context);
  if (path.length > 1 && path[0] === '$' && path[1] !== '.' && path[1] !== '[') {
    // A workflow variable: `$name`, `$name.field`, `$name[0]`.
    const match = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(path);
    if (match === null) throw new NoSuchPathError(path, scope.input);
    const name = match[1]!;
    const value = scope.variables?.get(name);
    if (value === undefined) throw new NoSuchVariableError(name);
    return evaluateOn('$' + match[2]!, value);
  }
  return evaluateOn(path, scope.input);
}

/** Evaluates a `$`-rooted path against one document. */
export function evaluateOn(path: string, data: JsonValue): JsonValue {
  const segments = parseSimple(path);
  if (segments !== null) {
    let current: JsonValue | undefined = data;
    for (const segment of segments) {
      if (current === null || typeof current !== 'object') throw new NoSuchPathError(path, data);
      if (Array.isArray(current)) {
        if (typeof segment !== 'number') throw new NoSuchPathError(path, data);
        current = current[segment];
      } else {
        current = Object.prototype.hasOwnProperty.call(current, segment) ? current[String(segment)] : undefined;
      }
      if (current === undefined) throw new NoSuchPathError(path, data);
    }
    return current;
  }
  if (path.includes('..') && nestingExceeds(data, JSONPATH_DESCENT_NESTING)) {
    throw budgetError(path, `the JSONPath descent budget: '..' descends at most ${JSONPATH_DESCENT_NESTING} levels of nesting`);
  }
  let results: JsonValue[];
  workLeft = JSONPATH_WORK_BUDGET;
  try {
    results = JSONPath({ path, json: data as object, wrap: true, eval: 'safe' }) as JsonValue[];
  } catch (error) {
    if (error instanceof JsonPathBudgetExceeded) throw budgetError(path, `the JSONPath work budget of ${JSONPATH_WORK_BUDGET} steps`);
    throw new NoSuchPathError(path, data);
  } finally {
    workLeft = Number.POSITIVE_INFINITY;
  }
  if (isIndefinite(path)) return results ?? [];
  if (results === undefined || results.length === 0) throw new NoSuchPathError(path, data);
  return results[0]!;
}

/** Whether a path selects something (the Choice `IsPresent` operator). */
export function pathExists(path: string, scope: PathScope): boolean {
  try {
    const value = evaluatePath(path, scope);
    return !(isIndefinite(path) && Array.isArray(value) && value.length === 0);
  } catch (error) {
    if (error instanceof NoSuchPathError || error instanceof NoSuchVariableError) return false;
    throw error;
  }
}

/**
 * ResultPath: returns a copy of `input` with `value` placed at `path` (`$` replaces the input), creating
 * missing objects on the way. Fails like AWS when the path crosses a non-object (States.ResultPathMatchFailure).
 */
export function setAtPath(input: JsonValue, path: string, value: JsonValue): JsonValue {
  const segments = parseSimple(path);
  if (segments === null) throw new ResultPathError(path, input);
  if (segments.length === 0) return value;
  const place = (node: JsonValue | undefined, index: number): JsonValue => {
    const segment = segments[index]!;
    const last = index === segments.length - 1;
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) throw new ResultPathError(path, input);
      const copy = node.slice();
      copy[segment] = last ? value : place(node[segment], index + 1);
      return copy;
    }
    let base: { [key: string]: JsonValue };
    if (node === undefined) base = {};
    else if (node !== null && typeof node === 'object' && !Array.isArray(node)) base = { ...node };
    else throw new ResultPathError(path, input);
    base[segment] = last ? value : place(base[segment], index + 1);
    return base;
  };
  return place(input, 0);
}

/** States.ResultPathMatchFailure: the ResultPath cannot be applied to the state input. */
export class ResultPathError extends Error {
  constructor(
    readonly path: string,
    readonly data: JsonValue,
  ) {
    super(`Unable to apply ResultPath "${path}" to input ${JSON.stringify(data)}`);
  }
}
