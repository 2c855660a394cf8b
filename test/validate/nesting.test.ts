import { describe, expect, test } from 'vitest';
import { parseJsonOrYaml, yamlNestingExceeds } from '../../src/validate/cfn-yaml.js';
import { MAX_DOCUMENT_NESTING, MAX_JSON_NESTING, NestingTooDeepError, nestingExceeds, parseJson } from '../../src/validate/nesting.js';

const arrays = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('nesting limits', () => {
  test('should count containers, not scalars, and stop past the limit', () => {
    expect(nestingExceeds(1, 0)).toBe(false);
    expect(nestingExceeds({ a: [1] }, 2)).toBe(false);
    expect(nestingExceeds({ a: [1] }, 1)).toBe(true);
    expect(nestingExceeds(JSON.parse(arrays(100_000)), MAX_JSON_NESTING)).toBe(true);
  });

  test("should refuse JSON past Jackson's 1,000 levels with Jackson's message", () => {
    expect(() => parseJson(arrays(1000))).not.toThrow();
    expect(() => parseJson(arrays(1001))).toThrow(
      new NestingTooDeepError(1000),
    );
    expect(() => parseJson(arrays(1001))).toThrow('Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)');
  });

  test('should measure YAML nesting on the syntax tree, block and flow alike, without recursion', () => {
    const yaml = 'a:\n  - [1, {b: [2]}]\n  - c: d\n';
    expect(yamlNestingExceeds(yaml, 5)).toBe(false);
    expect(yamlNestingExceeds(yaml, 4)).toBe(true);
    expect(yamlNestingExceeds(`a: ${arrays(200_000)}`, MAX_DOCUMENT_NESTING)).toBe(true);
    const block = Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    expect(yamlNestingExceeds(`${block}\n${' '.repeat(400)}b: 1\n`, MAX_DOCUMENT_NESTING)).toBe(true);
  });

  test('should refuse deep templates and runbooks before the YAML composer, which overflows and then aborted the process', () => {
    // Twice: after one overflow inside `yaml`, the next deep parse crashed Node (V8 out of memory compiling a RegExp).
    for (let i = 0; i < 2; i++) {
      expect(() => parseJsonOrYaml(`Resources: ${arrays(3000)}`)).toThrow(NestingTooDeepError);
      expect(() => parseJsonOrYaml(arrays(3000))).toThrow(NestingTooDeepError);
    }
    expect(parseJsonOrYaml('Resources:\n  A: !Sub "${B}"\n')).toEqual({ Resources: { A: { 'Fn::Sub': '${B}' } } });
  });
});
