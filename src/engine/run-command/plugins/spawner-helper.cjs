// @ts-check
/**
 * The spawner helper process (see process-spawner.ts): reads newline-delimited JSON requests on stdin, writes each
 * script file and starts it in its own session with its output going to files beside the script, and answers one line
 * per script with its exit and captured output.
 * Plain CommonJS so that Node runs the same file from src/ (tests) and dist/ (package) without a loader.
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// Far above what the API ever returns (24,000 characters ≤ 96,000 bytes).
const CAPTURE_LIMIT_BYTES = 1024 * 1024;

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
 * The first CAPTURE_LIMIT_BYTES of an output file, decoded as the agent decodes output: 'utf8' replaces invalid
 * sequences with U+FFFD and never throws; NUL bytes are kept.
 * @param {string} path
 */
function readCapped(path) {
  const fd = fs.openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(fs.fstatSync(fd).size, CAPTURE_LIMIT_BYTES));
    let length = 0;
    while (length < buffer.length) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** @param {import('./process-spawner.js').ScriptSpawnRequest & { id: number }} request */
function start(request) {
  const { id } = request;
  const stdoutPath = path.join(request.scriptDir, 'stdout');
  const stderrPath = path.join(request.scriptDir, 'stderr');
  /** @type {number[]} */
  const fds = [];
  try {
    fs.mkdirSync(request.scriptDir, { recursive: true });
    fs.writeFileSync(request.scriptPath, request.script);
    fs.chmodSync(request.scriptPath, 0o755);
    // Output goes to files in the orchestration folder, as the agent writes it (iohandler), so a running script
    // holds no pipe here and the engine's count of open files does not grow with the number of running scripts.
    fds.push(fs.openSync(stdoutPath, 'w'), fs.openSync(stderrPath, 'w'));
  } catch (error) {
    for (const fd of fds) fs.closeSync(fd);
    send({ id, code: null, signal: null, stdout: '', stderr: '', error: /** @type {Error} */ (error).message });
    return;
  }
  let done = false;
  const child = spawn(request.command, [...request.args], {
    cwd: request.cwd,
    env: { ...process.env, ...request.env },
    // Its own session and process group, so a timeout or cancel kills the whole tree (agent executers.go).
    detached: true,
    stdio: ['ignore', fds[0], fds[1]],
  });
  for (const fd of fds) fs.closeSync(fd);
  if (child.pid !== undefined) {
    running.set(id, child.pid);
    // The engine then kills the group itself, at once, instead of asking here.
    send({ id, pid: child.pid });
  }
  /**
   * The shell's exit ends the script, as for the agent, even when a background child still holds the files open.
   * @param {number | null} code
   * @param {NodeJS.Signals | null} signal
   * @param {Error} [error]
   */
  const finish = (code, signal, error) => {
    if (done) return;
    done = true;
    running.delete(id);
    let stdout = '';
    let stderr = '';
    try {
      stdout = readCapped(stdoutPath);
      stderr = readCapped(stderrPath);
    } catch (readError) {
      error ??= /** @type {Error} */ (readError);
    }
    send({ id, code, signal, stdout, stderr, ...(error === undefined ? {} : { error: error.message }) });
  };
  child.on('error', (error) => finish(null, null, error));
  child.on('exit', (code, signal) => finish(code, signal));
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (/** @type {string} */ text) => {
  buffered += text;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const message = JSON.parse(buffered.slice(0, newline));
    buffered = buffered.slice(newline + 1);
    if (typeof message.kill === 'number') {
      const pid = running.get(message.kill);
      if (pid !== undefined) killGroup(pid);
    } else {
      start(message);
    }
  }
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
