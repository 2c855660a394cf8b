import { afterEach, describe, expect, test } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { shellstep } from './helpers.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

/** Starts `serve` on a free port; the test's afterEach kills it. */
async function serve(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeProcess> {
  const server = await startServe(args, env);
  started.push(server.child);
  return server;
}

describe('serve beyond loopback', () => {
  test('should refuse a non-loopback --host without --allow-remote, and --allow-remote without --credentials', () => {
    const bare = shellstep(['serve', '--port', '0', '--host', '0.0.0.0']);
    expect(bare.status).toBe(1);
    expect(bare.stderr).toContain('--host 0.0.0.0 is not a loopback address');
    const noKeys = shellstep(['serve', '--port', '0', '--host', '0.0.0.0', '--allow-remote']);
    expect(noKeys.status).toBe(1);
    expect(noKeys.stderr).toContain('--allow-remote needs --credentials');
  });

  test('should verify signatures against the credentials file and warn what a remote binding exposes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-creds-'));
    const file = join(dir, 'credentials');
    writeFileSync(file, '[local]\naws_access_key_id = AKIASHELLSTEPLOCAL01\naws_secret_access_key = local-secret\n');
    const server = await serve(['--host', '0.0.0.0', '--allow-remote', '--credentials', file]);
    const port = new URL(server.endpoint).port;
    const client = (secretAccessKey: string) =>
      new SSMClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIASHELLSTEPLOCAL01', secretAccessKey }, maxAttempts: 1 });
    expect((await client('local-secret').send(new DescribeInstanceInformationCommand({}))).InstanceInformationList).toEqual([]);
    await expect(client('wrong').send(new DescribeInstanceInformationCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    expect(server.stderr()).toMatch(/WARNING: http:\/\/0\.0\.0\.0:\d+ is reachable from other machines\. Anyone who can reach it and holds a key of .* can run shell commands here/);
    expect(server.stderr()).toContain('There is no TLS');
    expect(server.stderr()).toContain('--allow-host');
  });

  test('should read the credentials file from SHELLSTEP_CREDENTIALS and then refuse unknown keys on loopback too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-creds-'));
    const file = join(dir, 'credentials');
    writeFileSync(file, '[ci]\naws_access_key_id = AKIASHELLSTEPCI00001\naws_secret_access_key = ci-secret\n');
    const server = await serve([], { ...process.env, SHELLSTEP_CREDENTIALS: file });
    const unknown = new SSMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    await expect(unknown.send(new DescribeInstanceInformationCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    const known = new SSMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIASHELLSTEPCI00001', secretAccessKey: 'ci-secret' } });
    expect((await known.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList).toEqual([]);
    expect(server.stderr()).not.toContain('reachable from other machines');
    // This machine's tests may run as root (containers): then serve says what that means, otherwise it says nothing.
    const root = process.getuid?.() === 0;
    expect(server.stderr().includes('WARNING: serve runs as root, so every command sent to a local instance runs as root')).toBe(root);
  });

  test('should exit 1 naming the file when the credentials file has no key pair', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-creds-'));
    const file = join(dir, 'credentials');
    writeFileSync(file, '[broken]\naws_access_key_id = AKIASHELLSTEPBROKEN1\n');
    const out = shellstep(['serve', '--port', '0', '--credentials', file]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`${file}: Section [broken] needs aws_access_key_id and aws_secret_access_key.`);
  });
});
