/**
 * docs/testing.md's examples: its code blocks are the example files as they are, and they run — the vitest file in
 * the suite (vitest.config.ts includes examples/testing), the pytest one here against a `serve` started with the
 * example mock configuration through SFN_MOCK_CONFIG; the TestState CLI example prints what the guide shows.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const bin = `${root}dist/cli/main.js`;
const guide = readFileSync(`${root}docs/testing.md`, 'utf8');
const hasPytest = spawnSync('python3', ['-c', 'import pytest, boto3'], { stdio: 'ignore' }).status === 0;

/** The fenced blocks of a language in the guide. */
function blocks(language: string): string[] {
  return [...guide.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

let server: ChildProcess;
let endpoint: string;

beforeAll(async () => {
  server = spawn(process.execPath, [bin, 'serve', '--port', '0', '--clock', 'fast', '--instance', 'i-0123456789abcdef0', '--template', 'cloudformation/ssm-automation-documents.cfn.json'], {
    cwd: root,
    env: { ...process.env, SFN_MOCK_CONFIG: 'examples/testing/MockConfigFile.json' },
  });
  endpoint = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      try {
        resolve((JSON.parse(out) as { endpoint: string }).endpoint);
      } catch {
        // not complete yet
      }
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    setTimeout(() => reject(new Error('serve did not start')), 15_000).unref();
  });
});

afterAll(() => {
  server.kill('SIGTERM');
});

describe('docs/testing.md', () => {
  test('should show the example files exactly as they are', () => {
    expect(blocks('ts')).toContain(readFileSync(`${root}examples/testing/runbook-task.test.ts`, 'utf8'));
    expect(blocks('python')).toContain(readFileSync(`${root}examples/testing/test_runbook_task.py`, 'utf8'));
  });

  test.skipIf(!hasPytest)('should pass the pytest example against serve with SFN_MOCK_CONFIG', async () => {
    const result = await new Promise<{ status: number | null; out: string }>((resolve) => {
      const child = spawn('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'examples/testing/test_runbook_task.py'], {
        cwd: root,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1' },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (status) => resolve({ status, out }));
    });
    expect(result.status, result.out).toBe(0);
    expect(result.out).toContain('3 passed');
  }, 60_000);

  test('should print what the guide shows for its test-state example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'testing-guide-'));
    try {
      const definition = /cat > pass-state\.json <<'JSON'\n([\s\S]*?)\nJSON/.exec(guide)![1]!;
      writeFileSync(join(dir, 'pass-state.json'), definition);
      const run = spawnSync(process.execPath, [bin, 'test-state', '--definition', join(dir, 'pass-state.json'), '--input', '{"name":"Ada"}', '--inspection-level', 'DEBUG'], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse(blocks('json').find((b) => b.includes('Hello, Ada'))!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
