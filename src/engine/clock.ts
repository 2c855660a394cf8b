/**
 * Injected time. Every engine component takes a `Clock` so that tests and `--clock fast` can run
 * hour-long timeouts instantly, while `RealClock` is the default (ARCHITECTURE.md, principle 4).
 */

export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Runs `fn` after `ms` of this clock's time. Returns a function that cancels the timer. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Resolves after `ms`; rejects with the signal's reason if the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Declares real-world work in flight (a live process, a network call) so that a virtual clock does not
   * jump past it. Returns the release function; releasing twice is harmless.
   */
  hold(): () => void;
}

// Node clamps longer delays to 1 ms, so long timers are chained (Task timeouts default to 99999999 s).
const MAX_NODE_DELAY = 2_147_483_647;

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): () => void {
    assertDelay(ms);
    // The common case is one setTimeout, with no closure context beyond it: a waiting execution holds several timers.
    if (ms > MAX_NODE_DELAY) return chainedTimer(Date.now() + ms, fn);
    const timeout = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timeout);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): () => void {
    return () => undefined;
  }
}

interface PendingTimer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export interface VirtualClockOptions {
  /** Start time in epoch ms. Default: the real time at construction. */
  readonly start?: number;
  /**
   * When true, the clock jumps to the next timer whenever nothing is held and the event loop has gone
   * idle (the `--clock fast` mode). When false, time moves only through `advance()` (tests).
   */
  readonly autoAdvance?: boolean;
}

/**
 * A clock whose time moves only when told to (`advance`, for tests) or, with `autoAdvance`, by itself:
 * it jumps to the next timer whenever the engine is idle, and flows at real speed while real work is
 * held (a live process), so a command's execution timeout still fires in the middle of that command.
 */
export class VirtualClock implements Clock {
  #time: number;
  #seq = 0;
  #timers: PendingTimer[] = [];
  #holds = 0;
  #autoAdvance: boolean;
  #checkScheduled = false;
  /** Wall-clock ms at which the current hold period began (auto-advance mode only). */
  #heldSince: number | undefined;
  #realTimer: NodeJS.Timeout | undefined;

  constructor(options: VirtualClockOptions = {}) {
    this.#time = options.start ?? Date.now();
    this.#autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    if (this.#heldSince !== undefined) {
      const wall = Date.now();
      this.#time += wall - this.#heldSince;
      this.#heldSince = wall;
    }
    return this.#time;
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  setTimer(ms: number, fn: () => void): () => void {
    // A NaN due time would make this clock's time NaN for everyone after it.
    assertDelay(ms);
    const timer: PendingTimer = { due: this.now() + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    const at = this.#timers.findIndex((t) => t.due > timer.due);
    this.#timers.splice(at === -1 ? this.#timers.length : at, 0, timer);
    this.#scheduleIdleCheck();
    this.#armRealTimer();
    return () => {
      timer.cancelled = true;
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): () => void {
    this.#holds++;
    if (this.#autoAdvance && this.#holds === 1) {
      this.#heldSince = Date.now();
      this.#armRealTimer();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#holds === 0 && this.#heldSince !== undefined) {
        this.now();
        this.#heldSince = undefined;
        clearTimeout(this.#realTimer);
        this.#realTimer = undefined;
      }
      this.#scheduleIdleCheck();
    };
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting promise chains settle between them,
   * so that code awaiting a timer has run before the next one fires. Holds do not stop `advance`.
   */
  async advance(ms: number): Promise<void> {
    const target = this.now() + ms;
    for (;;) {
      await settle();
      const next = this.#nextTimer();
      if (next === undefined || next.due > target) break;
      this.#fire(next);
    }
    this.#time = Math.max(this.#time, target);
    await settle();
  }

  /** Fires every pending timer, however far ahead, until none is left (bounded by `maxTimers`). */
  async runAll(maxTimers = 100_000): Promise<void> {
    for (let i = 0; i < maxTimers; i++) {
      await settle();
      const next = this.#nextTimer();
      if (next === undefined) return;
      this.#fire(next);
    }
    throw new Error(`VirtualClock.runAll: more than ${maxTimers} timers fired; is something rescheduling forever?`);
  }

  #nextTimer(): PendingTimer | undefined {
    while (this.#timers.length > 0 && this.#timers[0]!.cancelled) this.#timers.shift();
    return this.#timers[0];
  }

  #fire(timer: PendingTimer): void {
    this.#timers.shift();
    this.#time = Math.max(this.#time, timer.due);
    timer.fn();
  }

  /** While held in auto-advance mode, wake up in real time when the earliest timer falls due. */
  #armRealTimer(): void {
    if (this.#heldSince === undefined) return;
    clearTimeout(this.#realTimer);
    const next = this.#nextTimer();
    if (next === undefined) return;
    this.#realTimer = setTimeout(
      () => {
        this.#realTimer = undefined;
        const now = this.now();
        for (let t = this.#nextTimer(); t !== undefined && t.due <= now; t = this.#nextTimer()) this.#fire(t);
        this.#armRealTimer();
      },
      Math.min(Math.max(0, next.due - this.now()), MAX_NODE_DELAY),
    );
  }

  #scheduleIdleCheck(): void {
    if (!this.#autoAdvance || this.#checkScheduled) return;
    this.#checkScheduled = true;
    // Two macrotask turns let promise chains and already-queued I/O callbacks run before we call it idle.
    setImmediate(() =>
      setImmediate(() => {
        this.#checkScheduled = false;
        if (this.#holds > 0) return;
        const next = this.#nextTimer();
        if (next === undefined) return;
        this.#fire(next);
        this.#scheduleIdleCheck();
      }),
    );
  }
}

/** A timer past Node's longest delay, re-armed until `due`. */
function chainedTimer(due: number, fn: () => void): () => void {
  let handle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = due - Date.now();
    handle = setTimeout(left > MAX_NODE_DELAY ? arm : fn, Math.min(Math.max(0, left), MAX_NODE_DELAY));
  };
  arm();
  return () => clearTimeout(handle);
}

function assertDelay(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`Timer delay must be a finite number of milliseconds, got ${ms}.`);
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `Clock.sleep` for any clock, in terms of its `setTimer`. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
