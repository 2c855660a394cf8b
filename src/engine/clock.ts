/**
 * Injected time. Every engine component takes a `Clock` so that tests and `--clock fast` can run
 * hour-long timeouts instantly, while `RealClock` is the default (ARCHITECTURE.md, principle 4).
 */
import type { StopSignal } from './stop-signal.js';

export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Runs `fn` after `ms` of this clock's time. Returns a function that cancels the timer. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Resolves after `ms`; rejects with the signal's reason if the signal aborts first. */
  sleep(ms: number, signal?: StopSignal): Promise<void>;
  /**
   * Declares real-world work in flight (a live process, a network call) so that a virtual clock does not
   * jump past it. Returns the release function; releasing twice is harmless.
   */
  hold(): () => void;
}

// Node clamps longer delays to 1 ms, so long timers wake up at this and re-arm (Task timeouts default to 99999999 s).
const MAX_NODE_DELAY = 2_147_483_647;

export class RealClock implements Clock {
  // One queue and one Node timeout for all of this clock's timers: a waiting execution holds about six (execution,
  // Task, step, delivery and command timeouts), and a queued timer costs a third of a Node Timeout and its closure.
  readonly #timers = new TimerQueue();

  now(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): () => void {
    assertDelay(ms);
    return this.#timers.add(ms, fn);
  }

  sleep(ms: number, signal?: StopSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): () => void {
    return () => undefined;
  }
}

/** A RealClock timer. `fn` is cleared once it fires or is cancelled, so the queue never keeps its closure alive. */
class QueuedTimer {
  constructor(
    readonly due: number,
    readonly seq: number,
    public fn: (() => void) | undefined,
    readonly queue: TimerQueue,
  ) {}

  cancel(): void {
    this.queue.cancel(this);
  }
}

/**
 * Timers in a binary heap ordered by (due, seq), on the monotonic clock like Node's own timers, with one Node timeout
 * armed for the earliest. Cancelling is lazy; the heap is rebuilt once cancelled entries outnumber live ones. Like
 * Node's timers it keeps the process alive exactly while a live timer is pending, and lets promise callbacks run
 * between two timers that fall due together.
 */
class TimerQueue {
  #heap: QueuedTimer[] = [];
  #live = 0;
  #seq = 0;
  #timeout: NodeJS.Timeout | undefined;
  #timeoutDue = Number.POSITIVE_INFINITY;
  #immediate: NodeJS.Immediate | undefined;
  readonly #onTimeout = (): void => {
    this.#timeout = undefined;
    this.#timeoutDue = Number.POSITIVE_INFINITY;
    this.#fireNext();
  };
  readonly #onImmediate = (): void => {
    this.#immediate = undefined;
    this.#fireNext();
  };

  add(ms: number, fn: () => void): () => void {
    // Whole milliseconds, rounded up: never early, and Node keeps one timer list per distinct delay.
    const timer = new QueuedTimer(Math.ceil(performance.now() + Math.max(0, ms)), this.#seq++, fn, this);
    this.#live++;
    this.#push(timer);
    if (this.#heap[0] === timer) this.#arm();
    // A bound method, not a closure: no context object per timer.
    return QueuedTimer.prototype.cancel.bind(timer);
  }

  cancel(timer: QueuedTimer): void {
    if (timer.fn === undefined) return;
    timer.fn = undefined;
    this.#live--;
    if (this.#live === 0) {
      this.#heap = [];
      this.#disarm();
    } else if (this.#heap.length > 64 && this.#live * 2 < this.#heap.length) {
      this.#heap = this.#heap.filter((t) => t.fn !== undefined);
      for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
    }
  }

  /** Fires the earliest timer if it is due, after scheduling the next wake-up, so that a throwing timer cannot stall the rest. */
  #fireNext(): void {
    const head = this.#liveHead();
    if (head === undefined) return;
    const now = performance.now();
    if (head.due > now) {
      this.#arm();
      return;
    }
    this.#pop();
    const fn = head.fn!;
    head.fn = undefined;
    this.#live--;
    const next = this.#liveHead();
    if (next !== undefined) {
      if (next.due <= now) this.#immediate ??= setImmediate(this.#onImmediate);
      else this.#arm();
    }
    fn();
  }

  #arm(): void {
    const head = this.#liveHead();
    if (head === undefined) return this.#disarm();
    if (this.#timeout !== undefined && this.#timeoutDue <= head.due) return;
    clearTimeout(this.#timeout);
    this.#timeoutDue = head.due;
    // A delay past Node's longest wakes up at the longest and re-arms.
    this.#timeout = setTimeout(this.#onTimeout, Math.min(Math.max(1, Math.ceil(head.due - performance.now())), MAX_NODE_DELAY));
  }

  #disarm(): void {
    clearTimeout(this.#timeout);
    this.#timeout = undefined;
    this.#timeoutDue = Number.POSITIVE_INFINITY;
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
  }

  #liveHead(): QueuedTimer | undefined {
    while (this.#heap.length > 0 && this.#heap[0]!.fn === undefined) this.#pop();
    return this.#heap[0];
  }

  #push(timer: QueuedTimer): void {
    const heap = this.#heap;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    this.#siftDown(0);
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const timer = heap[start]!;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && earlier(heap[child + 1]!, heap[child]!)) child++;
      if (!earlier(heap[child]!, timer)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = timer;
  }
}

function earlier(a: QueuedTimer, b: QueuedTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
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

  sleep(ms: number, signal?: StopSignal): Promise<void> {
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

function assertDelay(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`Timer delay must be a finite number of milliseconds, got ${ms}.`);
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `Clock.sleep` for any clock, in terms of its `setTimer`. */
export function sleepOn(clock: Clock, ms: number, signal?: StopSignal): Promise<void> {
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
