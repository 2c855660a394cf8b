/**
 * Intrinsic functions of the JSONPath query language (`States.Format(...)` in `.$` fields).
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 * Failures raise `States.IntrinsicFailure`; a path argument that selects nothing raises `NoSuchPathError`.
 */
import { createHash } from 'node:crypto';
import type { JsonValue } from '../../model/json.js';
import { StatesIntrinsicFailureError } from '../../errors/states-errors.js';
import { evaluatePath, type PathScope } from './jsonpath.js';
import { MAX_PAYLOAD_BYTES, jsonEquals } from './json-utils.js';
import { NestingTooDeepError, parseJson } from '../../validate/nesting.js';

type Arg =
  | { readonly kind: 'literal'; readonly value: JsonValue; readonly raw?: string }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'call'; readonly call: Call };

interface Call {
  readonly name: string;
  readonly args: readonly Arg[];
}

/** Services the intrinsics need from the execution (random ids). */
export interface IntrinsicEnv {
  uuid(): string;
}

const cache = new Map<string, Call>();

/** Whether a `.$` value is an intrinsic function call rather than a path. */
export function isIntrinsic(expression: string): boolean {
  return expression.startsWith('States.');
}

/** Evaluates an intrinsic expression such as `States.Format('{}', $.a)`. */
export function evaluateIntrinsic(expression: string, scope: PathScope, env: IntrinsicEnv): JsonValue {
  let call = cache.get(expression);
  if (call === undefined) {
    call = parseIntrinsic(expression);
    if (cache.size > 10_000) cache.clear();
    cache.set(expression, call);
  }
  return invoke(call, scope, env);
}

// ---------------------------------------------------------------- parser

/** Parses a whole intrinsic expression; throws States.IntrinsicFailure on a syntax error. */
export function parseIntrinsic(text: string): Call {
  const parser = new Parser(text);
  const call = parser.call();
  parser.skipSpace();
  if (!parser.done()) parser.fail('unexpected trailing characters');
  return call;
}

class Parser {
  #pos = 0;
  constructor(readonly text: string) {}

  done(): boolean {
    return this.#pos >= this.text.length;
  }

  fail(reason: string): never {
    throw new StatesIntrinsicFailureError(`Invalid intrinsic function '${this.text}': ${reason} at position ${this.#pos}.`);
  }

