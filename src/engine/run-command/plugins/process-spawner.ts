/**
 * The local agent's process starter: one small helper Node process that writes each script file and forks its
 * shell, so the engine's own (much larger) process never forks. `fork()` costs grow with the parent's memory
 * mappings and block its event loop while they run: from the engine's process a spawn blocked the main thread for
 * ~2–5 ms, from this helper it costs what a bare Node process pays (bench/e2e.ts measures both).
 *
 * The helper speaks newline-delimited JSON on its stdin/stdout. It starts on first use, is shared by every engine
 * in the process, keeps the event loop alive only while a script runs, and kills every process group it started
 * when its stdin closes (the engine process exited), so no command outlives the engine.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface ScriptSpawnRequest {
  /** Folder to create (recursively) and script file to write there with mode 0755 before starting. */
  readonly scriptDir: string;
  readonly scriptPath: string;
  readonly script: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /**
   * Added to the environment the helper inherited from the engine process when it started, from which the helper
   * removes every AWS variable (credentials, profiles, config and endpoint; spawner-helper.cjs `isAwsVariable`)
   * unless `inheritAwsEnvironment` is set.
   */
  readonly env: Readonly<Record<string, string>>;
  readonly inheritAwsEnvironment?: boolean;
}

export interface ScriptExit {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Bytes captured per stream, decoded as UTF-8 (invalid sequences replaced, NUL kept), at most 1 MiB each. */
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the script could not be written or its process could not start. */
  readonly error?: string;
  /** Wall-clock ms (Date.now) at which the helper saw the script end; absent when the helper itself failed. */
  readonly exitedAt?: number;
}

/** Receives a running script's output as it is written: stream 1 is stdout, 2 stderr. */
export type OutputListener = (stream: 1 | 2, text: string) => void;

/** Subscribes to a running script's output, from its start; returns the unsubscribe. */
export type WatchOutput = (listener: OutputListener) => () => void;

export interface SpawnedScript {
  readonly exited: Promise<ScriptExit>;
  /** SIGKILLs the script's whole process group (its own session); harmless once it has exited. */
  kill(): void;
  /** Its output while it runs (the console's live view); nothing is forwarded while nobody watches. */
  readonly watch: WatchOutput;
}

/** The helper's answers: the process group id once started, output chunks while watched, then the exit. */
type HelperMessage =
  | { readonly id: number; readonly pid: number }
  | { readonly id: number; readonly fd: 1 | 2; readonly text: string }
  | ({ readonly id: number } & ScriptExit);

// A plain CommonJS file beside this module in src/ and dist/ alike, so Node runs it as is.
const HELPER_PATH = fileURLToPath(new URL('./spawner-helper.cjs', import.meta.url));

/**
 * The helper keeps little alive (a few objects per running script), but each spawn leaves garbage, and V8 grows the
 * young generation to 16 MB per semi-space while scripts start fast, memory that then stays resident. Capped at 1 MB,
 * it costs a few more scavenges of a small live set; starting 4,000 scripts at once grew the helper by 4–8 KiB per
 * script instead of 11–12.
 */
const HELPER_NODE_FLAGS = ['--max-semi-space-size=1'];

class ProcessSpawner {
  readonly #helper: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, (exit: ScriptExit) => void>();
  /** Process group ids of the started scripts that have not exited yet. */
  readonly #groups = new Map<number, number>();
  /** Listeners of watched scripts' output, by script id (none unless the console watches). */
  readonly #watchers = new Map<number, Set<OutputListener>>();
  #nextId = 1;
  #buffered = '';
  #stderr = '';
  #alive = true;

