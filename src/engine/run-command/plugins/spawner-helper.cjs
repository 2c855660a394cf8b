// @ts-check
/**
 * The spawner helper process (see process-spawner.ts): reads newline-delimited JSON requests on stdin, writes each
 * script file and starts it in its own session, and answers one line per script with its exit and captured output.
 * Plain CommonJS so that Node runs the same file from src/ (tests) and dist/ (package) without a loader.
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');

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
 * @returns {() => string}
 */
function capture(child, fd) {
  /** The chunks read while the pipe is open, then their text. @type {Buffer[] | string} */
  let output = [];
  let size = 0;
  // Out of file descriptors (EMFILE, ENFILE), Node creates no pipes and reports the failure as 'error' just after.
  const stream = child.stdio?.[fd];
  if (stream == null) return () => '';
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
      return;
    }
    output = decode(output);
    // Node's own 'close' listener, added as the process started, came first and counted this close for the
    // child's 'close'; nothing else in the ChildProcess reads the stream again.
    child.stdio[fd] = null;
    if (fd === 1) child.stdout = null;
    else child.stderr = null;
  };
  stream.on('data', listener);
  stream.on('close', listener);
  return () => (typeof output === 'string' ? output : decode(output));
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
  const stdout = capture(child, 1);
  const stderr = capture(child, 2);
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
    const failed = code instanceof Error ? { code: null, error: code.message } : { code };
    send({ id, ...failed, signal, stdout: stdout(), stderr: stderr(), exitedAt: Date.now() });
  };
  child.on('error', finish);
  // 'close', not 'exit': like the agent's Go exec.Cmd.Wait with non-file writers, a script ends when its shell has
  // exited AND every process holding its stdout/stderr has closed them, so a background child that keeps them open
  // keeps the command InProgress until it exits or the execution timeout kills the group (executers.go).
  child.on('close', finish);
}

/** Requests read and not handled yet, oldest first. @type {(StartRequest | { kill: number })[]} */
const queue = [];
let draining = false;

/**
 * Handles the queued requests but starts at most one script per turn of the event loop. A spawn blocks this process
 * for about a millisecond; starting a whole chunk of requests in one turn held back the exits of every script that
 * ended meanwhile, so that under load they reached the engine dozens at a time and each waited for the others' work
 * there. Kills stay behind the start they follow.
 */
function drain() {
  let message;
  while ((message = queue.shift()) !== undefined) {
    if ('kill' in message) {
      const pid = running.get(message.kill);
      if (pid !== undefined) killGroup(pid);
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
  process.exit(code);
}
// The engine process is gone: its end of stdin closed, or writing to it fails (EPIPE) while a script exits.
process.stdin.on('end', () => killAllAndExit());
process.stdout.on('error', () => killAllAndExit());
process.on('uncaughtException', (error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  killAllAndExit(1);
});
