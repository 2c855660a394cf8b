import { describe, expect, test } from 'vitest';
import { durationMs } from '../../../../src/engine/automation/actions/sleep.js';

describe('aws:sleep', () => {
  test('should parse ISO 8601 durations when given days, hours, minutes and seconds', () => {
    expect(durationMs('PT10M')).toBe(600_000);
    expect(durationMs('PT1H30M5S')).toBe(5_405_000);
    expect(durationMs('P1D')).toBe(86_400_000);
    expect(durationMs('PT0.5S')).toBe(500);
  });

  test('should reject a malformed duration', () => {
    for (const bad of ['10M', 'PT', 'P', 'PT5X']) expect(() => durationMs(bad)).toThrow(/ISO 8601/);
  });
});