  constructor(onExit: () => void) {
    const helper = spawn(process.execPath, [...HELPER_NODE_FLAGS, HELPER_PATH], { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
    this.#helper = helper;
    helper.stdout.setEncoding('utf8');
    helper.stdout.on('data', (text: string) => this.#receive(text));
    helper.stderr.setEncoding('utf8');
    helper.stderr.on('data', (text: string) => (this.#stderr = (this.#stderr + text).slice(-2000)));
    // EPIPE after the helper died is reported through 'exit'.
    helper.stdin.on('error', () => undefined);
    helper.on('error', (error) => this.#fail(`could not start the local process spawner: ${error.message}`, onExit));
    helper.on('exit', (code, signal) => this.#fail(`the local process spawner exited (${signal ?? `code ${code}`})${this.#stderr === '' ? '' : `: ${this.#stderr.trim()}`}`, onExit));
    this.#idle();
  }

  get pid(): number | undefined {
    return this.#helper.pid;
  }

  /** Scripts asked for whose process the helper has not reported started (nor failed to start) yet. */
  get unstarted(): number {
    return this.#pending.size - this.#groups.size;
  }

  start(request: ScriptSpawnRequest): SpawnedScript {
    const id = this.#nextId++;
    const exited = new Promise<ScriptExit>((resolve) => this.#pending.set(id, resolve));
    if (this.#pending.size === 1) this.#busy();
    this.#write({ id, ...request });
    return {
      exited,
      kill: () => {
        if (!this.#pending.has(id)) return;
        const group = this.#groups.get(id);
        // Killed here, synchronously, as the agent kills before it reports Cancelled or TimedOut; before the helper
        // reported the group, the request goes to it and it kills right after starting.
        if (group === undefined) this.#write({ kill: id });
        else killGroup(group);
      },
      watch: (listener) => this.#watch(id, listener),
    };
  }

  #watch(id: number, listener: OutputListener): () => void {
    if (!this.#pending.has(id)) return () => undefined;
    let listeners = this.#watchers.get(id);
    if (listeners === undefined) {
      this.#watchers.set(id, (listeners = new Set()));
      this.#write({ watch: id, on: true });
    }
    listeners.add(listener);
    return () => {
      const current = this.#watchers.get(id);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.#watchers.delete(id);
      this.#write({ watch: id, on: false });
    };
  }

  #write(message: object): void {
    if (this.#alive) this.#helper.stdin.write(`${JSON.stringify(message)}\n`);
  }

  #receive(text: string): void {
    this.#buffered += text;
    // A large output arrives in many chunks of one line: look for its end only in what just arrived.
    if (!text.includes('\n')) return;
    let newline: number;
    while ((newline = this.#buffered.indexOf('\n')) >= 0) {
      const message = JSON.parse(this.#buffered.slice(0, newline)) as HelperMessage;
      this.#buffered = this.#buffered.slice(newline + 1);
      if ('pid' in message) {
        if (this.#pending.has(message.id)) this.#groups.set(message.id, message.pid);
        continue;
      }
      if ('text' in message) {
        const listeners = this.#watchers.get(message.id);
        if (listeners !== undefined) for (const listener of [...listeners]) listener(message.fd, message.text);
        continue;
      }
      const { id, ...exit } = message;
      this.#groups.delete(id);
      this.#watchers.delete(id);
      const resolve = this.#pending.get(id);
      this.#pending.delete(id);
      resolve?.(exit);
    }
    if (this.#pending.size === 0) this.#idle();
  }

  /** Keeps the event loop alive while scripts run (pipes are sockets), and lets the process exit when none does. */
  #busy(): void {
    this.#helper.ref();
    (this.#helper.stdout as unknown as Socket).ref();
    (this.#helper.stderr as unknown as Socket).ref();
  }

  #idle(): void {
    this.#helper.unref();
    (this.#helper.stdout as unknown as Socket).unref();
    (this.#helper.stderr as unknown as Socket).unref();
    (this.#helper.stdin as unknown as Socket).unref();
  }

  #fail(reason: string, onExit: () => void): void {
    if (!this.#alive) return;
    this.#alive = false;
    onExit();
    // A helper killed from outside could not kill its scripts; they must not outlive it.
    for (const group of this.#groups.values()) killGroup(group);
    for (const resolve of this.#pending.values()) resolve({ code: null, signal: null, stdout: '', stderr: '', error: reason });
    this.#pending.clear();
    this.#watchers.clear();
    this.#groups.clear();
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

let shared: ProcessSpawner | undefined;

/** Writes the script and starts it through the shared helper process, starting (or restarting) the helper. */
export function spawnScript(request: ScriptSpawnRequest): SpawnedScript {
  const spawner = (shared ??= new ProcessSpawner(() => {
    if (shared === spawner) shared = undefined;
  }));
  return spawner.start(request);
}

/** Process id of the running helper, if any (benchmarks add its memory to the engine's). */
export function spawnerPid(): number | undefined {
  return shared?.pid;
}

/** Scripts asked for whose process has not started yet (benchmarks measure memory once every one has). */
export function unstartedScripts(): number {
  return shared?.unstarted ?? 0;
}
