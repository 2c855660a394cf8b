import { describe, expect, test } from 'vitest';
import { checkParameterMapLimits, resolveAutomationParameters, toStringList } from '../../../src/engine/automation/parameters.js';
import { cachedPatternCount, MAX_CACHED_PATTERNS } from '../../../src/engine/documents/index.js';
import type { Runbook } from '../../../src/model/runbook.js';

const runbook = (parameters: NonNullable<Runbook['parameters']>): Runbook => ({ schemaVersion: '0.3', parameters, mainSteps: [] });

describe('StartAutomationExecution parameters', () => {
  test('should reject a value longer than 512 characters when a long task token is passed', () => {
    expect(() => checkParameterMapLimits({ taskToken: ['x'.repeat(513)] })).toThrow(expect.objectContaining({ name: 'InvalidAutomationExecutionParametersException' }));
    expect(checkParameterMapLimits({ taskToken: ['x'.repeat(512)] })).toEqual({ taskToken: ['x'.repeat(512)] });
  });

  test('should reject empty values, more than 50 values, more than 200 keys and keys over 50 characters', () => {
    const err = expect.objectContaining({ name: 'InvalidAutomationExecutionParametersException' });
    expect(() => checkParameterMapLimits({ a: [''] })).toThrow(err);
    expect(() => checkParameterMapLimits({ a: Array.from({ length: 51 }, () => 'v') })).toThrow(err);
    expect(() => checkParameterMapLimits(Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, ['v']])))).toThrow(err);
    expect(() => checkParameterMapLimits({ ['k'.repeat(51)]: ['v'] })).toThrow(err);
    expect(() => checkParameterMapLimits({ a: [1] as unknown as string[] })).toThrow(err);
  });

  test('should type values from strings when the runbook declares types', () => {
    const rb = runbook({
      S: { type: 'String' },
      L: { type: 'StringList' },
      I: { type: 'Integer' },
      B: { type: 'Boolean' },
      M: { type: 'StringMap' },
      ML: { type: 'MapList' },
    });
    expect(resolveAutomationParameters(rb, { S: ['s'], L: ['a', 'b'], I: ['-3'], B: ['false'], M: ['{"a":"b"}'], ML: ['{"Key":"k","Values":["v"]}'] })).toEqual({
      S: 's',
      L: ['a', 'b'],
      I: -3,
      B: false,
      M: { a: 'b' },
      ML: [{ Key: 'k', Values: ['v'] }],
    });
  });

  test('should reject mistyped values', () => {
    const rb = runbook({ I: { type: 'Integer', default: 1 }, B: { type: 'Boolean', default: true }, ML: { type: 'MapList', default: [] }, S: { type: 'String', default: 'x' } });
    const err = expect.objectContaining({ name: 'InvalidAutomationExecutionParametersException' });
    expect(() => resolveAutomationParameters(rb, { I: ['1.5'] })).toThrow(err);
    expect(() => resolveAutomationParameters(rb, { B: ['1'] })).toThrow(err);
    expect(() => resolveAutomationParameters(rb, { ML: ['[{"Key":"k"}]'] })).toThrow(err);
    expect(() => resolveAutomationParameters(rb, { S: ['a', 'b'] })).toThrow(err);
  });

  test('should apply defaults and require parameters without one', () => {
    const rb = runbook({ req: { type: 'String' }, opt: { type: 'Integer', default: 600 } });
    expect(resolveAutomationParameters(rb, { req: ['x'] })).toEqual({ req: 'x', opt: 600 });
    expect(() => resolveAutomationParameters(rb, {})).toThrow(/required/);
    expect(() => resolveAutomationParameters(rb, { req: ['x'], nope: ['y'] })).toThrow(/not defined/);
  });

  test('should treat names an object inherits as names like any other', () => {
    const rb = runbook({ req: { type: 'String' }, toString: { type: 'String' as const, default: 'mine' } });
    expect(() => resolveAutomationParameters(rb, { req: ['x'], constructor: ['y'] })).toThrow('Parameter constructor is not defined in the document.');
    expect(resolveAutomationParameters(rb, { req: ['x'] })).toEqual({ req: 'x', toString: 'mine' });
  });

  test('should enforce allowedValues, allowedPattern on the whole value, and min/max items and chars', () => {
    const rb = runbook({
      shell: { type: 'String', default: 'Shell', allowedValues: ['Shell', 'PowerShell'] },
      name: { type: 'String', default: 'abc', allowedPattern: '[a-z]+', maxChars: 5 },
      list: { type: 'StringList', default: ['a'], minItems: 1, maxItems: 2 },
    });
    expect(() => resolveAutomationParameters(rb, { shell: ['shell'] })).toThrow(/allowed values/);
    expect(() => resolveAutomationParameters(rb, { name: ['abc1'] })).toThrow(/pattern/);
    expect(() => resolveAutomationParameters(rb, { name: ['abcdef'] })).toThrow(/at most 5/);
    expect(() => resolveAutomationParameters(rb, { list: ['a', 'b', 'c'] })).toThrow(/at most 2/);
    expect(resolveAutomationParameters(rb, { shell: ['PowerShell'] })['shell']).toBe('PowerShell');
  });

  test('should check allowedPattern the same way when the compiled pattern is reused', () => {
    // `a|b` must stay anchored as a whole (`^(?:a|b)$`), and distinct patterns must not share a regex.
    const rb = runbook({ x: { type: 'String', default: 'a', allowedPattern: 'a|b' }, y: { type: 'StringList', default: ['A'], allowedPattern: 'A|B' } });
    for (let i = 0; i < 3; i++) {
      expect(resolveAutomationParameters(rb, { x: ['b'], y: ['B', 'A'] })).toEqual({ x: 'b', y: ['B', 'A'] });
      expect(() => resolveAutomationParameters(rb, { x: ['ab'] })).toThrow("value 'ab' does not match the allowed pattern a|b");
      expect(() => resolveAutomationParameters(rb, { x: ['A'] })).toThrow(/pattern a\|b/);
      expect(() => resolveAutomationParameters(rb, { y: ['A', 'b'] })).toThrow("value 'b' does not match the allowed pattern A|B");
    }
  });

  test('should keep failing on an allowedPattern that is not a valid regex', () => {
    const rb = runbook({ x: { type: 'String', default: 'a', allowedPattern: '(' } });
    for (let i = 0; i < 2; i++) expect(() => resolveAutomationParameters(rb, {})).toThrow(SyntaxError);
  });

  test('should bound the compiled allowedPattern regexes however many distinct ones pass by', () => {
    for (let i = 0; i < MAX_CACHED_PATTERNS * 2; i++) {
      const rb = runbook({ x: { type: 'String', default: `v${i}`, allowedPattern: `v${i}` } });
      expect(resolveAutomationParameters(rb, {})).toEqual({ x: `v${i}` });
    }
    expect(cachedPatternCount()).toBeLessThanOrEqual(MAX_CACHED_PATTERNS);
  });

  test('should reject a Parameter Store default, which the local engine cannot resolve', () => {
    expect(() => resolveAutomationParameters(runbook({ p: { type: 'String', default: '{{ssm:/my/param}}' } }), {})).toThrow(/Parameter Store/);
  });

  test('should render typed values back as lists of strings', () => {
    expect(toStringList(5)).toEqual(['5']);
    expect(toStringList(true)).toEqual(['true']);
    expect(toStringList({ a: 'b' })).toEqual(['{"a":"b"}']);
    expect(toStringList([{ Key: 'k' }, 'x'])).toEqual(['{"Key":"k"}', 'x']);
  });
});
