/**
 * The JSONata query language: `{% expression %}` strings in Arguments, Output, Assign, Items, Condition, etc.,
 * evaluated with the `$states` reserved variable and the workflow variables bound.
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
import { createHash } from 'node:crypto';
import type jsonataModule from 'jsonata';
import { lazyRequire } from '../../model/lazy-require.js';
import type { JsonValue } from '../../model/json.js';
import { StatesQueryEvaluationError } from '../../errors/states-errors.js';
import { MAX_JSON_NESTING, NestingTooDeepError, nestingMessage, parseJson } from '../../validate/nesting.js';
import { budgetOf, DEFAULT_BUDGETS, LinearRegExp, distinct, padWithin, stringLengthCheck, yieldWhenSliceIsUsed, type EvaluationBudgets } from './evaluation-budgets.js';

/** `$states` as AWS binds it: input, context, and (where available) result and errorOutput. */
export interface StatesVariable {
  readonly input: JsonValue;
  readonly context: JsonValue;
  readonly result?: JsonValue;
  readonly errorOutput?: JsonValue;
}

/** Everything an expression can see. */
export interface JsonataScope {
  readonly states: StatesVariable;
  /** Workflow variables, bound as `$name`. */
  readonly variables: Readonly<Record<string, JsonValue>>;
  /** The execution's clock, for `$now()` and `$millis()`. */
  readonly now: () => number;
  readonly uuid: () => string;
  /** Budgets of each evaluation; `DEFAULT_BUDGETS` when absent. */
  readonly budgets?: EvaluationBudgets;
}

type Expression = ReturnType<typeof jsonataModule>;
const jsonata = lazyRequire<typeof jsonataModule>('jsonata');

const compiled = new Map<string, Expression | Error>();

/** Whether a string is a JSONata expression: the whole value is wrapped in `{%` and `%}`. */
export function isJsonataExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('{%') && value.endsWith('%}') && value.length >= 4;
}

/** The expression text between `{%` and `%}`. */
export function expressionBody(value: string): string {
  return value.slice(2, -2).trim();
}

/** jsonata's hooks around each evaluation step (its own tests time-box expressions with them). */
const ENTRY = Symbol.for('jsonata.__evaluate_entry') as unknown as string;
const EXIT = Symbol.for('jsonata.__evaluate_exit') as unknown as string;

function compile(body: string, budgets: EvaluationBudgets): Expression | Error {
  const key = budgets === DEFAULT_BUDGETS ? body : `${budgets.timeMs}/${budgets.depth}/${budgets.sequence}/${budgets.stringLength}/${body}`;
  let expression = compiled.get(key);
  if (expression === undefined) {
    try {
      expression = jsonata()(body, {
        timeout: budgets.timeMs,
        stack: budgets.depth,
        sequence: budgets.sequence,
        RegexEngine: LinearRegExp as unknown as RegExpConstructor,
      });
      expression.assign(ENTRY, yieldWhenSliceIsUsed);
      expression.assign(EXIT, stringLengthCheck(budgets.stringLength));
      expression.registerFunction('distinct', distinct, '<x:x>');
      expression.registerFunction('pad', padWithin(budgets.stringLength), '<s-ns?:s>');
      registerAwsFunctions(expression);
    } catch (error) {
      expression = error instanceof Error ? error : new Error(String(error));
    }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, expression);
  }
  return expression;
}

/** JSONata functions that Step Functions adds (transforming-data page, "JSONata functions provided by Step Functions"). */
function registerAwsFunctions(expression: Expression): void {
  expression.registerFunction(
    'partition',
    (array: unknown, size: unknown) => {
      if (!Array.isArray(array)) throw awsFunctionError('$partition', 'the first argument must be an array');
      if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
        throw awsFunctionError('$partition', 'the chunk size must be a positive integer');
      }
      const out: unknown[] = [];
      for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
      return out;
    },
    '<an:a>',
  );
  expression.registerFunction(
    'range',
    (start: number, end: number, step: number) => {
      if (![start, end, step].every((n) => Number.isInteger(n)) || step === 0) {
        throw awsFunctionError('$range', 'start, end and step must be integers and step must not be zero');
      }
      const out: number[] = [];
      for (let n = start; step > 0 ? n <= end : n >= end; n += step) {
        out.push(n);
        if (out.length > 1000) throw awsFunctionError('$range', 'the result would hold more than 1000 items');
      }
      // AWS returns $range as a JSONata sequence, so a single number is unwrapped (recorded: $range(1, 9, 9) → 1).
      return out.length === 1 ? out[0] : out;
    },
    '<nnn:a>',
  );
  expression.registerFunction(
    'hash',
    (value: unknown, algorithm: unknown) => {
      const names: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
      const name = typeof algorithm === 'string' ? names[algorithm] : undefined;
      if (name === undefined) throw awsFunctionError('$hash', `unsupported algorithm '${String(algorithm)}'`);
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return createHash(name).update(text, 'utf8').digest('hex');
    },
    '<j-s:s>',
  );
  expression.registerFunction(
    'parse',
    (text: unknown) => {
      if (typeof text !== 'string') throw awsFunctionError('$parse', 'the argument must be a string');
      try {
        return parseJson(text) as unknown;
      } catch (error) {
        if (error instanceof NestingTooDeepError) throw awsFunctionError('$parse', error.message);
        throw awsFunctionError('$parse', 'the argument is not valid JSON');
      }
    },
    '<s-:j>',
  );
}

