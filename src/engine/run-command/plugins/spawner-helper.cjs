// @ts-check
/**
 * The spawner helper process (see process-spawner.ts): reads newline-delimited JSON requests on stdin, writes each
 * script file and starts it in its own session, and answers one line per script with its exit and captured output.
 * Plain CommonJS so that Node runs the same file from src/ (tests) and dist/ (package) without a loader.
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const { StringDecoder } = require('node:string_decoder');

// Far above what the API ever returns (24,000 characters ≤ 96,000 bytes).
const CAPTURE_LIMIT_BYTES = 1024 * 1024;

// This process's environment is the engine's, fixed at start; a plain copy spreads ~10× faster than process.env.
const BASE_ENV = { ...process.env };

/**
 * The variables through which the user's shell reaches their AWS account, which a local instance must not inherit
 * (an EC2 instance has none of its launcher's): everything the AWS CLI, boto3 and the SDKs read under `AWS_`
 * (keys, session tokens, profiles, config and credentials files, web identity, container credentials, endpoints,
 * regions), boto 2's `BOTO_CONFIG`/`BOTO_PATH`, awsume's `AWSUME_*` and the CDK's `CDK_DEFAULT_ACCOUNT`/`_REGION`.
 * @param {string} name
 */
function isAwsVariable(name) {
  return /^(AWS_|AWSUME_|BOTO_|CDK_DEFAULT_)/i.test(name);
}

/** The engine's environment without the user's AWS variables: what a local instance's commands start from. */
const CLEAN_ENV = Object.fromEntries(Object.entries(BASE_ENV).filter(([name]) => !isAwsVariable(name)));

/** Script id → process group id, while the script runs. @type {Map<number, number>} */
const running = new Map();

/**
 * Script id → what turns the live forwarding of its output on or off, while it runs (the console watching a command).
 * @type {Map<number, (on: boolean) => void>}
 */
const watchable = new Map();

/**
 * Script id → the last watch state asked for while its native start was still in flight: the engine may ask as soon
 * as it has sent the start, and a native start answers later, from a worker thread.
 * @type {Map<number, boolean>}
 */
const pendingWatch = new Map();

/**
 * @typedef {object} NativeStarter
 * @property {(dir: string, scriptPath: string, script: string, file: string, args: string[], env: string[], cwd: string, done: (started: number[]) => void) => void} spawn
 *   writes the script and starts the program on a worker thread; `done` gets [pid, stdoutFd, stderrFd], or
 *   [-errno, operation] (OPERATIONS)
 * @property {() => number[]} reap [pid, code (-1 for a signal), signal number, …] of every ended child
 */

/**
 * The native starter (native/spawner, built with node-gyp where it can be): posix_spawn, which does not copy this
 * process's page tables as Node's fork does, so a start costs a fraction of the time and blocks this loop less.
 * SHELLSTEP_SPAWNER=js keeps Node's spawn; =native insists on the native one (the helper exits if it cannot load).
 * It reaps every child of this process, so when it is in use Node's spawn is never called here.
 * @returns {NativeStarter | undefined}
 */
function loadNative() {
  const wanted = process.env['SHELLSTEP_SPAWNER'];
  if (wanted === 'js' || (process.platform !== 'linux' && wanted !== 'native')) return undefined;
  const dir = path.join(__dirname, '..', '..', '..', '..', 'native', 'spawner');
  try {
    // A build from another version of spawner.c (a clone updated without `npm install`) has another interface: it
    // would hang every start, so it is not loaded (native/spawner/build.cjs writes the hash it built from).
    const built = fs.readFileSync(path.join(dir, 'build', 'Release', 'source.sha256'), 'utf8').trim();
    const source = require('node:crypto').createHash('sha256').update(fs.readFileSync(path.join(dir, 'spawner.c'))).digest('hex');
    if (built !== source) throw new Error(`the native process starter was built from another spawner.c: run node ${path.join(dir, 'build.cjs')}`);
    return require(path.join(dir, 'build', 'Release', 'shellstep_spawner.node'));
  } catch (error) {
    if (wanted === 'native') throw error;
    return undefined;
  }
}
const native = loadNative();

