/**
 * One shared live connection to the endpoint's change notices (`api/changes`), opened while some view listens and
 * reconnected with a growing delay when it breaks. Views refresh what they show, through the public APIs, when a
 * notice names something of theirs.
 */
import { readStream } from './client.js';

export interface Change {
  readonly kind: 'execution' | 'automation' | 'command' | 'instance';
  readonly id: string;
  readonly parent?: string;
}

type Listener = (changes: readonly Change[]) => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<(connected: boolean) => void>();
let controller: AbortController | undefined;
let connected = false;

function setConnected(value: boolean): void {
  if (connected === value) return;
  connected = value;
  for (const listener of [...statusListeners]) listener(value);
}

async function run(signal: AbortSignal): Promise<void> {
  let delay = 500;
  while (!signal.aborted) {
    try {
      await readStream(
        'api/changes',
        {},
        (event, data) => {
          if (event === 'ready') {
            setConnected(true);
            delay = 500;
          }
          if (event === 'changes') for (const listener of [...listeners]) listener(data as Change[]);
        },
        signal,
      );
    } catch {
      // Broken or refused: try again below.
    }
    setConnected(false);
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}

/** Listens to change notices; returns the unsubscribe. */
export function onChanges(listener: Listener): () => void {
  listeners.add(listener);
  if (controller === undefined) {
    controller = new AbortController();
    void run(controller.signal);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && controller !== undefined) {
      controller.abort();
      controller = undefined;
    }
  };
}

/** Whether the live connection is up (the header shows it). */
export function onLiveStatus(listener: (connected: boolean) => void): () => void {
  statusListeners.add(listener);
  listener(connected);
  return () => statusListeners.delete(listener);
}
