/** `serve` and `demo --console` serve the web console and print its URL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { consolePair, signedGet } from '../helpers/console-signing.js';
import { projectRoot } from './helpers.js';

const bin = `${projectRoot}dist/cli/main.js`;
let child: ChildProcess | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** Starts the CLI and resolves with its output so far once `ready` matches it (stdout + stderr). */
function startCli(args: string[], ready: RegExp): Promise<{ stdout: () => string; stderr: () => string; match: RegExpMatchArray }> {
  const spawned = spawn(process.execPath, [bin, ...args], { cwd: projectRoot });
  child = spawned;
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = (stdout + stderr).match(ready);
      if (match !== null) resolve({ stdout: () => stdout, stderr: () => stderr, match });
    };
    spawned.stdout.on('data', (c: Buffer) => ((stdout += c.toString()), check()));
    spawned.stderr.on('data', (c: Buffer) => ((stderr += c.toString()), check()));
    spawned.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`not ready in time: ${stderr}`)), 25_000).unref();
  });
}

function exited(process: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (process.exitCode !== null ? resolve(process.exitCode) : process.on('exit', (code) => resolve(code))));
}

describe('the console from the CLI', () => {
  test('serve prints the console URL in its startup JSON and serves the page there', async () => {
    const started = await startCli(['serve', '--port', '0'], /"console": "([^"]+)"/);
    const url = started.match[1]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_shellstep\/console\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    child!.kill('SIGTERM');
    expect(await exited(child!)).toBe(0);
  });

  test('demo --console runs the scenarios, prints each run’s console URL, and serves until interrupted', async () => {
    const started = await startCli(['demo', '--console', '--sleep', '0'], /The console is at (\S+) \(Ctrl-C to stop\)/);
    const url = started.match[1]!;
    // stdout and stderr are separate pipes: the result JSON may arrive just after the line on stderr.
    await expect.poll(() => started.stdout().trim().endsWith('}')).toBe(true);
    const report = JSON.parse(started.stdout()) as { passed: boolean; console: string };
    expect(report.passed).toBe(true);
    expect(report.console).toBe(url);
    const runs = [...started.stderr().matchAll(/open: (\S+)/g)].map((m) => m[1]!);
    expect(runs).toHaveLength(3);
    expect(runs[0]).toMatch(new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#/executions/arn%3Aaws%3Astates%3A`));
    // Still serving after the scenarios: the page and the first run's history.
    expect((await fetch(url)).status).toBe(200);
    const arn = decodeURIComponent(runs[0]!.split('#/executions/')[1]!);
    const history = await signedGet(`${url}api/history?executionArn=${encodeURIComponent(arn)}`, await consolePair(url));
    expect(await history.text()).toContain('ExecutionSucceeded');
    child!.kill('SIGINT');
    expect(await exited(child!)).toBe(0);
  });
});