/** @param {object} message */
function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** @param {number} pid */
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/**
 * Collects what the script writes to one of its pipes, at most CAPTURE_LIMIT_BYTES; returns a function that gives it
 * decoded. Once the pipe has closed, the bytes are decoded and the ChildProcess lets go of the socket: a script may
 * run on for hours after closing its output (`exec >/dev/null 2>&1` where /bin/sh is bash; dash's `sh -c` keeps them
 * open until the script exits), and the socket with its stream states and pipe handle would stay until then.
 * @param {import('node:child_process').ChildProcess} child
 * @param {1 | 2} fd
 * @param {number} id
 * @returns {Captured}
 */
function capture(child, fd, id) {
  // Out of file descriptors (EMFILE, ENFILE), Node creates no pipes and reports the failure as 'error' just after.
  const stream = child.stdio?.[fd];
  if (stream == null) return { text: () => '', watch: () => undefined };
  return captureStream(stream, id, fd, () => {
    // Node's own 'close' listener, added as the process started, came first and counted this close for the
    // child's 'close'; nothing else in the ChildProcess reads the stream again.
    child.stdio[fd] = null;
    if (fd === 1) child.stdout = null;
    else child.stderr = null;
  });
}

/**
 * @typedef {object} Captured
 * @property {() => string} text the output decoded
 * @property {(on: boolean) => void} watch turns the live forwarding of the output on or off
 */

/**
 * Collects what a pipe delivers, at most CAPTURE_LIMIT_BYTES, and calls `closed` once it has closed. While watched,
 * each chunk is also sent on as text (`{id, fd, text}`), from the start of the output.
 * @param {import('node:stream').Readable} stream
 * @param {number} id
 * @param {1 | 2} fd
 * @param {() => void} closed
 * @returns {Captured}
 */
function captureStream(stream, id, fd, closed) {
  /** The chunks read while the pipe is open, then their text. @type {Buffer[] | string} */
  let output = [];
  let size = 0;
  /** Set while watched: decodes the forwarded chunks without splitting a character. @type {StringDecoder | undefined} */
  let live;
  /** @param {boolean} on */
  const watch = (on) => {
    if (!on || typeof output === 'string') {
      live = undefined;
      return;
    }
    if (live !== undefined) return;
    live = new StringDecoder('utf8');
    const sofar = live.write(Buffer.concat(output));
    if (sofar !== '') send({ id, fd, text: sofar });
  };
  /**
   * One function for both events, so that a waiting script keeps one listener per pipe, not two.
   * @param {Buffer | boolean | undefined} event a chunk ('data'), else the stream closed
   */
  const listener = (event) => {
    if (typeof output === 'string') return; // never: nothing comes after 'close'
    if (event instanceof Buffer) {
      if (size >= CAPTURE_LIMIT_BYTES) return;
      const part = event.subarray(0, CAPTURE_LIMIT_BYTES - size);
      output.push(part);
      size += part.length;
      if (live !== undefined) {
        const text = live.write(part);
        if (text !== '') send({ id, fd, text });
      }
      return;
    }
    if (live !== undefined) {
      const rest = live.end();
      if (rest !== '') send({ id, fd, text: rest });
      live = undefined;
    }
    output = decode(output);
    closed();
  };
  stream.on('data', listener);
  stream.on('close', listener);
  return { text: () => (typeof output === 'string' ? output : decode(output)), watch };
}

/**
 * Lets the engine turn the live forwarding of a script's output on and off while it runs.
 * @param {number} id
 * @param {Captured} stdout
 * @param {Captured} stderr
 */
function watchOutput(id, stdout, stderr) {
  watchable.set(id, (on) => {
    stdout.watch(on);
    stderr.watch(on);
  });
  // A watch asked for while the start was still on its way (native starts run on another thread).
  const pending = pendingWatch.get(id);
  if (pending !== undefined) {
    pendingWatch.delete(id);
    if (pending) watchable.get(id)?.(true);
  }
}

