import { describe, expect, test } from 'vitest';
import { NoSuchPathError, evaluatePath, normalizedPath, setAtPath } from '../../../src/engine/states/jsonpath.js';

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
});
