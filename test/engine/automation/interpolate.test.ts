import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import type { InterpolationScope } from '../../../src/engine/automation/interpolate.js';
import {
  cachedPlaceholderCount,
  interpolate,
  MAX_CACHED_PLACEHOLDER_LENGTH,
  MAX_CACHED_PLACEHOLDERS,
  UnresolvedReferenceError,
} from '../../../src/engine/automation/interpolate.js';

const scope: InterpolationScope = {
  parameters: { Ids: ['i-1', 'i-2'], Count: 3, Name: 'web', Flag: false, Targets: [{ Key: 'tag:a', Values: ['b'] }] },
  stepNames: new Set(['Run', 'Skipped']),
  stepOutputs: new Map([['Run', { CommandId: 'c-1', ResponseCode: '0' }]]),
  variables: { 'automation:EXECUTION_ID': 'exec-1', 'global:REGION': 'us-east-1' },
};

describe('interpolate', () => {
  test('should accept placeholders with and without inner spaces', () => {
    expect(interpolate('{{Name}}-{{ Name }}-{{  Name  }}', scope)).toBe('web-web-web');
  });

  test('should keep the type of a whole-value placeholder', () => {
    expect(interpolate('{{ Ids }}', scope)).toEqual(['i-1', 'i-2']);
    expect(interpolate('{{Count}}', scope)).toBe(3);
    expect(interpolate('{{ Flag }}', scope)).toBe(false);
    expect(interpolate('{{ Targets }}', scope)).toEqual([{ Key: 'tag:a', Values: ['b'] }]);
  });

  test('should JSON-encode non-strings inside a larger string', () => {
    expect(interpolate('ids={{Ids}} n={{Count}}', scope)).toBe('ids=["i-1","i-2"] n=3');
  });

  test('should splice a list into a list when an element is a whole list placeholder', () => {
    expect(interpolate(['{{ Ids }}', 'i-3'], scope)).toEqual(['i-1', 'i-2', 'i-3']);
  });

  test('should resolve step outputs and automation variables', () => {
    expect(interpolate({ a: '{{Run.CommandId}}', b: ['{{automation:EXECUTION_ID}} in {{global:REGION}}'] }, scope)).toEqual({ a: 'c-1', b: ['exec-1 in us-east-1'] });
  });

  test('should read only own parameters and variables, not members an object inherits', () => {
    expect(interpolate('{{ toString }}', { ...scope, parameters: { toString: 'mine' } })).toBe('mine');
    expect(() => interpolate('x{{ constructor }}y', scope)).toThrow(UnresolvedReferenceError);
  });

  test('should throw when a referenced step did not run or has no such output', () => {
    expect(() => interpolate('x {{Skipped.CommandId}}', scope)).toThrow(UnresolvedReferenceError);
    expect(() => interpolate('{{Run.Status}}', scope)).toThrow(/did not produce/);
    expect(() => interpolate('{{Unknown}}', scope)).toThrow(/neither a parameter/);
    expect(() => interpolate('{{ssm:/param}}', scope)).toThrow(/not supported/);
  });

  test('should not expand placeholders that appear inside substituted values', () => {
    const s: InterpolationScope = { ...scope, parameters: { A: '{{ B }}', B: 'b' } };
    expect(interpolate('{{A}}', s)).toBe('{{ B }}');
    expect(interpolate('x{{A}}', s)).toBe('x{{ B }}');
  });

  test('should return text without placeholders unchanged', () => {
    fc.assert(
      fc.property(fc.string().filter((t) => !t.includes('{{')), (text) => {
        expect(interpolate(text, scope)).toBe(text);
      }),
    );
  });

  test('should give the same results when the same strings are interpolated again (cached parsing)', () => {
    const inputs = { a: '{{ Name }}', b: ['{{Ids}}', '{{ Count }}'], c: '{{Name}}x', d: '{{ Name }} ', e: ' {{Name}}' };
    for (let i = 0; i < 3; i++) {
      expect(interpolate(inputs, scope)).toEqual({ a: 'web', b: ['i-1', 'i-2', 3], c: 'webx', d: 'web ', e: ' web' });
      expect(interpolate('{{Name}}{{Name}}', scope)).toBe('webweb');
      expect(interpolate('{{ {{Name}} }}', scope)).toBe('{{ web }}');
      expect(interpolate('{{\u00a0Name\n}}', scope)).toBe('web');
    }
  });

  test('should parse a whole placeholder longer than the cached ones', () => {
    const name = `P${'x'.repeat(MAX_CACHED_PLACEHOLDER_LENGTH)}`;
    const s: InterpolationScope = { ...scope, parameters: { [name]: ['a', 'b'] } };
    const before = cachedPlaceholderCount();
    expect(interpolate(`{{ ${name} }}`, s)).toEqual(['a', 'b']);
    expect(interpolate([`{{${name}}}`, 'c'], s)).toEqual(['a', 'b', 'c']);
    expect(cachedPlaceholderCount()).toBe(before);
  });

  test('should bound the cached placeholders however many distinct ones pass by', () => {
    const parameters: Record<string, string> = {};
    for (let i = 0; i < MAX_CACHED_PLACEHOLDERS * 2; i++) parameters[`P${i}`] = `v${i}`;
    const s: InterpolationScope = { ...scope, parameters };
    for (let i = 0; i < MAX_CACHED_PLACEHOLDERS * 2; i++) expect(interpolate(`{{ P${i} }}`, s)).toBe(`v${i}`);
    expect(cachedPlaceholderCount()).toBeLessThanOrEqual(MAX_CACHED_PLACEHOLDERS);
    expect(interpolate('{{ P0 }}', s)).toBe('v0');
  });
});
