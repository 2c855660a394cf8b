import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { describe, expect, test } from 'vitest';
import { projectRoot, shellstep } from './helpers.js';

const bin = `${projectRoot}dist/cli/main.js`;

/** Starts `serve` with `args`, resolves with its stdout JSON and stderr once ready, then stops it. */
function serveOnce(args: string[]): Promise<{ ready: { endpoint: string; environment: Record<string, string>; stacks: Array<{ StackName: string; Outputs: Record<string, string> }> }; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { cwd: projectRoot });
    let out = '';
    let err = '';
    let ready: unknown;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        ready = JSON.parse(out);
        // The export line follows the JSON on stderr.
        setTimeout(() => child.kill('SIGTERM'), 200);
      } catch {
        // not complete yet
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => (ready === undefined ? reject(new Error(`serve exited ${code}: ${err}`)) : resolve({ ready: ready as never, stderr: err, code })));
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
  });
}

describe('shellstep serve', () => {
  test('should report a busy port in one line, before deploying anything', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = shellstep(['serve', '--port', String(port), '--template', 'runbooks']);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`serve: port ${port} on 127.0.0.1 is in use (another shellstep serve?): choose another with --port, or --port 0 for any free port.\n`);
    } finally {
      blocker.close();
    }
  });

  test('should deploy the shipped templates by name, as the stacks the sample expects, and print the export line', async () => {
    const { ready, stderr, code } = await serveOnce([
      '--instance',
      'i-0123456789abcdef0',
      '--template',
      'runbooks',
      '--template',
      'sample',
      '--parameter',
      'InstanceId=i-0123456789abcdef0',
    ]);
    expect(code).toBe(0);
    expect(ready.stacks.map((s) => s.StackName)).toEqual(['shellstep-runbooks', 'shellstep-sample']);
    expect(ready.stacks[1]!.Outputs['JsonPathStateMachineArn']).toMatch(/^arn:aws:states:us-east-1:123456789012:stateMachine:/);
    expect(ready.environment).toEqual({
      AWS_ENDPOINT_URL: ready.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    expect(stderr).toContain(`  export AWS_ENDPOINT_URL=${ready.endpoint} AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local\n`);
  }, 30_000);

  test('should name what it cannot find, in one line', () => {
    const result = shellstep(['serve', '--template', 'runbook']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("serve: No file 'runbook', and no shipped template of that name (runbooks, sample).\n");
  });
});
