/**
 * A feed of "something changed" notices from the local services, for watchers such as the console's live updates: an
 * execution started or ended, an automation step began or ended, a command's invocations changed. A notice names the
 * resource only; a watcher reads its state through the API, as any client does. With no watcher, emitting costs one
 * size check, so the services call it on their hot paths.
 */

export type ChangeKind = 'execution' | 'automation' | 'command';

export interface Change {
  readonly kind: ChangeKind;
  /** The execution ARN, automation execution id or command id. */
  readonly id: string;
  /** The state machine ARN of an execution. */
  readonly parent?: string;
}

export type ChangeListener = (change: Change) => void;

export class ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();

  emit(kind: ChangeKind, id: string, parent?: string): void {
    if (this.#listeners.size === 0) return;
    const change: Change = parent === undefined ? { kind, id } : { kind, id, parent };
    for (const listener of [...this.#listeners]) {
      // A watcher that throws must not cost the service its update, nor the other watchers their notice.
      try {
        listener(change);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
