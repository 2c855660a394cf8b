/**
 * Each budget of a JSONata evaluation ends the evaluation with States.QueryEvaluationError and a cause that names
 * the budget, and the evaluation lets the event loop run meanwhile (docs/security.md, "Evaluation budgets").
 * Budgets are made small here so that the tests stay fast; the defaults are the same code with larger numbers.
 */
import jsonata from 'jsonata';
import { describe, expect, test } from 'vitest';
import { DEFAULT_BUDGETS, LinearRegExp, type EvaluationBudgets } from '../../../src/engine/states/evaluation-budgets.js';
import { evaluateExpression, type JsonataScope } from '../../../src/engine/states/jsonata.js';
import type { JsonValue } from '../../../src/model/json.js';

const scope = (budgets?: EvaluationBudgets, input: JsonValue = {}): JsonataScope => ({
  states: { input, context: {} },
  variables: {},
  now: () => 0,
  uuid: () => 'u',
  ...(budgets === undefined ? {} : { budgets }),
});
const small: EvaluationBudgets = { timeMs: 300, depth: 500, sequence: 10_000, stringLength: 100_000 };

async function failure(expression: string, budgets?: EvaluationBudgets, input?: JsonValue): Promise<{ name: string; cause: string }> {
  try {
    await evaluateExpression(`{% ${expression} %}`, scope(budgets, input), 'Output');
  } catch (error) {
    return error as { name: string; cause: string };
  }
  throw new Error(`${expression} did not fail`);
}

describe('JSONata evaluation budgets', () => {
  test('should end an endless tail recursion at the time budget while other work keeps running', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const error = await failure('($f := function($n){ $f($n+1) }; $f(0))', small);
    clearInterval(ticker);
    expect(error.name).toBe('States.QueryEvaluationError');
    expect(error.cause).toContain('D1012: Evaluation timeout after 300 milliseconds');
    expect(error.cause).toContain('(the evaluation time budget of 300 ms)');
    // The timer fired while the evaluation ran: it yielded to the event loop.
    expect(ticks).toBeGreaterThan(5);
  });

  test('should end a deep recursion at the depth budget', async () => {
    const error = await failure('($f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(100000))', small);
    expect(error.cause).toContain('D1011: Stack overflow');
    expect(error.cause).toContain('(the evaluation depth budget of 500 steps)');
  });

  test('should refuse the issue 13 range before allocating it', async () => {
    const error = await failure('$join([1..10000000].$string($), ",")');
    expect(error.name).toBe('States.QueryEvaluationError');
    expect(error.cause).toContain('D2015: The maximum sequence length of 10000000 was exceeded.');
    expect(error.cause).toContain(`(the sequence length budget of ${DEFAULT_BUDGETS.sequence} items)`);
  });

  test('should match catastrophic patterns in linear time, as RE2 does', async () => {
    const text = `${'a'.repeat(5000)}!`;
    // A backtracking engine takes 2^n steps here (30 characters took 79 s).
    await expect(evaluateExpression('{% $match($states.input.s, /(a+)+$/) %}', scope(undefined, { s: text }), 'Output', true)).resolves.toBeUndefined();
    expect(await evaluateExpression('{% $match("ab12cd345", /[0-9]+/).match %}', scope(), 'Output')).toEqual(['12', '345']);
    expect(await evaluateExpression('{% $replace("Hello World", /o/i, "0") %}', scope(), 'Output')).toBe('Hell0 W0rld');
    expect(await evaluateExpression('{% $split("a1b22c", /[0-9]+/) %}', scope(), 'Output')).toEqual(['a', 'b', 'c']);
    expect(await evaluateExpression('{% $contains("line1\\nline2", /^line2$/m) %}', scope(), 'Output')).toBe(true);
  });

  test('should refuse lookaround and backreferences, which have no linear-time match', async () => {
    const error = await failure('$match("abc", /a(?=b)/)');
    expect(error.cause).toContain('SB002: The regular expression /a(?=b)/ cannot run in linear time');
    expect(error.cause).toContain('(the linear-time regular expression engine)');
  });

  test('should match as a global RegExp does on the cases jsonata relies on', () => {
    for (const [source, flags, text] of [
      ['b+', '', 'abbcbd'],
      ['(\\w)(\\d)?', 'i', 'A1b2c'],
      ['^x', 'm', 'a\nx\nx'],
      ['é+', '', 'caféé!'],
    ] as const) {
      const expected = new RegExp(source, `${flags}g`);
      const actual = new LinearRegExp(new RegExp(source, `${flags}g`));
      for (;;) {
        const want = expected.exec(text);
        const got = actual.exec(text);
        expect(got === null ? null : [...got]).toEqual(want === null ? null : [...want]);
        if (want === null) break;
        expect(got?.index).toBe(want.index);
        expect(actual.lastIndex).toBe(expected.lastIndex);
      }
    }
  });

  test('should stop a string that doubles in one step at the string length budget', async () => {
    const error = await failure('$length($reduce([1..40], function($a, $i){ $a & $a }, "x"))', small);
    expect(error.cause).toMatch(/SB001: A string of \d+ characters exceeds the string length budget of 100000/);
    const pad = await failure('$length($pad("x", 500000000))');
    expect(pad.cause).toContain(`SB001: $pad to 500000000 characters exceeds the string length budget of ${DEFAULT_BUDGETS.stringLength}`);
  });

  test('should pad as jsonata pads', async () => {
    const original = jsonata('[$pad("abc", 6), $pad("abc", -6, "#"), $pad("ab", 7, "xy"), $pad("héllo", 7, "é"), $pad("abcdef", 3)]');
    const expected = (await original.evaluate({})) as JsonValue;
    const actual = await evaluateExpression('{% [$pad("abc", 6), $pad("abc", -6, "#"), $pad("ab", 7, "xy"), $pad("héllo", 7, "é"), $pad("abcdef", 3)] %}', scope(), 'Output');
    expect(actual).toEqual(expected);
  });

  test('should deduplicate as jsonata does, in linear time', async () => {
    const sample = '[1, "1", 1, {"a": 1, "b": [2]}, {"b": [2], "a": 1}, [1, 2], [2, 1], [1, 2], null, null, true, "x", "x"]';
    const expected = (await jsonata(`$distinct(${sample})`).evaluate({})) as JsonValue;
    expect(await evaluateExpression(`{% $distinct(${sample}) %}`, scope(), 'Output')).toEqual(expected);
    expect(await evaluateExpression('{% $distinct($states.input.a.b) %}', scope(undefined, { a: [{ b: 1 }, { b: 1 }] }), 'Output')).toBe(1);
    // jsonata's own is quadratic: 100,000 distinct items took minutes.
    expect(await evaluateExpression('{% $count($distinct([1..100000])) %}', scope(), 'Output')).toBe(100_000);
  });

  test('should refuse a result nested deeper than 1,000 levels', async () => {
    const error = await failure('($f := function($n){ $n = 0 ? {} : {"a": $f($n - 1)} }; $f(1200))');
    expect(error.cause).toContain('returned a result nested more than 1000 levels deep (the nesting budget)');
  });
});
