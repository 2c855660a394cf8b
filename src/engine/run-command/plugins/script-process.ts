/**
 * Runs one script file as the agent does (`agent/executers/executers.go`): a detached process group so that a
 * timeout or cancel kills the whole tree, stdout/stderr captured as bytes and decoded leniently (NUL bytes kept,
 * invalid UTF-8 replaced), `executionTimeout` measured on the injected clock, which is held while the process lives.
 * The process itself is started by the shared spawner helper (process-spawner.ts).
 */
import type { Clock } from '../../clock.js';
import { STOPPED_PREEMPTIVELY_EXIT_CODE } from '../exit-status.js';
import type { StopSignal } from '../../stop-signal.js';
import { spawnScript, type ScriptSpawnRequest, type WatchOutput } from './process-spawner.js';

export interface ScriptProcessInput extends ScriptSpawnRequest {
  readonly timeoutSeconds: number;
  readonly clock: Clock;
  readonly cancel: StopSignal;
  /** Registers the kill function with the node (agent killed → process tree killed). */
  readonly track: (kill: () => void) => () => void;
  /** Told the running process's output watch once it starts, and undefined once it ends. */
  readonly onProcess?: ((watch: WatchOutput | undefined) => void) | undefined;
}

export interface ScriptProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the process could not start (e.g. the shell is missing). */
  readonly startError?: Error;
  /** How long ago (ms) the process ended: the time its exit took to travel from the spawner helper. */
  readonly endedMsAgo: number;
}

export function runScriptProcess(input: ScriptProcessInput): Promise<ScriptProcessResult> {
  const release = input.clock.hold();
  const { clock, cancel, timeoutSeconds, track, onProcess, ...request } = input;
  const child = spawnScript(request);
  onProcess?.(child.watch);
  // Plain callbacks, not an async frame: while the script runs, only these few values stay alive (not the request).
  const stop = { timedOut: false, cancelled: false };
  const untrack = track(child.kill);
  const cancelTimer = clock.setTimer(timeoutSeconds * 1000, () => {
    stop.timedOut = true;
    child.kill();
  });
  const onCancel = (): void => {
    stop.cancelled = true;
    child.kill();
  };
  if (cancel.aborted) onCancel();
  else cancel.addEventListener('abort', onCancel);
  return child.exited.then((exit) => {
    cancelTimer();
    untrack();
    cancel.removeEventListener('abort', onCancel);
    onProcess?.(undefined);
    release();
    const stopped = stop.timedOut || stop.cancelled;
    const exitCode = exit.code ?? (exit.signal === null ? 1 : 128 + signalNumber(exit.signal));
    return {
      exitCode: exit.error !== undefined ? 1 : stopped ? STOPPED_PREEMPTIVELY_EXIT_CODE : exitCode,
      stdout: exit.stdout,
      stderr: exit.stderr,
      timedOut: stop.timedOut && !stop.cancelled,
      cancelled: stop.cancelled,
      endedMsAgo: exit.exitedAt === undefined ? 0 : Math.max(0, Date.now() - exit.exitedAt),
      ...(exit.error === undefined ? {} : { startError: new Error(exit.error) }),
    };
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}
