import { describe, expect, test } from 'vitest';
import { evaluateIntrinsic } from '../../../src/engine/states/intrinsics.js';
import type { JsonValue } from '../../../src/model/json.js';

const evaluate = (expression: string, input: JsonValue = {}): JsonValue =>
  evaluateIntrinsic(expression, { input, context: { Execution: { Name: 'exec' } } }, { uuid: () => '00000000-0000-4000-8000-000000000001' });

describe('intrinsic functions', () => {
  test('should format with escaped braces and quotes when the template escapes them', () => {
    expect(evaluate("States.Format('a \\{{}\\} \\'q\\' {}', $.x, $$.Execution.Name)", { x: [1, 'b'] })).toBe("a {[1, b]} 'q' exec");
  });

  test('should compute arrays, math, strings, hashes and encodings as documented', () => {
    expect(evaluate('States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)')).toEqual([[1, 2], [3, 4], [5]]);
    expect(evaluate('States.ArrayUnique($.a)', { a: [1, 1, { b: 1 }, { b: 1 }] })).toEqual([1, { b: 1 }]);
    expect(evaluate('States.ArrayGetItem($.a, 1)', { a: ['x', 'y'] })).toBe('y');
    expect(evaluate('States.MathAdd($.a, -1)', { a: 1.5 })).toBe(1);
    expect(evaluate("States.StringSplit('a,b;;c', ',;')")).toEqual(['a', 'b', 'c']);
    expect(evaluate("States.Hash('input data', 'SHA-1')")).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(evaluate("States.Base64Decode(States.Base64Encode('héllo'))")).toBe('héllo');
    expect(evaluate("States.JsonMerge($.a, $.b, false)", { a: { x: 1, y: 1 }, b: { y: 2 } })).toEqual({ x: 1, y: 2 });
    expect(evaluate('States.StringToJson(States.JsonToString($.o))', { o: { k: [1] } })).toEqual({ k: [1] });
    expect(evaluate('States.UUID()')).toBe('00000000-0000-4000-8000-000000000001');
    const random = evaluate('States.MathRandom(1, 3)');
    expect([1, 2, 3]).toContain(random);
  });

  test('should raise States.IntrinsicFailure when arguments are invalid', () => {
    expect(() => evaluate("States.Format('{} {}', 1)")).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
    expect(() => evaluate('States.ArrayGetItem($.a, 5)', { a: [] })).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
    expect(() => evaluate('States.JsonMerge($.a, $.a, true)', { a: {} })).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
    expect(() => evaluate('States.Nope()')).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
  });

  test('should deduplicate with jsonEquals (members in any order) in linear time', () => {
    expect(evaluate('States.ArrayUnique($.a)', { a: [{ x: 1, y: [2] }, { y: [2], x: 1 }, 0, -0, '0', [1, 2], [2, 1], [1, 2]] })).toEqual([{ x: 1, y: [2] }, 0, '0', [1, 2], [2, 1]]);
    // 50,000 distinct numbers fit in a 256 KiB input; comparing each with every kept one took minutes.
    const many = Array.from({ length: 50_000 }, (_, i) => i);
    expect(evaluate('States.ArrayUnique($.a)', { a: many })).toHaveLength(50_000);
  });

  test('should nest at most 10 intrinsic functions, as documented', () => {
    const nested = (n: number): string => `${'States.Array('.repeat(n)}1${')'.repeat(n)}`;
    expect(evaluate(nested(10))).toEqual([[[[[[[[[[1]]]]]]]]]]);
    expect(() => evaluate(nested(11))).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure', message: expect.stringContaining('intrinsic functions nest at most 10 deep') }));
    // Deeper still would overflow a recursive parser; it stops at the eleventh call.
    expect(() => evaluate(nested(100_000))).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
  });

  test('should stop States.Format before its result outgrows a state payload', () => {
    const big = 'x'.repeat(100_000);
    expect(evaluate("States.Format('{}{}', $.s, $.s)", { s: big })).toHaveLength(200_000);
    expect(() => evaluate(`States.Format('${'{}'.repeat(1000)}', ${Array(1000).fill('$.s').join(', ')})`, { s: big })).toThrow(
      expect.objectContaining({ name: 'States.IntrinsicFailure', message: expect.stringContaining('the result would exceed 262144 characters') }),
    );
  });
});