  skipSpace(): void {
    while (this.#pos < this.text.length && /\s/.test(this.text[this.#pos]!)) this.#pos++;
  }

  /** `depth` counts enclosing calls: "You can nest up to 10 intrinsic functions within a field" (intrinsic-functions page). */
  call(depth = 1): Call {
    if (depth > MAX_NESTED_CALLS) this.fail(`intrinsic functions nest at most ${MAX_NESTED_CALLS} deep`);
    this.skipSpace();
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.#pos));
    if (match === null) this.fail('expected a States.* function');
    const name = match[0];
    this.#pos += name.length;
    this.skipSpace();
    if (this.text[this.#pos] !== '(') this.fail("expected '('");
    this.#pos++;
    const args: Arg[] = [];
    this.skipSpace();
    if (this.text[this.#pos] === ')') {
      this.#pos++;
      return { name, args };
    }
    for (;;) {
      args.push(this.arg(depth));
      this.skipSpace();
      const c = this.text[this.#pos];
      this.#pos++;
      if (c === ')') return { name, args };
      if (c !== ',') this.fail("expected ',' or ')'");
    }
  }

  arg(depth: number): Arg {
    this.skipSpace();
    const rest = this.text.slice(this.#pos);
    if (rest.startsWith("'")) return this.string();
    if (rest.startsWith('States.')) return { kind: 'call', call: this.call(depth + 1) };
    if (rest.startsWith('$')) return { kind: 'path', path: this.path() };
    const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?=\s*[,)])/.exec(rest);
    if (literal === null) return this.fail('expected an argument');
    this.#pos += literal[0].length;
    return { kind: 'literal', value: JSON.parse(literal[0]) as JsonValue };
  }

  string(): Arg {
    // Single-quoted; a backslash escapes ' { } and \ (intrinsic-functions page, "Reserved characters").
    this.#pos++;
    let value = '';
    const start = this.#pos;
    while (this.#pos < this.text.length) {
      const c = this.text[this.#pos]!;
      if (c === '\\') {
        const next = this.text[this.#pos + 1];
        if (next === undefined) this.fail('unterminated escape');
        value += next === "'" || next === '{' || next === '}' || next === '\\' ? next : c + next;
        this.#pos += 2;
        continue;
      }
      if (c === "'") {
        const raw = this.text.slice(start, this.#pos);
        this.#pos++;
        return { kind: 'literal', value, raw };
      }
      value += c;
      this.#pos++;
    }
    return this.fail('unterminated string');
  }

  path(): string {
    const start = this.#pos;
    let depth = 0;
    let quote: string | undefined;
    while (this.#pos < this.text.length) {
      const c = this.text[this.#pos]!;
      if (quote !== undefined) {
        if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if (c === ']' || c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      this.#pos++;
    }
    return this.text.slice(start, this.#pos).trim();
  }
}

// ---------------------------------------------------------------- evaluation

function invoke(call: Call, scope: PathScope, env: IntrinsicEnv): JsonValue {
  const fn = FUNCTIONS[call.name];
  if (fn === undefined) throw new StatesIntrinsicFailureError(`The intrinsic function '${call.name}' is not supported.`);
  const values = call.args.map((arg) => {
    if (arg.kind === 'literal') return arg.value;
    if (arg.kind === 'path') return evaluatePath(arg.path, scope);
    return invoke(arg.call, scope, env);
  });
  return fn(values, call, env);
}

type Fn = (args: JsonValue[], call: Call, env: IntrinsicEnv) => JsonValue;

function fail(call: Call, reason: string): never {
  throw new StatesIntrinsicFailureError(`Invalid arguments in ${call.name}: ${reason}`);
}

function arity(call: Call, args: readonly JsonValue[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    fail(call, `expected ${min === max ? min : `${min} to ${max}`} arguments but got ${args.length}.`);
  }
}

function asArray(call: Call, value: JsonValue | undefined, what: string): JsonValue[] {
  if (!Array.isArray(value)) fail(call, `${what} must be an array.`);
  return value;
}

function asString(call: Call, value: JsonValue | undefined, what: string): string {
  if (typeof value !== 'string') fail(call, `${what} must be a string.`);
  return value;
}

function asNumber(call: Call, value: JsonValue | undefined, what: string): number {
  if (typeof value !== 'number') fail(call, `${what} must be a number.`);
  return value;
}

/** Java's Math.round (half up), which is what AWS applies to non-integer arguments; never returns -0. */
function roundHalfUp(n: number): number {
  return Math.round(n) + 0;
}

/** How States.Format renders a non-string argument (Java collection `toString`, JSON for scalars). */
function formatValue(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** JSON with object members in sorted order: equal for values that jsonEquals calls equal. */
function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`)
    .join(',')}}`;
}

/** Mulberry32: a small seeded generator for `States.MathRandom(start, end, seed)`. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** Intrinsic input strings are limited to 10,000 characters (Base64 and Hash functions). */
const MAX_INTRINSIC_STRING = 10_000;

/** Arrays built by intrinsics hold at most 1,000 items (States.ArrayRange). */
const MAX_ARRAY_ITEMS = 1_000;

/** "You can nest up to 10 intrinsic functions within a field" (intrinsic-functions page). */
const MAX_NESTED_CALLS = 10;

/**
 * States.Format's result holds at most a state's payload (256 KiB): a format string can repeat one large argument
 * thousands of times, which built gigabytes in one step. AWS's limit here is UNCONFIRMED (docs/fidelity.md).
 */
const MAX_FORMAT_LENGTH = MAX_PAYLOAD_BYTES;

const FUNCTIONS: Readonly<Record<string, Fn>> = {
  'States.Format': (args, call) => {
    if (args.length === 0) fail(call, 'a format string is required.');
    const template = call.args[0];
    const raw = template?.kind === 'literal' && template.raw !== undefined ? template.raw : undefined;
    const values = args.slice(1);
    let out = '';
    let used = 0;
    if (raw !== undefined) {
      // Walk the escaped text so that `\{` stays literal while `{}` is a placeholder.
      for (let i = 0; i < raw.length; i++) {
        const c = raw[i]!;
        if (c === '\\' && i + 1 < raw.length) {
          const next = raw[i + 1]!;
          out += next === "'" || next === '{' || next === '}' || next === '\\' ? next : c + next;
          i++;
        } else if (c === '{' && raw[i + 1] === '}') {
          if (used >= values.length) fail(call, 'the format string has more placeholders than arguments.');
          out += formatValue(values[used++]!);
          if (out.length > MAX_FORMAT_LENGTH) fail(call, `the result would exceed ${MAX_FORMAT_LENGTH} characters.`);
          i++;
        } else out += c;
      }
    } else {
      const text = asString(call, args[0], 'the format string');
      const parts = text.split('{}');
      if (parts.length - 1 > values.length) fail(call, 'the format string has more placeholders than arguments.');
      for (const [index, part] of parts.entries()) {
        out += (index === 0 ? '' : formatValue(values[used++]!)) + part;
        if (out.length > MAX_FORMAT_LENGTH) fail(call, `the result would exceed ${MAX_FORMAT_LENGTH} characters.`);
      }
    }
    if (used !== values.length) fail(call, 'the number of arguments does not match the placeholders.');
    return out;
  },
  'States.StringToJson': (args, call) => {
    arity(call, args, 1);
    const text = asString(call, args[0], 'the argument');
    if (text.trim() === '') return null;
    try {
      return parseJson(text) as JsonValue;
    } catch (error) {
      if (error instanceof NestingTooDeepError) return fail(call, error.message);
      return fail(call, `'${text}' is not valid JSON.`);
    }
  },
  'States.JsonToString': (args, call) => {
    arity(call, args, 1);
    return JSON.stringify(args[0]);
  },
  'States.Array': (args) => args,
  'States.ArrayPartition': (args, call) => {
    arity(call, args, 2);
    const array = asArray(call, args[0], 'the first argument');
    const size = roundHalfUp(asNumber(call, args[1], 'the chunk size'));
    if (size <= 0) fail(call, 'the chunk size must be a positive integer.');
    const chunks: JsonValue[] = [];
    for (let i = 0; i < array.length; i += size) chunks.push(array.slice(i, i + size));
    return chunks;
  },
  'States.ArrayContains': (args, call) => {
    arity(call, args, 2);
    const array = asArray(call, args[0], 'the first argument');
    return array.some((item) => jsonEquals(item, args[1]));
  },
  'States.ArrayRange': (args, call) => {
    arity(call, args, 3);
    const [start, end, step] = args.map((a, i) => roundHalfUp(asNumber(call, a, `argument ${i + 1}`))) as [number, number, number];
    if (step === 0) fail(call, 'the step must not be zero.');
    const out: number[] = [];
    for (let n = start; step > 0 ? n <= end : n >= end; n += step) {
      out.push(n);
      if (out.length > MAX_ARRAY_ITEMS) fail(call, `the result would hold more than ${MAX_ARRAY_ITEMS} items.`);
    }
    return out;
  },
  'States.ArrayGetItem': (args, call) => {
    arity(call, args, 2);
    const array = asArray(call, args[0], 'the first argument');
    const index = asNumber(call, args[1], 'the index');
    if (!Number.isInteger(index) || index < 0 || index >= array.length) fail(call, `index ${index} is out of bounds.`);
    return array[index]!;
  },
  'States.ArrayLength': (args, call) => {
    arity(call, args, 1);
    return asArray(call, args[0], 'the argument').length;
  },
  'States.ArrayUnique': (args, call) => {
    arity(call, args, 1);
    // Keyed by a canonical form with jsonEquals' equality (members in any order): comparing each item with every
    // kept one took minutes for the 50,000 numbers a 256 KiB input can hold.
    const seen = new Set<string>();
    const out: JsonValue[] = [];
    for (const item of asArray(call, args[0], 'the argument')) {
      const key = canonicalJson(item);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
    return out;
  },
  'States.Base64Encode': (args, call) => {
    arity(call, args, 1);
    const text = asString(call, args[0], 'the argument');
    if (text.length > MAX_INTRINSIC_STRING) fail(call, `the input exceeds ${MAX_INTRINSIC_STRING} characters.`);
    return Buffer.from(text, 'utf8').toString('base64');
  },
  'States.Base64Decode': (args, call) => {
    arity(call, args, 1);
    const text = asString(call, args[0], 'the argument');
    if (text.length > MAX_INTRINSIC_STRING) fail(call, `the input exceeds ${MAX_INTRINSIC_STRING} characters.`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) fail(call, 'the input is not valid base64.');
    return Buffer.from(text, 'base64').toString('utf8');
  },
  'States.Hash': (args, call) => {
    arity(call, args, 2);
    const data = args[0];
    if (data === null || data === undefined) fail(call, 'the data to hash must not be null.');
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    if (text.length > MAX_INTRINSIC_STRING) fail(call, `the input exceeds ${MAX_INTRINSIC_STRING} characters.`);
    const algorithm = HASH_ALGORITHMS[asString(call, args[1], 'the algorithm')];
    if (algorithm === undefined) fail(call, `unsupported algorithm; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}.`);
    return createHash(algorithm).update(text, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args, call) => {
    arity(call, args, 3);
    const [a, b, deep] = args;
    if (a === null || typeof a !== 'object' || Array.isArray(a)) fail(call, 'the first argument must be an object.');
    if (b === null || typeof b !== 'object' || Array.isArray(b)) fail(call, 'the second argument must be an object.');
    // "Only shallow merging is supported; the boolean must be false" (intrinsic-functions page, States.JsonMerge).
    if (deep !== false) fail(call, 'the third argument must be false (deep merge is not supported).');
    return { ...a, ...b };
  },
  'States.MathRandom': (args, call) => {
    arity(call, args, 2, 3);
    const start = roundHalfUp(asNumber(call, args[0], 'the start'));
    const end = roundHalfUp(asNumber(call, args[1], 'the end'));
    if (end < start) fail(call, 'the end must not be smaller than the start.');
    const random = args.length === 3 ? seededRandom(roundHalfUp(asNumber(call, args[2], 'the seed'))) : Math.random;
    return start + Math.floor(random() * (end - start + 1));
  },
  'States.MathAdd': (args, call) => {
    arity(call, args, 2);
    return roundHalfUp(asNumber(call, args[0], 'the first argument')) + roundHalfUp(asNumber(call, args[1], 'the second argument'));
  },
  'States.StringSplit': (args, call) => {
    arity(call, args, 2);
    const text = asString(call, args[0], 'the string');
    const delimiters = asString(call, args[1], 'the delimiters');
    // Every character of the second argument is a delimiter; empty parts are dropped.
    const parts: string[] = [];
    let current = '';
    for (const c of text) {
      if (delimiters.includes(c)) {
        if (current !== '') parts.push(current);
        current = '';
      } else current += c;
    }
    if (current !== '') parts.push(current);
    return parts;
  },
  'States.UUID': (args, call, env) => {
    arity(call, args, 0);
    return env.uuid();
  },
};
