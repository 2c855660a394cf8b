import { describe, expect, test } from 'vitest';
import { JSONPATH_WORK_BUDGET, NoSuchPathError, evaluateOn, evaluatePath, normalizedPath, setAtPath } from '../../../src/engine/states/jsonpath.js';
import type { JsonValue } from '../../../src/model/json.js';

const scope = { input: { a: { b: [10, 20] }, list: [{ x: 1 }, { x: 2 }] }, context: { Execution: { Id: 'e' } }, variables: { get: (n: string) => (n === 'v' ? { k: 'val' } : undefined) } };

describe('JSONPath', () => {
  test('should select reference paths, context paths and variables', () => {
    expect(evaluatePath('$.a.b[1]', scope)).toBe(20);
    expect(evaluatePath("$['a']['b'][0]", scope)).toBe(10);
    expect(evaluatePath('$$.Execution.Id', scope)).toBe('e');
    expect(evaluatePath('$v.k', scope)).toBe('val');
  });

  test('should return arrays for indefinite paths and throw NoSuchPathError for missing reference paths', () => {
    expect(evaluatePath('$.list[*].x', scope)).toEqual([1, 2]);
    expect(evaluatePath('$.list[?(@.x > 1)]', scope)).toEqual([{ x: 2 }]);
    expect(() => evaluatePath('$.missing', scope)).toThrow(NoSuchPathError);
    expect(normalizedPath('$.a.b[0]')).toBe("$['a']['b'][0]");
  });

  test('should place a value at a ResultPath without mutating the input', () => {
    const input = { a: { keep: 1 } };
    expect(setAtPath(input, '$.a.new.deep', 2)).toEqual({ a: { keep: 1, new: { deep: 2 } } });
    expect(input).toEqual({ a: { keep: 1 } });
    expect(setAtPath(input, '$', 3)).toBe(3);
  });

  test('should stop an indefinite path at its work and descent budgets with States.Runtime', () => {
    let chain: JsonValue = Array.from({ length: 20_000 }, (_, i) => ({ a: i }));
    for (let i = 0; i < 400; i++) chain = { b: chain };
    // `$..b..a` ran out of memory after three minutes; both now stop within the work budget.
    for (const path of ['$..b..a', '$..a']) {
      expect(() => evaluateOn(path, chain)).toThrow(expect.objectContaining({ name: 'States.Runtime', message: expect.stringContaining(`exceeded the JSONPath work budget of ${JSONPATH_WORK_BUDGET} steps`) }));
    }
    let deep: JsonValue = { a: 1 };
    for (let i = 0; i < 600; i++) deep = { b: deep };
    expect(() => evaluateOn('$..a', deep)).toThrow(expect.objectContaining({ name: 'States.Runtime', message: expect.stringContaining('descends at most 500 levels') }));
    // Ordinary inputs stay well within them.
    const flat = { items: Array.from({ length: 10_000 }, (_, i) => ({ id: i, tags: ['x'] })) };
    expect(evaluateOn('$..id', flat)).toHaveLength(10_000);
    expect(evaluateOn('$.items[?(@.id < 3)].id', flat)).toEqual([0, 1, 2]);
  });
});
