/**
 * What the engines need of an AbortSignal, and a lighter signal that provides it. An AbortController with its signal
 * costs ~0.8 KiB of heap (an EventTarget with listener maps), and every waiting execution held one; a `Stopper` is a
 * flag, a reason and the few listeners of the states that wait. An AbortSignal still fits wherever a StopSignal is
 * expected, so callers may pass their own.
 */

export type StopListener = (() => void) | { handleEvent(): void };

export interface StopSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: StopListener, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: StopListener): void;
}

/** A StopSignal and its trigger in one object. Listeners run once, in the order they were added, as with AbortSignal. */
export class Stopper implements StopSignal {
  #aborted = false;
  #reason: unknown;
  #listeners: StopListener[] | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Like AbortSignal, a listener added after the stop is never called, and adding one twice keeps one. */
  addEventListener(_type: 'abort', listener: StopListener): void {
    if (this.#aborted) return;
    const listeners = (this.#listeners ??= []);
    if (!listeners.includes(listener)) listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: StopListener): void {
    const listeners = this.#listeners;
    const i = listeners?.indexOf(listener) ?? -1;
    if (i < 0) return;
    // An emptied list goes: a signal that outlives its one waiter (a finished invocation's) keeps nothing.
    if (listeners!.length === 1) this.#listeners = undefined;
    else listeners!.splice(i, 1);
  }

  /**
   * The first reason wins, as with AbortController.abort. As with AbortSignal, a listener removed by an earlier one
   * is not called, and one that throws does not keep the others from running: its error surfaces on its own.
   */
  stop(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    for (const listener of [...listeners]) {
      // Removed by an earlier listener (the list may have gone entirely).
      if (this.#listeners?.includes(listener) !== true) continue;
      try {
        if (typeof listener === 'function') listener();
        else listener.handleEvent();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#listeners = undefined;
  }
}
