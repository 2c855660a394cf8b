import { describe, expect, test } from 'vitest';
import { createRequire } from 'node:module';
import { lazyRequire } from '../../src/model/lazy-require.js';

describe('lazyRequire', () => {
  test('should load a package once, the same instance require gives', () => {
    const require = createRequire(import.meta.url);
    const ini = lazyRequire<typeof import('ini')>('ini');
    const first = ini();
    expect(ini()).toBe(first);
    expect(first).toBe(require('ini'));
    expect(first.parse('a = 1')).toEqual({ a: '1' });
  });

  test('should throw the loader error, naming the package, when it is not installed', () => {
    const missing = lazyRequire('shellstep-no-such-package');
    expect(() => missing()).toThrow(/shellstep-no-such-package/);
  });
});