/**
 * 'utf8' decoding replaces invalid sequences with U+FFFD and never throws.
 * @param {Buffer[]} chunks
 */
function decode(chunks) {
  return Buffer.concat(chunks).toString('utf8');
}

/** @typedef {import('./process-spawner.js').ScriptSpawnRequest & { id: number }} StartRequest */

/** @param {StartRequest} request */
function start(request) {
  const { id } = request;
  if (native !== undefined) {
    // It writes the script itself, on its worker thread, so that no start copies a descriptor open on it.
    startNative(native, request);
    return;
  }
  try {
    fs.mkdirSync(request.scriptDir, { recursive: true });
    fs.writeFileSync(request.scriptPath, request.script);
    fs.chmodSync(request.scriptPath, 0o755);
  } catch (error) {
    send({ id, code: null, signal: null, stdout: '', stderr: '', error: /** @type {Error} */ (error).message });
    return;
  }
  let done = false;
  const child = spawn(request.command, [...request.args], {
    cwd: request.cwd,
    env: { ...(request.inheritAwsEnvironment === true ? BASE_ENV : CLEAN_ENV), ...request.env },
    // Its own session and process group, so a timeout or cancel kills the whole tree (agent executers.go).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) {
    running.set(id, child.pid);
    // Node reads spawnargs only to describe a start that failed; the script path in them would stay while it runs.
    child.spawnargs.length = 0;
    // The engine then kills the group itself, at once, instead of asking here.
    send({ id, pid: child.pid });
  }
  const stdout = capture(child, 1, id);
  const stderr = capture(child, 2, id);
  watchOutput(id, stdout, stderr);
  /**
   * The listener of both 'close' and 'error' (which passes the Error that kept the process from starting), so that a
   * waiting script keeps one function here, not three.
   * @param {number | null | Error} code
   * @param {NodeJS.Signals | null} [signal]
   */
  const finish = (code, signal = null) => {
    if (done) return;
    done = true;
    running.delete(id);
    watchable.delete(id);
    const failed = code instanceof Error ? { code: null, error: code.message } : { code };
    send({ id, ...failed, signal, stdout: stdout.text(), stderr: stderr.text(), exitedAt: Date.now() });
  };
  child.on('error', finish);
  // 'close', not 'exit': like the agent's Go exec.Cmd.Wait with non-file writers, a script ends when its shell has
  // exited AND every process holding its stdout/stderr has closed them, so a background child that keeps them open
  // keeps the command InProgress until it exits or the execution timeout kills the group (executers.go).
  child.on('close', finish);
}

/**
 * @typedef {object} NativeScript
 * @property {number} id
 * @property {boolean} exited
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 * @property {number} open pipes not closed yet
 * @property {Captured} stdout
 * @property {Captured} stderr
 */

/**
 * An environment as `NAME=value` strings, as Node makes them (names in Object.keys order, undefined values left out).
 * @param {Record<string, string | undefined>} env
 */
function pairsOf(env) {
  /** @type {string[]} */
  const pairs = [];
  for (const name of Object.keys(env)) if (env[name] !== undefined) pairs.push(`${name}=${env[name]}`);
  return pairs;
}

/** The two base environments, made into strings once: a start adds only its own few variables. */
const BASE_PAIRS = pairsOf(BASE_ENV);
const CLEAN_PAIRS = pairsOf(CLEAN_ENV);

/**
 * `{ ...base, ...extra }` as strings; when `extra` replaces a variable of the base, through the spread itself.
 * @param {Record<string, string | undefined>} base
 * @param {readonly string[]} basePairs
 * @param {Readonly<Record<string, string>>} extra
 */
function environmentPairs(base, basePairs, extra) {
  const names = Object.keys(extra);
  if (names.some((name) => Object.hasOwn(base, name))) return pairsOf({ ...base, ...extra });
  const pairs = basePairs.slice();
  for (const name of names) if (extra[name] !== undefined) pairs.push(`${name}=${extra[name]}`);
  return pairs;
}

/** Process id → script started by the native starter, until it has ended. @type {Map<number, NativeScript>} */
const nativeScripts = new Map();

/** Script id → whether a kill was asked for, while its native start runs on a worker thread. @type {Map<number, boolean>} */
const starting = new Map();

/** Exits reaped before their start's answer arrived: pid → [code, signal]. @type {Map<number, [number, number]>} */
const endedEarly = new Map();

/** Set once the helper is to exit: it waits for the starts under way, and kills what they started. */
let exiting = false;
let exitCode = 0;

/** Signal number → name, for exits by a signal; the first name of a number, as Node's own (SIGABRT, not SIGIOT). */
const SIGNAL_NAMES = new Map();
for (const [name, number] of Object.entries(os.constants.signals)) if (!SIGNAL_NAMES.has(number)) SIGNAL_NAMES.set(number, /** @type {NodeJS.Signals} */ (name));

/**
 * Starts a script with the native starter, with what Node's spawn gives a detached child with piped output (see
 * native/spawner/spawner.c), and reports it as `start` does: its pid, then, once it has exited AND both pipes have
 * closed (Node's 'close'), its exit.
 * @param {NativeStarter} starter
 * @param {StartRequest} request
 */
function startNative(starter, request) {
  const { id } = request;
  const inherit = request.inheritAwsEnvironment === true;
  const pairs = environmentPairs(inherit ? BASE_ENV : CLEAN_ENV, inherit ? BASE_PAIRS : CLEAN_PAIRS, request.env);
  const args = [request.command, ...request.args];
  // Node's spawn refuses these too (ERR_INVALID_ARG_VALUE); a C string would end at the NUL instead.
  if ([...args, ...pairs, request.cwd, request.scriptDir, request.scriptPath].some((text) => text.includes('\u0000'))) {
    send({ id, code: null, signal: null, stdout: '', stderr: '', error: `spawn ${request.command}: an argument, the working directory or the environment contains a null byte` });
    return;
  }
  starting.set(id, false);
  starter.spawn(request.scriptDir, request.scriptPath, request.script, request.command, args, pairs, request.cwd, (started) => {
    const killed = starting.get(id) === true || exiting;
    starting.delete(id);
    if (started.length === 2) {
      pendingWatch.delete(id);
      send({ id, code: null, signal: null, stdout: '', stderr: '', error: startError(request, /** @type {number} */ (started[0]), /** @type {number} */ (started[1])) });
    } else {
      const [pid, stdoutFd, stderrFd] = /** @type {[number, number, number]} */ (started);
      running.set(id, pid);
      send({ id, pid });
      /** @type {Captured} */
      const none = { text: () => '', watch: () => undefined };
      /** @type {NativeScript} */
      const script = { id, exited: false, code: null, signal: null, open: 2, stdout: none, stderr: none };
      const closed = () => {
        script.open--;
        finishNative(script);
      };
      script.stdout = captureStream(new net.Socket({ fd: stdoutFd, readable: true, writable: false }), id, 1, closed);
      script.stderr = captureStream(new net.Socket({ fd: stderrFd, readable: true, writable: false }), id, 2, closed);
      watchOutput(id, script.stdout, script.stderr);
      nativeScripts.set(pid, script);
      // Reaped before this answer arrived (the start ran on another thread): its exit is here already.
      const ended = endedEarly.get(pid);
      if (ended !== undefined) {
        endedEarly.delete(pid);
        exitedNative(pid, script, ended[0], ended[1]);
      }
      // A kill asked for while it was starting, or the helper is going: at once, as the JS starter's kill after start.
      if (killed) killGroup(pid);
    }
    if (exiting && starting.size === 0) process.exit(exitCode);
  });
}

/** What failed in a native start (native/spawner/spawner.c). */
const OPERATIONS = ['', 'mkdir', 'open', 'write', 'chmod', 'spawn'];

/**
 * The error of a failed native start in Node's words, so that it reads the same with either starter: `ENOENT: no
 * such file or directory, open '<script>'` for the script file, `spawn sh ENOENT` for the start.
 * @param {StartRequest} request
 * @param {number} errno negative
 * @param {number} operation
 */
function startError(request, errno, operation) {
  const name = util.getSystemErrorName(errno);
  const op = OPERATIONS[operation] ?? 'spawn';
  if (op === 'spawn') return `spawn ${request.command} ${name}`;
  const description = util.getSystemErrorMap().get(errno)?.[1] ?? 'unknown error';
  return `${name}: ${description}, ${op} '${op === 'mkdir' ? request.scriptDir : request.scriptPath}'`;
}

/**
 * @param {number} pid
 * @param {NativeScript} script
 * @param {number} code the exit code, or -1 for an end by a signal
 * @param {number} signal the signal number, or 0
 */
function exitedNative(pid, script, code, signal) {
  nativeScripts.delete(pid);
  script.exited = true;
  script.code = code >= 0 ? code : null;
  script.signal = SIGNAL_NAMES.get(signal) ?? null;
  finishNative(script);
}

/** @param {NativeScript} script */
function finishNative(script) {
  if (!script.exited || script.open > 0) return;
  running.delete(script.id);
  watchable.delete(script.id);
  send({ id: script.id, code: script.code, signal: script.signal, stdout: script.stdout.text(), stderr: script.stderr.text(), exitedAt: Date.now() });
}

if (native !== undefined) {
  // Every child that ended since: the native starter's children are this process's only ones.
  process.on('SIGCHLD', () => {
    const ended = native.reap();
    for (let i = 0; i < ended.length; i += 3) {
      const pid = /** @type {number} */ (ended[i]);
      const code = /** @type {number} */ (ended[i + 1]);
      const signal = /** @type {number} */ (ended[i + 2]);
      const script = nativeScripts.get(pid);
      if (script === undefined) endedEarly.set(pid, [code, signal]);
      else exitedNative(pid, script, code, signal);
    }
  });
}

/** Requests read and not handled yet, oldest first. @type {(StartRequest | { kill: number } | { watch: number, on: boolean })[]} */
const queue = [];
let draining = false;

/**
 * Handles the queued requests but starts at most one script per turn of the event loop. A spawn blocks this process
 * for about a millisecond (a native start runs on a worker thread, but its request still waits its turn); starting a whole chunk of requests in one turn held back the exits of every script that
 * ended meanwhile, so that under load they reached the engine dozens at a time and each waited for the others' work
 * there. Kills stay behind the start they follow.
 */
function drain() {
  if (exiting) return;
  let message;
  while ((message = queue.shift()) !== undefined) {
    if ('kill' in message) {
      const pid = running.get(message.kill);
      if (pid !== undefined) killGroup(pid);
      else if (starting.has(message.kill)) starting.set(message.kill, true);
    } else if ('watch' in message) {
      const watch = watchable.get(message.watch);
      if (watch !== undefined) watch(message.on);
      else if (starting.has(message.watch)) pendingWatch.set(message.watch, message.on);
    } else {
      start(message);
      break;
    }
  }
  draining = queue.length > 0;
  if (draining) setImmediate(drain);
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (/** @type {string} */ text) => {
  buffered += text;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    queue.push(JSON.parse(buffered.slice(0, newline)));
    buffered = buffered.slice(newline + 1);
  }
  if (!draining) drain();
});
/** Nothing this helper started may outlive it. */
function killAllAndExit(code = 0) {
  for (const pid of running.values()) killGroup(pid);
  if (starting.size === 0) process.exit(code);
  // Native starts still under way on worker threads: each one's process is killed as its answer arrives, then exit.
  exiting = true;
  exitCode = code;
}
// The engine process is gone: its end of stdin closed, or writing to it fails (EPIPE) while a script exits.
process.stdin.on('end', () => killAllAndExit());
process.stdout.on('error', () => killAllAndExit());
// Ctrl-C in a terminal (SIGINT), a closed terminal (SIGHUP) and SIGTERM reach this helper with the engine process's
// group; it takes its scripts with it instead of dying by default and leaving them to the engine.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => killAllAndExit(0));
process.on('uncaughtException', (error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  killAllAndExit(1);
});
