import { describe, expect, test } from 'vitest';
import { copyJson, type JsonValue } from '../../src/model/json.js';

describe('copyJson', () => {
  test('should copy objects and lists deeply, keeping member order', () => {
    const value: JsonValue = { b: [1, { c: 'x' }], a: { d: null, e: true } };
    const copy = copyJson(value) as { b: [number, { c: string }]; a: object };
    expect(copy).toEqual(value);
    expect(Object.keys(copy)).toEqual(['b', 'a']);
    expect(copy.b).not.toBe((value as { b: unknown }).b);
    expect(copy.b[1]).not.toBe(((value as { b: unknown[] }).b)[1]);
    expect(copy.a).not.toBe((value as { a: unknown }).a);
  });

  test('should keep a member named __proto__ as a member, not as the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": 1}, "k": ["v"]}') as JsonValue;
    const copy = copyJson(value) as Record<string, unknown>;
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'k']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
  });
});
