import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnScript, spawnerPid, type ScriptSpawnRequest } from '../../../../src/engine/run-command/plugins/process-spawner.js';

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

describe('process spawner', () => {
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

  it('should kill the whole process group, children included', async () => {
    const req = request(`sleep 30 & echo $! > ${dir}/child.pid; wait\n`);
    const script = spawnScript(req);
    const pidFile = `${dir}/child.pid`;
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

  it('should fail and kill the running scripts when the helper dies, and start a new helper for the next one', async () => {
    const pidFile = `${dir}/orphan.pid`;
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
    const pidFile = `${dir}/exited-engine.pid`;
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
