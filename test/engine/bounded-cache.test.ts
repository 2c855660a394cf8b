import { describe, expect, test } from 'vitest';
import { BoundedCache, MAX_CACHED_KEY_LENGTH } from '../../src/engine/bounded-cache.js';

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

  test('should derive long string keys every time without keeping them', () => {
    let derivations = 0;
    const cache = new BoundedCache(3, (key: string) => {
      derivations++;
      return key.length;
    });
    const long = 'x'.repeat(MAX_CACHED_KEY_LENGTH + 1);
    expect([cache.get(long), cache.get(long)]).toEqual([long.length, long.length]);
    expect([derivations, cache.size]).toEqual([2, 0]);
    cache.get('x'.repeat(MAX_CACHED_KEY_LENGTH));
    expect(cache.size).toBe(1);
  });
});
