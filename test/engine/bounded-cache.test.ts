import { describe, expect, test } from 'vitest';
import { BoundedCache } from '../../src/engine/bounded-cache.js';

describe('BoundedCache', () => {
  test('should derive a value once and then return the cached one', () => {
    let calls = 0;
    const cache = new BoundedCache(10, (key: string) => {
      calls++;
      return { key };
    });
    const first = cache.get('a');
    expect(cache.get('a')).toBe(first);
    expect(calls).toBe(1);
  });

  test('should cache undefined values too', () => {
    let calls = 0;
    const cache = new BoundedCache(10, () => {
      calls++;
      return undefined;
    });
    cache.get('a');
    cache.get('a');
    expect(calls).toBe(1);
  });

  test('should hold at most max entries, forgetting the oldest', () => {
    const derived: string[] = [];
    const cache = new BoundedCache(3, (key: string) => {
      derived.push(key);
      return key.toUpperCase();
    });
    for (const key of ['a', 'b', 'c', 'd']) cache.get(key);
    expect(cache.size).toBe(3);
    expect(cache.get('d')).toBe('D');
    expect(cache.get('b')).toBe('B');
    expect(derived).toEqual(['a', 'b', 'c', 'd']);
    expect(cache.get('a')).toBe('A');
    expect(derived).toEqual(['a', 'b', 'c', 'd', 'a']);
    expect(cache.size).toBe(3);
  });

  test('should cache nothing when the derivation throws', () => {
    let fail = true;
    const cache = new BoundedCache(3, (key: string) => {
      if (fail) throw new Error(`bad ${key}`);
      return key;
    });
    expect(() => cache.get('a')).toThrow('bad a');
    expect(cache.size).toBe(0);
    fail = false;
    expect(cache.get('a')).toBe('a');
  });
});
