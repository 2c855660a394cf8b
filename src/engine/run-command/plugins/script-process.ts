/**
 * Runs one script file as the agent does (`agent/executers/executers.go`): a detached process group so that a
 * timeout or cancel kills the whole tree, stdout/stderr captured as bytes and decoded leniently (NUL bytes kept,
 * invalid UTF-8 replaced), `executionTimeout` measured on the injected clock, which is held while the process lives.
 */
import { spawn } from 'node:child_process';
import type { Clock } from '../../clock.js';
import { STOPPED_PREEMPTIVELY_EXIT_CODE } from '../exit-status.js';

/** Bytes kept per stream; far above what the API ever returns (24,000 characters ≤ 96,000 bytes). */
const CAPTURE_LIMIT_BYTES = 1024 * 1024;

export interface ScriptProcessInput {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutSeconds: number;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Registers the kill function with the node (agent killed → process tree killed). */
  readonly track: (kill: () => void) => () => void;
}

export interface ScriptProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the process could not start (e.g. the shell is missing). */
  readonly startError?: Error;
}

class Capture {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  add(chunk: Buffer): void {
    if (this.#size >= CAPTURE_LIMIT_BYTES) return;
    const part = chunk.subarray(0, CAPTURE_LIMIT_BYTES - this.#size);
    this.#chunks.push(part);
    this.#size += part.length;
  }
  text(): string {
    // 'utf8' decoding replaces invalid sequences with U+FFFD and never throws.
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

export function runScriptProcess(input: ScriptProcessInput): Promise<ScriptProcessResult> {
  return new Promise((resolve) => {
    const release = input.clock.hold();
    const out = new Capture();
    const err = new Capture();
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    const child = spawn(input.command, [...input.args], {
      cwd: input.cwd,
      env: input.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killTree = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const untrack = input.track(killTree);
    const cancelTimer = input.clock.setTimer(input.timeoutSeconds * 1000, () => {
      timedOut = true;
      killTree();
    });
    const onAbort = (): void => {
      cancelled = true;
      killTree();
    };
    if (input.signal.aborted) onAbort();
    else input.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => out.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.add(chunk));
    const finish = (exitCode: number, startError?: Error): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      untrack();
      input.signal.removeEventListener('abort', onAbort);
      release();
      const stopped = timedOut || cancelled;
      resolve({
        exitCode: stopped ? STOPPED_PREEMPTIVELY_EXIT_CODE : exitCode,
        stdout: out.text(),
        stderr: err.text(),
        timedOut: timedOut && !cancelled,
        cancelled,
        ...(startError === undefined ? {} : { startError }),
      });
    };
    child.on('error', (error) => finish(1, error));
    child.on('close', (code, signal) => {
      finish(code ?? (signal === null ? 1 : 128 + signalNumber(signal)));
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}
