import { describe, expect, test, vi } from 'vitest';
import { RealClock, VirtualClock } from '../../src/engine/clock.js';

describe('VirtualClock', () => {
  test('should fire timers in due order when advanced', async () => {
    const clock = new VirtualClock({ start: 0 });
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push('c'));
    clock.setTimer(100, () => fired.push('a'));
    clock.setTimer(200, () => fired.push('b'));
    await clock.advance(250);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(250);
    await clock.advance(50);
    expect(fired).toEqual(['a', 'b', 'c']);
  });

  test('should not fire a cancelled timer', async () => {
    const clock = new VirtualClock({ start: 0 });
    let fired = false;
    const cancel = clock.setTimer(10, () => (fired = true));
    cancel();
    await clock.advance(100);
    expect(fired).toBe(false);
  });

  test('should let code awaiting one sleep schedule the next before time moves on', async () => {
    const clock = new VirtualClock({ start: 0 });
    const seen: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(1000);
        seen.push(clock.now());
      }
    })();
    await clock.advance(3000);
    await loop;
    expect(seen).toEqual([1000, 2000, 3000]);
  });

  test('should reject a sleep when its signal aborts', async () => {
    const clock = new VirtualClock({ start: 0 });
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });

  test('should jump to the next timer when idle in auto-advance mode', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const started = Date.now();
    await clock.sleep(3_600_000);
    expect(clock.now()).toBe(3_600_000);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('should not jump while real work is held', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const release = clock.hold();
    let fired = false;
    clock.setTimer(1000, () => (fired = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(true);
  });
});

describe('RealClock', () => {
  test('should fire a short timer in real time', async () => {
    const clock = new RealClock();
    const start = Date.now();
    await clock.sleep(15);
    expect(Date.now() - start).toBeGreaterThanOrEqual(10);
  });

  test('should fire a timer longer than Node allows (24.8 days) on time, and cancel it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance', 'Date'] });
    try {
      const clock = new RealClock();
      const long = 2_147_483_647 + 60_000;
      let fired = 0;
      clock.setTimer(long, () => fired++);
      const cancel = clock.setTimer(long, () => fired++);
      vi.advanceTimersByTime(2_147_483_647);
      expect(fired).toBe(0);
      cancel();
      vi.advanceTimersByTime(60_000);
      expect(fired).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  test('should fire timers in due order, first set first among equals, never early, and skip cancelled ones', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance', 'Date'] });
    try {
      const clock = new RealClock();
      const fired: string[] = [];
      // A random mix of delays exercises the heap; the expected order is a stable sort by delay.
      const delays = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 97) * 10);
      const cancels = delays.map((ms, i) => clock.setTimer(ms, () => fired.push(`${ms}:${i}`)));
      for (let i = 0; i < delays.length; i += 3) cancels[i]!();
      vi.advanceTimersByTime(5);
      expect(fired).toEqual(delays.flatMap((ms, i) => (ms === 0 && i % 3 !== 0 ? [`${ms}:${i}`] : [])));
      vi.advanceTimersByTime(2000);
      const expected = delays
        .map((ms, i) => ({ ms, i }))
        .filter(({ i }) => i % 3 !== 0)
        .sort((a, b) => a.ms - b.ms || a.i - b.i)
        .map(({ ms, i }) => `${ms}:${i}`);
      expect(fired).toEqual(expected);
    } finally {
      vi.useRealTimers();
    }
  });

  test('should let promise callbacks of one due timer run before the next due timer fires, like Node timers', async () => {
    const clock = new RealClock();
    const fired: string[] = [];
    let cancelSecond = (): void => undefined;
    clock.setTimer(5, () => {
      fired.push('first');
      void Promise.resolve().then(() => cancelSecond());
    });
    cancelSecond = clock.setTimer(5, () => fired.push('second'));
    clock.setTimer(6, () => fired.push('third'));
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual(['first', 'third']);
  });

  test('should keep going after a timer throws', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance', 'Date'] });
    try {
      const clock = new RealClock();
      const fired: number[] = [];
      clock.setTimer(10, () => {
        throw new Error('boom');
      });
      clock.setTimer(20, () => fired.push(20));
      expect(() => vi.advanceTimersByTime(10)).toThrow('boom');
      vi.advanceTimersByTime(10);
      expect(fired).toEqual([20]);
    } finally {
      vi.useRealTimers();
    }
  });

  test('should hold the process open only while a live timer is pending', () => {
    const clock = new RealClock();
    const nodeTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = nodeTimeouts();
    const cancels = Array.from({ length: 200 }, (_, i) => clock.setTimer(60_000 + i, () => undefined));
    // One Node timeout for all of them.
    expect(nodeTimeouts()).toBe(before + 1);
    const last = clock.setTimer(3_600_000, () => undefined);
    for (const cancel of cancels) cancel();
    expect(nodeTimeouts()).toBe(before + 1);
    last();
    expect(nodeTimeouts()).toBe(before);
  });
});

describe('VirtualClock while held', () => {
  test('should flow at real speed and fire a due timer while real work is held', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: true });
    const release = clock.hold();
    const fired = new Promise<number>((resolve) => clock.setTimer(30, () => resolve(clock.now())));
    const at = await fired;
    release();
    expect(at).toBeGreaterThanOrEqual(30);
    expect(at).toBeLessThan(1000);
  });
});

describe('timer delays', () => {
  test('should refuse a non-finite delay instead of corrupting the clock', async () => {
    const clock = new VirtualClock({ start: 0 });
    expect(() => clock.setTimer(Number.NaN, () => undefined)).toThrow(RangeError);
    expect(() => new RealClock().setTimer(Number.POSITIVE_INFINITY, () => undefined)).toThrow(RangeError);
    await clock.advance(10);
    expect(clock.now()).toBe(10);
  });
});
