import { describe, expect, test } from 'vitest';
import { randomIds, sequentialIds } from '../../src/engine/ids.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ids', () => {
  test('should mint distinct lower-case UUID v4s, across many random-byte refills', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = randomIds.uuid();
      expect(id).toMatch(UUID_V4);
      ids.add(id);
    }
    expect(ids.size).toBe(1000);
  });

  test('should vary every random hex digit of the UUIDs it mints', () => {
    // 122 random bits: over 1000 ids, each random position takes many values; fixed ones (version, variant) do not.
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 1000; i++) [...randomIds.uuid()].forEach((c, at) => seen[at]!.add(c));
    const counts = seen.map((s) => s.size);
    for (const at of [8, 13, 18, 23]) expect(counts[at]).toBe(1);
    expect(counts[14]).toBe(1);
    expect(counts[19]).toBe(4);
    for (const [at, count] of counts.entries()) if (![8, 13, 14, 18, 19, 23].includes(at)) expect(count).toBe(16);
  });

  test('should mint n random hex characters and predictable test ids', () => {
    expect(randomIds.hex(17)).toMatch(/^[0-9a-f]{17}$/);
    const ids = sequentialIds();
    expect(ids.uuid()).toBe('00000000-0000-4000-8000-000000000001');
    expect(ids.hex(4)).toBe('0002');
  });
});
