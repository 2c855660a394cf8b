/**
 * A virtual clock the reliability suites drive step by step. It wraps the engine's `VirtualClock` (manual mode)
 * and adds what a test needs to steer a scenario: how many holds (live processes, in-flight service calls) are
 * open, when the next timer falls due, and `drive(until)`, which behaves like the engine's `fast` clock (jump to the
 * next timer when idle, flow at real speed while real work is held) but stops as soon as a condition holds, so a
 * test can inject a fault at an exact point (a command InProgress, an automation started).
 */
import { performance } from 'node:perf_hooks';
import { VirtualClock, sleepOn, type Clock } from '../../src/engine/clock.js';

/** 2026-01-01T00:00:00Z: a fixed start, so virtual durations and timestamps are reproducible. */
export const VIRTUAL_START = Date.UTC(2026, 0, 1);

export type DriveOutcome = 'done' | 'virtual-limit' | 'real-limit' | 'idle';

export interface DriveOptions {
  /** Stop (outcome `virtual-limit`) rather than fire a timer due more than this many virtual ms after the start. */
  readonly maxVirtualMs: number;
  /** Stop (outcome `real-limit`) after this many real ms. Default 15 s. */
  readonly maxRealMs?: number;
  /**
   * Jump to the next timer even while real work is held. Only for phases where the only live work is a process
   * that a timer must interrupt (`sleep 30` under a 10 s execution timeout), so no real seconds are spent.
   */
  readonly jumpHeld?: boolean;
}

/** How long held work must stay unchanged before `jumpHeld` jumps over it. */
const HELD_QUIET_MS = 150;

interface Entry {
  readonly due: number;
}

export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class DriverClock implements Clock {
  readonly inner: VirtualClock;
  #holds = 0;
  readonly #timers = new Set<Entry>();
  /** Timers asked for with a delay that is not a number (NaN): an engine bug the suites check for. */
  invalidTimers = 0;

  constructor(start = VIRTUAL_START) {
    this.inner = new VirtualClock({ start, autoAdvance: false });
  }

  now(): number {
    return this.inner.now();
  }

  setTimer(ms: number, fn: () => void): () => void {
    if (typeof ms !== 'number' || Number.isNaN(ms)) {
      // A NaN delay would make the virtual time NaN (every later Date invalid). Count it for the suites to report,
      // and never fire it.
      this.invalidTimers++;
      return () => undefined;
    }
    const entry: Entry = { due: this.now() + Math.max(0, ms) };
    this.#timers.add(entry);
    const cancel = this.inner.setTimer(ms, () => {
      this.#timers.delete(entry);
      fn();
    });
    return () => {
      this.#timers.delete(entry);
      cancel();
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
    };
  }

  /** Open holds: live instance processes and service calls in flight. */
  get holds(): number {
    return this.#holds;
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  nextDue(): number | undefined {
    let min: number | undefined;
    for (const t of this.#timers) if (min === undefined || t.due < min) min = t.due;
    return min;
  }

  /** Runs the engine until `until()` is true or a limit is hit. */
  async drive(until: () => boolean | Promise<boolean>, options: DriveOptions): Promise<DriveOutcome> {
    const virtualStart = this.now();
    const realStart = performance.now();
    const maxReal = options.maxRealMs ?? 15_000;
    let lastReal = performance.now();
    let lastHolds = this.#holds;
    let stableSince = performance.now();
    for (;;) {
      await settle();
      if (await until()) return 'done';
      if (performance.now() - realStart > maxReal) return 'real-limit';
      if (this.#holds !== lastHolds) {
        lastHolds = this.#holds;
        stableSince = performance.now();
      }
      // With jumpHeld, held work is jumped over only once it has been quiet for a while, so that what a fired timer
      // set off (a killed process closing its pipes) lands before the next jump.
      const jump = options.jumpHeld === true && performance.now() - stableSince >= HELD_QUIET_MS;
      if (this.#holds > 0 && !jump) {
        // Real work in flight: let virtual time flow at real speed, as the engine's `fast` clock does.
        await realDelay(1);
        const now = performance.now();
        await this.inner.advance(Math.max(0, now - lastReal));
        lastReal = now;
        continue;
      }
      lastReal = performance.now();
      stableSince = performance.now();
      const next = this.nextDue();
      if (next === undefined) {
        if (this.#holds > 0) {
          await realDelay(1);
          continue;
        }
        // Nothing held, nothing scheduled: nothing will ever happen again.
        return 'idle';
      }
      if (next - virtualStart > options.maxVirtualMs) return 'virtual-limit';
      await this.inner.advance(Math.max(0, next - this.now()));
    }
  }
}
