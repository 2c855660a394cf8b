import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnScript, spawnerPid, unstartedScripts, type ScriptSpawnRequest } from '../../../../src/engine/run-command/plugins/process-spawner.js';

const dir = mkdtempSync(join(tmpdir(), 'shellstep-spawner-'));
let n = 0;
function request(script: string, env: Record<string, string> = {}): ScriptSpawnRequest {
  const scriptDir = join(dir, `run-${n++}`);
  const scriptPath = join(scriptDir, '_script.sh');
  return { scriptDir, scriptPath, script, command: 'sh', args: ['-c', scriptPath], cwd: dir, env };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (state Z) runs nothing.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

const HELPER = fileURLToPath(new URL('../../../../src/engine/run-command/plugins/spawner-helper.cjs', import.meta.url));

interface Answer {
  readonly id: number;
  readonly pid?: number;
  readonly code?: number | null;
  readonly signal?: string | null;
  readonly stdout?: string;
  readonly error?: string;
}

/** The helper process alone, driven as process-spawner.ts drives it; `setup` runs before it in its shell. */
function helperProcess(setup = '') {
  const child = spawn('sh', ['-c', `${setup}exec "$0" "$1"`, process.execPath, HELPER], { stdio: ['pipe', 'pipe', 'inherit'] });
  let alive = true;
  let arrived = (): void => undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      alive = false;
      arrived();
      resolve();
    }),
  );
  /** Every answer, in the order the helper wrote them. */
  const answers: Answer[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    buffered += text;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      answers.push(JSON.parse(buffered.slice(0, newline)) as Answer);
      buffered = buffered.slice(newline + 1);
    }
    arrived();
  });
  let nextId = 1;
  return {
    answers,
    /** Sends the scripts' start requests in one write, so that the helper reads them at once; returns their ids. */
    start(scripts: readonly string[]): number[] {
      const ids = scripts.map(() => nextId++);
      child.stdin.write(scripts.map((script, i) => `${JSON.stringify({ id: ids[i], ...request(script) })}\n`).join(''));
      return ids;
    },
    kill(ids: readonly number[]): void {
      child.stdin.write(ids.map((id) => `${JSON.stringify({ kill: id })}\n`).join(''));
    },
    async until(done: () => boolean): Promise<void> {
      while (!done()) {
        if (!alive) throw new Error('the helper exited');
        await new Promise<void>((resolve) => (arrived = resolve));
      }
    },
    /** Closes its stdin: it kills what still runs and exits. */
    async close(): Promise<void> {
      child.stdin.end();
      await exited;
    },
  };
}

const isExit = (answer: Answer): boolean => 'code' in answer;

/** The native starter, where `npm ci` could build it (native/spawner/build.cjs). */
const NATIVE_BUILT = existsSync(fileURLToPath(new URL('../../../../native/spawner/build/Release/shellstep_spawner.node', import.meta.url)));

/** Starts the shared helper again, in `mode` (SHELLSTEP_SPAWNER, read by the helper as it starts). */
async function restartHelper(mode: 'js' | 'native'): Promise<void> {
  process.env['SHELLSTEP_SPAWNER'] = mode;
  const pid = spawnerPid();
  if (pid === undefined) return;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 500 && spawnerPid() === pid; i++) await new Promise((r) => setTimeout(r, 10));
}