function awsFunctionError(name: string, reason: string): Error {
  return Object.assign(new Error(`${name}: ${reason}`), { code: 'States.QueryEvaluationError' });
}

/** Wraps the evaluation failure in AWS's cause text. */
function evaluationError(source: string, field: string, detail: string): StatesQueryEvaluationError {
  return new StatesQueryEvaluationError(`The JSONata expression '${source}' specified for the field '${field}' ${detail}`);
}

/**
 * Evaluates one `{% %}` string. `field` names where it sits (`Output/result`) for the AWS cause.
 * Returns `undefined` only when `allowUndefined` is set; AWS otherwise fails the state.
 */
export async function evaluateExpression(
  value: string,
  scope: JsonataScope,
  field: string,
  allowUndefined = false,
): Promise<JsonValue> {
  const body = expressionBody(value);
  const budgets = scope.budgets ?? DEFAULT_BUDGETS;
  const expression = compile(body, budgets);
  if (expression instanceof Error) {
    throw evaluationError(body, field, `threw an error during evaluation. ${describeJsonataError(expression, budgets)}`);
  }
  const bindings: Record<string, unknown> = { ...scope.variables };
  bindings['states'] = scope.states;
  bindings['now'] = () => new Date(scope.now()).toISOString();
  bindings['millis'] = () => scope.now();
  bindings['uuid'] = () => scope.uuid();
  bindings['random'] = (seed?: number) => (seed === undefined ? Math.random() : seededFraction(seed));
  // "$eval is not supported" (transforming-data page, "JSONata restrictions").
  bindings['eval'] = undefined;
  let result: unknown;
  try {
    result = await expression.evaluate(undefined, bindings);
  } catch (error) {
    throw evaluationError(body, field, `threw an error during evaluation. ${describeJsonataError(error, budgets)}`);
  }
  if (result === undefined) {
    if (allowUndefined) return undefined as unknown as JsonValue;
    throw evaluationError(body, field, 'returned nothing (undefined).');
  }
  const json = toJson(result, 1);
  if (json === UNSUPPORTED) throw evaluationError(body, field, 'returned an unsupported result type.');
  if (json === TOO_DEEP) throw evaluationError(body, field, `returned a result nested more than ${MAX_JSON_NESTING} levels deep (the nesting budget). ${nestingMessage(MAX_JSON_NESTING)}`);
  return json;
}

function describeJsonataError(error: unknown, budgets: EvaluationBudgets): string {
  if (error instanceof RangeError) return `${error.message} (the expression nests too deeply to parse)`;
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown };
    // A budget's error says which budget ran out (jsonata's own words do not).
    const budget = typeof e.code === 'string' ? budgetOf(e.code, budgets) : undefined;
    if (budget !== undefined && typeof e.message === 'string') return `${e.code as string}: ${e.message} (${budget})`;
    if (typeof e.code === 'string' && typeof e.message === 'string') return `${e.code}: ${e.message}`;
    if (typeof e.message === 'string') return e.message;
  }
  return String(error);
}

const UNSUPPORTED = Symbol('unsupported');
const TOO_DEEP = Symbol('too deep');

/**
 * Converts a JSONata result (sequences, functions, undefined members) into plain JSON. An expression can build
 * values nested deeper than any input (a recursive function), so this stops at Jackson's 1,000 levels.
 */
function toJson(value: unknown, depth: number): JsonValue | typeof UNSUPPORTED | typeof TOO_DEEP {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : UNSUPPORTED;
  if (typeof value === 'function') return UNSUPPORTED;
  if (typeof value !== 'object') return UNSUPPORTED;
  if (depth > MAX_JSON_NESTING) return TOO_DEEP;
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const item of value) {
      if (item === undefined) continue;
      const converted = toJson(item, depth + 1);
      if (converted === UNSUPPORTED || converted === TOO_DEEP) return converted;
      out.push(converted);
    }
    return out;
  }
  if ((value as { _jsonata_lambda?: unknown })._jsonata_lambda === true) return UNSUPPORTED;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const converted = toJson(item, depth + 1);
    if (converted === UNSUPPORTED || converted === TOO_DEEP) return converted;
    out[key] = converted;
  }
  return out;
}

function seededFraction(seed: number): number {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * Evaluates a JSONata template: every string that is a `{% %}` expression is replaced by its value,
 * inside objects and arrays too; other values are kept as they are.
 */
export async function evaluateTemplate(value: JsonValue | undefined, scope: JsonataScope, field: string): Promise<JsonValue> {
  if (value === undefined) return null;
  if (typeof value === 'string') return isJsonataExpression(value) ? evaluateExpression(value, scope, field) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) out.push(await evaluateTemplate(value[i], scope, `${field}[${i}]`));
    return out;
  }
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) out[key] = await evaluateTemplate(item, scope, `${field}/${key}`);
  return out;
}
