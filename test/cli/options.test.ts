import { InvalidArgumentError } from 'commander';
import { describe, expect, test } from 'vitest';
import { jsonText, oneOf, port, wholeSeconds } from '../../src/cli/options.js';

describe('option parsers', () => {
  test.each(['5', '3600', '172800'])('should take %s as an execution timeout', (value) => {
    expect(wholeSeconds(5, 172800)(value)).toBe(value);
  });

  // The agent runs 1..4 for 3600 s (amazon-ssm-agent minExecutionTimeoutInSeconds = 5): refused, not lengthened.
  test.each(['0', '2', '4', '172801', 'abc', '', '3.5', '-5', '1e3', ' 60'])('should refuse %j as an execution timeout, in one line', (value) => {
    const parse = wholeSeconds(5, 172800, 'the SSM agent runs values under 5 for 3600 s');
    expect(() => parse(value)).toThrow(InvalidArgumentError);
    expect(() => parse(value)).toThrow(/^Expected a whole number of seconds from 5 to 172800 \(the SSM agent runs values under 5 for 3600 s\)\.$/);
  });

  test('should take ports 0..65535 and refuse the rest', () => {
    expect(port('0')).toBe(0);
    expect(port('65535')).toBe(65535);
    for (const bad of ['65536', '-1', 'http', '80x']) expect(() => port(bad)).toThrow(/from 0 to 65535/);
  });

  test('should take only the listed spellings', () => {
    const shell = oneOf(['Shell', 'PowerShell'] as const);
    expect(shell('PowerShell')).toBe('PowerShell');
    expect(() => shell('shell')).toThrow("Expected 'Shell' or 'PowerShell'.");
  });

  test('should refuse text that is not JSON', () => {
    expect(jsonText('{"a":1}')).toBe('{"a":1}');
    expect(() => jsonText('{nope')).toThrow(/^Expected JSON: /);
  });
});
