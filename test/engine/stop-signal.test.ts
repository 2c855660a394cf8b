import { describe, expect, it } from 'vitest';
import { Stopper } from '../../src/engine/stop-signal.js';

describe('Stopper', () => {
  it('calls its listeners once, in order, with the first reason kept', () => {
    const stopper = new Stopper();
    const calls: string[] = [];
    stopper.addEventListener('abort', () => calls.push(`fn:${String(stopper.reason)}`));
    stopper.addEventListener('abort', { handleEvent: () => calls.push('object') });
    expect(stopper.aborted).toBe(false);
    stopper.stop('first');
    stopper.stop('second');
    expect(stopper.aborted).toBe(true);
    expect(stopper.reason).toBe('first');
    expect(calls).toEqual(['fn:first', 'object']);
  });

  it('never calls a removed listener, nor one added after the stop (as AbortSignal)', () => {
    const stopper = new Stopper();
    let removed = 0;
    let late = 0;
    const listener = (): void => void removed++;
    stopper.addEventListener('abort', listener);
    stopper.removeEventListener('abort', listener);
    stopper.stop(new Error('x'));
    stopper.addEventListener('abort', () => late++);
    expect([removed, late]).toEqual([0, 0]);
  });

  it('keeps one registration of a listener added twice (as AbortSignal)', () => {
    const stopper = new Stopper();
    let called = 0;
    const listener = (): void => void called++;
    stopper.addEventListener('abort', listener);
    stopper.addEventListener('abort', listener);
    stopper.stop('r');
    expect(called).toBe(1);
  });

  it('behaves as an AbortSignal does for the same calls', () => {
    const controller = new AbortController();
    const stopper = new Stopper();
    const seen: string[][] = [[], []];
    const listeners = [0, 1].map((i) => () => seen[i]!.push('called'));
    controller.signal.addEventListener('abort', listeners[0]!, { once: true });
    stopper.addEventListener('abort', listeners[1]!);
    controller.abort('why');
    stopper.stop('why');
    controller.abort('again');
    stopper.stop('again');
    expect(seen[1]).toEqual(seen[0]);
    expect([stopper.aborted, stopper.reason]).toEqual([controller.signal.aborted, controller.signal.reason]);
  });

  it('skips a listener that an earlier one removed, and runs the others when one throws (as AbortSignal)', async () => {
    const stopper = new Stopper();
    const calls: string[] = [];
    const third = (): void => void calls.push('third');
    stopper.addEventListener('abort', () => {
      calls.push('first');
      stopper.removeEventListener('abort', third);
    });
    stopper.addEventListener('abort', () => {
      calls.push('second');
      throw new Error('listener failed');
    });
    stopper.addEventListener('abort', third);
    stopper.addEventListener('abort', () => void calls.push('fourth'));
    const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    stopper.stop('r');
    expect(calls).toEqual(['first', 'second', 'fourth']);
    expect(await uncaught).toMatchObject({ message: 'listener failed' });
  });

  it('skips the last other listener when an earlier one removes it', () => {
    const stopper = new Stopper();
    const calls: string[] = [];
    const second = (): void => void calls.push('second');
    stopper.addEventListener('abort', () => {
      calls.push('first');
      stopper.removeEventListener('abort', second);
    });
    stopper.addEventListener('abort', second);
    stopper.stop('r');
    expect(calls).toEqual(['first']);
  });

  it('calls a listener added again after its list emptied', () => {
    const stopper = new Stopper();
    let called = 0;
    const listener = (): void => void called++;
    stopper.addEventListener('abort', listener);
    stopper.removeEventListener('abort', listener);
    stopper.removeEventListener('abort', listener);
    stopper.addEventListener('abort', listener);
    stopper.stop('r');
    expect(called).toBe(1);
  });
});
