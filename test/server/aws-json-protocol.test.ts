import { describe, expect, test } from 'vitest';
import { serializeResult } from '../../src/server/aws-json-protocol.js';

describe('serializeResult', () => {
  test('should write every Date as epoch seconds, at any depth, and leave strings that read like dates as strings', () => {
    const date = new Date('2026-01-02T03:04:05.678Z');
    const text = serializeResult({
      creationDate: date,
      nested: { list: [date, { stopDate: date }], iso: '2026-01-02T03:04:05.678Z' },
      name: 'x',
      count: 3,
      flag: false,
      nothing: null,
    });
    expect(JSON.parse(text)).toEqual({
      creationDate: 1767323045.678,
      nested: { list: [1767323045.678, { stopDate: 1767323045.678 }], iso: '2026-01-02T03:04:05.678Z' },
      name: 'x',
      count: 3,
      flag: false,
      nothing: null,
    });
  });

  test('should answer an empty object for no result', () => {
    expect(serializeResult(undefined)).toBe('{}');
  });
});
