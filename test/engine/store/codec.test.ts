import { describe, expect, test } from 'vitest';
import { decodeRecord, encodeRecord } from '../../../src/engine/store/index.js';

describe('encodeRecord / decodeRecord', () => {
  test('keep Maps, Sets and Dates, drop promises and functions', () => {
    const record = {
      when: new Date(1_700_000_000_123),
      resources: new Map([['A', { created: new Date(5), tags: new Set(['x']) }]]),
      imports: new Set(['e1', 'e2']),
      operation: Promise.resolve(),
      stop: () => undefined,
      plain: { nested: [1, 'two', null] },
    };
    const back = decodeRecord<typeof record>(JSON.parse(JSON.stringify(encodeRecord(record))));
    expect(back.when).toEqual(record.when);
    expect(back.resources.get('A')?.created).toEqual(new Date(5));
    expect(back.resources.get('A')?.tags).toEqual(new Set(['x']));
    expect(back.imports).toEqual(new Set(['e1', 'e2']));
    expect('operation' in back).toBe(false);
    expect('stop' in back).toBe(false);
    expect(back.plain).toEqual(record.plain);
  });

  test('keep user values that look like its tags as they were', () => {
    const hostile = { a: { $date: 1 }, b: { $map: [['k', 'v']] }, c: { $obj: [] }, d: { $set: 'x' }, e: { __proto__: null, $date: 'x' } };
    const template = JSON.parse(JSON.stringify(hostile)) as object;
    expect(decodeRecord(encodeRecord({ template }))).toEqual({ template });
  });
});
