/**
 * Budgets of one JSONata evaluation, so that no expression can hold the engine's only thread: a time and a depth
 * budget (jsonata's own guardrails, errors D1012 and D1011), a sequence length budget (D2015), regular
 * expressions run by a linear-time engine (RE2, through `re2js`), a cap on the strings an evaluation builds, linear
 * replacements for built-ins that are quadratic or allocate unbounded memory in one step, and a yield to the event
 * loop every few milliseconds, so that other requests and executions go on while a long evaluation runs.
 *
 * AWS documents none of these limits (docs/fidelity.md, UNCONFIRMED); a failed evaluation is
 * `States.QueryEvaluationError` there, and so is an exceeded budget here, with a cause that names it.
 */
import type { RE2JS } from 're2js';
import { lazyRequire } from '../../model/lazy-require.js';
import { pauseWhenSliceIsUsed } from '../../validate/time-slice.js';
import { BoundedCache } from '../bounded-cache.js';

export interface EvaluationBudgets {
  /** Wall-clock milliseconds one evaluation may take (its yields to other work included). */
  readonly timeMs: number;
  /** Nesting of evaluation steps: a recursive function costs about three per call. */
  readonly depth: number;
  /** Items in one sequence or range (`[1..n]`). */
  readonly sequence: number;
  /** Characters in one string value. */
  readonly stringLength: number;
}

/**
 * The engine's budgets. 5 s is far more than any expression in AWS's recorded cases needs (all take under a
 * millisecond); a depth of 10,000 steps lets a function recurse ~3,300 times and holds ~20 MB; a million items
 * and ten million characters are ~40 times the 256 KiB a state's output may hold.
 */
export const DEFAULT_BUDGETS: EvaluationBudgets = { timeMs: 5_000, depth: 10_000, sequence: 1_000_000, stringLength: 10_000_000 };

/** The words a cause adds to name the budget behind an error code (jsonata's own messages do not). */
export function budgetOf(code: string, budgets: EvaluationBudgets): string | undefined {
  switch (code) {
    case 'D1011':
      return `the evaluation depth budget of ${budgets.depth} steps`;
    case 'D1012':
      return `the evaluation time budget of ${budgets.timeMs} ms`;
    case 'D2014':
    case 'D2015':
      return `the sequence length budget of ${budgets.sequence} items`;
    case 'SB001':
      return `the string length budget of ${budgets.stringLength} characters`;
    case 'SB002':
      return 'the linear-time regular expression engine';
    default:
      return undefined;
  }
}

/** An error in jsonata's shape (`code`, `message`), which `describeJsonataError` renders. */
export function budgetError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

// ---------------------------------------------------------------- regular expressions

/** Compiled RE2 programs by pattern and flags: expressions repeat the same few. */
/** RE2JS, loaded at the first regular expression an expression runs. */
const re2 = lazyRequire<typeof import('re2js')>('re2js');

const programs = new BoundedCache<string, RE2JS>(500, (key) => {
  const { RE2JS } = re2();
  const flags = key.slice(0, key.indexOf('/'));
  let mode = 0;
  if (flags.includes('i')) mode |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) mode |= RE2JS.MULTILINE;
  const source = key.slice(key.indexOf('/') + 1);
  try {
    return RE2JS.compile(RE2JS.translateRegExp(source), mode);
  } catch (error) {
    throw budgetError(
      'SB002',
      `The regular expression /${source}/ cannot run in linear time (${(error as Error).message}); lookaround and backreferences are not supported.`,
    );
  }
});

/**
 * What jsonata's `RegexEngine` option asks for: `new RegexEngine(regex)`, then `lastIndex` and `exec` as a global
 * RegExp has them. Matching is RE2's: linear in the input, whatever the pattern, so `/(a+)+$/` cannot run away.
 */
export class LinearRegExp {
  lastIndex = 0;
  readonly #program: RE2JS;

  constructor(regex: RegExp) {
    this.#program = programs.get(`${regex.flags.replace(/[^im]/g, '')}/${regex.source}`);
  }

  exec(text: string): RegExpExecArray | null {
    if (this.lastIndex > text.length) {
      this.lastIndex = 0;
      return null;
    }
    const matcher = this.#program.matcher(text);
    if (!matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let group = 0; group <= matcher.groupCount(); group++) groups.push(matcher.group(group) ?? undefined);
    this.lastIndex = matcher.end();
    return Object.assign(groups, { index: matcher.start(), input: text }) as unknown as RegExpExecArray;
  }
}

// ---------------------------------------------------------------- the evaluation's own steps

/**
 * `__evaluate_entry`, called before every evaluation step: once the thread's slice is used up, the step waits for a
 * turn of the event loop (src/validate/time-slice.ts).
 */
export const yieldWhenSliceIsUsed = pauseWhenSliceIsUsed;

/** `__evaluate_exit`: no step may produce a string past the budget (`&` doubles a string in one step). */
export function stringLengthCheck(limit: number) {
  return (_expr: unknown, _input: unknown, _environment: unknown, result: unknown): void => {
    if (typeof result === 'string' && result.length > limit) {
      throw budgetError('SB001', `A string of ${result.length} characters exceeds the string length budget of ${limit}.`);
    }
  };
}

// ---------------------------------------------------------------- built-ins

/**
 * `$distinct` in linear time. jsonata's compares each item with every kept one (`$distinct([1..100000])` ran for
 * minutes in one step); this keys each item by a canonical form with the same equality (objects by their members
 * in any order, arrays in order), and items that have none (functions) by identity.
 */
export function distinct(this: unknown, arr: unknown): unknown {
  if (!Array.isArray(arr) || arr.length <= 1) return arr;
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const item of arr) {
    const key = canonical(item) ?? item;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  if ((arr as { sequence?: boolean }).sequence === true) Object.assign(out, { sequence: true });
  return out;
}

/** A string equal for deep-equal JSON values, or undefined for values with functions in them. */
function canonical(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return `n${String(value)}`;
    case 'boolean':
      return `b${String(value)}`;
    case 'undefined':
      return 'u';
    case 'object': {
      const parts: string[] = [];
      if (Array.isArray(value)) {
        for (const item of value) {
          const part = canonical(item);
          if (part === undefined) return undefined;
          parts.push(part);
        }
        return `[${parts.join(',')}]`;
      }
      for (const key of Object.getOwnPropertyNames(value).sort()) {
        const part = canonical((value as Record<string, unknown>)[key]);
        if (part === undefined) return undefined;
        parts.push(`${JSON.stringify(key)}:${part}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
}

/** `$pad` as jsonata writes it (widths and lengths in code points), refusing a width past the string budget first. */
export function padWithin(limit: number) {
  return (str: string | undefined, width: number, char?: string): string | undefined => {
    if (str === undefined) return undefined;
    const fill = char === undefined || char.length === 0 ? ' ' : char;
    const target = Math.trunc(width);
    if (Math.abs(target) > limit) throw budgetError('SB001', `$pad to ${Math.abs(target)} characters exceeds the string length budget of ${limit}.`);
    const padLength = Math.abs(target) - Array.from(str).length;
    if (padLength <= 0) return str;
    let padding = new Array(padLength + 1).join(fill);
    if (fill.length > 1) padding = Array.from(padding).slice(0, padLength).join('');
    return target > 0 ? str + padding : padding + str;
  };
}