describe.each([
  { mode: 'js' as const, run: true },
  // Skipped only where the native starter could not be built; the JS starter then serves.
  { mode: 'native' as const, run: NATIVE_BUILT },
])('process spawner ($mode starter)', ({ mode, run }) => {
  if (!run) {
    it.skip('needs the native starter built (native/spawner)', () => undefined);
    return;
  }
  beforeAll(() => restartHelper(mode));

  it('should start the script as Node starts a detached child: its own session, stdin from /dev/null, no signal ignored or blocked, the requested folder', async () => {
    // dash runs the script file in a child of the `sh -c` it started with: that one leads the session.
    const script = 'echo "$(ps -o sid= -p $$ | tr -d \' \') $PPID"; readlink /proc/$PPID/fd/0; grep -E "^Sig(Blk|Ign)" /proc/$PPID/status; pwd\n';
    const exit = await spawnScript({ ...request(script), cwd: tmpdir() }).exited;
    const [session, stdin, blocked, ignored, cwd] = exit.stdout.trim().split('\n');
    const [sid, leader] = session!.split(' ');
    expect(sid).toBe(leader);
    expect(stdin).toBe('/dev/null');
    expect(blocked).toMatch(/^SigBlk:\s+0+$/);
    expect(ignored).toMatch(/^SigIgn:\s+0+$/);
    expect(cwd).toBe(tmpdir());
  });

  it("should find the command on the PATH of the script's own environment, and report one it cannot find as Node does", async () => {
    const bin = join(dir, `bin-${mode}`);
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'shellstep-test-shell'), '#!/bin/sh\necho "own shell $1"\n', { mode: 0o755 });
    const found = await spawnScript({ ...request('true\n'), command: 'shellstep-test-shell', args: ['x'], env: { PATH: `/nonexistent:${bin}` } }).exited;
    expect(found).toMatchObject({ code: 0, stdout: 'own shell x\n' });
    const missing = await spawnScript({ ...request('true\n'), command: 'shellstep-no-such-shell', args: [] }).exited;
    expect(missing).toMatchObject({ code: null, error: 'spawn shellstep-no-such-shell ENOENT' });
  });

  it("should give the script the helper's environment with the request's variables added, replacing any of the same name", async () => {
    const exit = await spawnScript(request('echo "$HOME|$SHELLSTEP_TEST_ADDED|${PATH:+path}"\n', { HOME: '/replaced', SHELLSTEP_TEST_ADDED: 'added' })).exited;
    expect(exit.stdout).toBe('/replaced|added|path\n');
    const plain = await spawnScript(request('echo "$SHELLSTEP_TEST_ADDED|${HOME:+home}"\n', { SHELLSTEP_TEST_ADDED: 'again' })).exited;
    expect(plain.stdout).toBe('again|home\n');
  });

  it('should run every one of many scripts started at once (no start may catch another script open for writing: Text file busy)', async () => {
    const exits = await Promise.all(Array.from({ length: 200 }, (_, i) => spawnScript(request(`echo ${i}\n`)).exited));
    expect(exits.filter((exit, i) => exit.code !== 0 || exit.stdout !== `${i}\n`)).toEqual([]);
  });

  it('should report a script it cannot write in Node\'s words and go on', async () => {
    // A folder under a file: mkdir fails with ENOTDIR.
    const file = join(dir, `${mode}-a-file`);
    writeFileSync(file, '');
    const exit = await spawnScript({ ...request('true\n'), scriptDir: join(file, 'sub'), scriptPath: join(file, 'sub', '_script.sh') }).exited;
    expect(exit).toMatchObject({ code: null, error: `ENOTDIR: not a directory, mkdir '${join(file, 'sub')}'` });
    expect((await spawnScript(request('echo still\n')).exited).stdout).toBe('still\n');
  });

  it('should answer a start whose environment holds a NUL byte with an error and go on serving', async () => {
    const exit = await spawnScript(request('true\n', { BAD: 'a\u0000b' })).exited;
    expect(exit.code).toBeNull();
    expect(exit.error).toMatch(/null bytes?/);
    expect((await spawnScript(request('echo still\n')).exited).stdout).toBe('still\n');
  });

  it('should write the script with mode 0755 and return its exit code and both streams', async () => {
    const req = request('echo out; echo "$GREETING" >&2; exit 3\n', { GREETING: 'hello' });
    const exit = await spawnScript(req).exited;
    expect(exit).toEqual({ code: 3, signal: null, stdout: 'out\n', stderr: 'hello\n', exitedAt: expect.any(Number) });
    expect(Math.abs(Date.now() - exit.exitedAt!)).toBeLessThan(5_000);
    expect(statSync(req.scriptPath).mode & 0o777).toBe(0o755);
  });

  it('should keep NUL bytes and replace invalid UTF-8 as the agent decodes output', async () => {
    const exit = await spawnScript(request("printf 'a\\000b\\377c'\n")).exited;
    expect(exit.stdout).toBe('a\u0000b\uFFFDc');
  });

  it('should end a script only when background children have closed its output too, as the agent does', async () => {
    const holding = performance.now();
    await spawnScript(request('sleep 0.4 &\necho started\n')).exited;
    expect(performance.now() - holding).toBeGreaterThanOrEqual(350);
    const detached = performance.now();
    await spawnScript(request('sleep 0.4 >/dev/null 2>&1 &\necho started\n')).exited;
    expect(performance.now() - detached).toBeLessThan(350);
  });

  it('should count a script as unstarted until the helper reports its process, not until it ends', async () => {
    const script = spawnScript(request('sleep 0.5\n'));
    // The helper answers through its pipe, on a later turn at the earliest.
    expect(unstartedScripts()).toBeGreaterThanOrEqual(1);
    let ended = false;
    void script.exited.then(() => (ended = true));
    for (let i = 0; i < 200 && unstartedScripts() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect([unstartedScripts(), ended]).toEqual([0, false]);
    await script.exited;
  });

  it('should report the output of a script that closed its pipes before it ended, once it has ended', async () => {
    // Inline, so that the shell itself closes them (dash's `sh -c <file>` keeps them open in a parent shell).
    const req = { ...request(''), args: ['-c', 'echo out; echo err >&2; exec >/dev/null 2>&1; sleep 0.3; exit 4'] };
    const started = performance.now();
    const exit = await spawnScript(req).exited;
    expect(exit).toEqual({ code: 4, signal: null, stdout: 'out\n', stderr: 'err\n', exitedAt: expect.any(Number) });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('should kill a script that closed its pipes', async () => {
    const marker = `${dir}/${mode}-closed-pipes`;
    const req = { ...request(''), args: ['-c', `echo out; exec >/dev/null 2>&1; touch ${marker}; sleep 30`] };
    const script = spawnScript(req);
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 10));
    script.kill();
    expect(await script.exited).toEqual({ code: null, signal: 'SIGKILL', stdout: 'out\n', stderr: '', exitedAt: expect.any(Number) });
  });

  it('should kill the whole process group, children included', async () => {
    const req = request(`sleep 30 & echo $! > ${dir}/${mode}-child.pid; wait\n`);
    const script = spawnScript(req);
    const pidFile = `${dir}/${mode}-child.pid`;
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 10));
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(child)).toBe(true);
    script.kill();
    const exit = await script.exited;
    expect(exit.signal).toBe('SIGKILL');
    for (let i = 0; i < 100 && alive(child); i++) await new Promise((r) => setTimeout(r, 10));
    expect(alive(child)).toBe(false);
  });

  it('should kill a script whose kill was requested before it started', async () => {
    const script = spawnScript(request('sleep 30\n'));
    script.kill();
    expect((await script.exited).signal).toBe('SIGKILL');
  });

  it('should report a start failure without crashing', async () => {
    const req = { ...request('true\n'), command: '/nonexistent/shell' };
    const exit = await spawnScript(req).exited;
    expect(exit.error).toMatch(/ENOENT/);
    expect(exit.code).toBeNull();
  });

  it('should start one script per turn of its event loop, so that exits go out between starts', async () => {
    // 100 requests in one read: started all in one turn, every exit would come after the last start.
    const helper = helperProcess();
    try {
      helper.start(Array.from({ length: 100 }, () => 'exit 0\n'));
      await helper.until(() => helper.answers.filter(isExit).length === 100);
      expect(helper.answers.filter(isExit).every((a) => a.code === 0)).toBe(true);
      const firstExit = helper.answers.findIndex(isExit);
      const lastStart = helper.answers.findLastIndex((a) => a.pid !== undefined);
      expect(firstExit).toBeLessThan(lastStart);
    } finally {
      await helper.close();
    }
  });

  it('should report running out of file descriptors as a start failure and go on', async () => {
    // Each running script holds two pipes in the helper: with 64 descriptors, a part of 40 starts fail.
    const helper = helperProcess('ulimit -n 64; ');
    try {
      const ids = helper.start(Array.from({ length: 40 }, () => 'sleep 30\n'));
      const answered = (id: number): boolean => helper.answers.some((a) => a.id === id && (a.pid !== undefined || isExit(a)));
      await helper.until(() => ids.every(answered));
      expect(helper.answers.filter(isExit).map((a) => a.error)).toContainEqual(expect.stringMatching(/EMFILE/));
      const running = helper.answers.filter((a) => a.pid !== undefined).map((a) => a.id);
      expect(running.length).toBeGreaterThan(0);
      helper.kill(running);
      await helper.until(() => running.every((id) => helper.answers.some((a) => a.id === id && isExit(a))));
      const [next] = helper.start(['echo again\n']);
      await helper.until(() => helper.answers.some((a) => a.id === next && isExit(a)));
      expect(helper.answers.find((a) => a.id === next && isExit(a))).toMatchObject({ code: 0, stdout: 'again\n' });
    } finally {
      await helper.close();
    }
  });

  it('should fail and kill the running scripts when the helper dies, and start a new helper for the next one', async () => {
    const pidFile = `${dir}/${mode}-orphan.pid`;
    const running = spawnScript(request(`echo $$ > ${pidFile}; exec sleep 30\n`));
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 10));
    const script = Number(readFileSync(pidFile, 'utf8'));
    const helper = spawnerPid();
    expect(helper).toBeDefined();
    process.kill(helper!, 'SIGKILL');
    const exit = await running.exited;
    expect(exit.error).toMatch(/local process spawner exited \(SIGKILL\)/);
    for (let i = 0; i < 100 && alive(script); i++) await new Promise((r) => setTimeout(r, 10));
    expect(alive(script)).toBe(false);
    const next = await spawnScript(request('echo again\n')).exited;
    expect(next.stdout).toBe('again\n');
    expect(spawnerPid()).not.toBe(helper);
  });

  it('should kill the scripts of an engine process that exits without closing', async () => {
    // Against dist/ (npm test builds it first): a plain Node process that starts a script and exits at once.
    const distModule = new URL('../../../../dist/engine/run-command/plugins/process-spawner.js', import.meta.url).href;
    const pidFile = `${dir}/${mode}-exited-engine.pid`;
    const req = request(`echo $$ > ${pidFile}; exec sleep 30\n`);
    const program = `import(${JSON.stringify(distModule)}).then(async ({ spawnScript }) => {
      spawnScript(${JSON.stringify(req)});
      const { existsSync } = await import('node:fs');
      while (!existsSync(${JSON.stringify(pidFile)})) await new Promise((r) => setTimeout(r, 10));
      process.exit(0);
    });`;
    execFileSync(process.execPath, ['-e', program], { timeout: 10_000 });
    const script = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 200 && alive(script); i++) await new Promise((r) => setTimeout(r, 10));
    expect(alive(script)).toBe(false);
  });
});
