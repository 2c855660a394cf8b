/**
 * `serve --data-dir` as a user runs it: records survive a stop and a `kill -9` in the middle of a burst of executions,
 * the database stays whole, nothing is left running, and a folder holding a file that is not shellstep's database is
 * refused with a message naming it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateDocumentCommand, DescribeDocumentCommand, DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DATABASE_FILE, SCHEMA_VERSION } from '../../src/engine/store/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
const ROLE = 'arn:aws:iam::123456789012:role/states';
const dirs: string[] = [];
const running: ServeProcess[] = [];

afterAll(() => {
  for (const serve of running) serve.child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shellstep-serve-data-'));
  dirs.push(dir);
  return dir;
}

async function serve(dir: string, args: readonly string[] = []): Promise<ServeProcess> {
  // The state machines' role is defined at every start, as a user repeats serve's arguments.
  const started = await startServe(['--data-dir', dir, '--role', ROLE, ...args]);
  running.push(started);
  return started;
}

function clients(endpoint: string): { sfn: SFNClient; ssm: SSMClient; cfn: CloudFormationClient } {
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 };
  return { sfn: new SFNClient(config), ssm: new SSMClient(config), cfn: new CloudFormationClient(config) };
}

function exited(serve: ServeProcess): Promise<number | null> {
  return serve.child.exitCode !== null ? Promise.resolve(serve.child.exitCode) : new Promise((resolve) => serve.child.once('exit', (code) => resolve(code)));
}

/** `serve --data-dir dir` that must refuse to start: its exit code and stderr. */
function refused(dir: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--data-dir', dir], { cwd: REPO_ROOT });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', () => child.kill('SIGKILL'));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

/** A chain of Pass states: each execution takes several turns of the engine, so a burst overlaps. */
const CHAIN = JSON.stringify({
  StartAt: 'S0',
  States: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`S${i}`, i === 7 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `S${i + 1}` }])),
});
/** The chain with a one-second Wait in the middle: a burst's executions are still running when the server dies. */
const WAITING_CHAIN = JSON.stringify({
  StartAt: 'S0',
  States: { S0: { Type: 'Pass', Next: 'Wait' }, Wait: { Type: 'Wait', Seconds: 1, Next: 'S1' }, S1: { Type: 'Pass', End: true } },
});
const TERMINAL_EVENT: Record<string, string> = { SUCCEEDED: 'ExecutionSucceeded', FAILED: 'ExecutionFailed', ABORTED: 'ExecutionAborted', TIMED_OUT: 'ExecutionTimedOut' };

describe('serve --data-dir', () => {
  test('brings back state machines, executions, documents, stacks and instances after a stop, with the same start arguments', async () => {
    const dir = dataDir();
    const args = ['--template', 'cloudformation/ssm-automation-documents.cfn.json', '--instance', 'i-0123456789abcdef0:Role=web'];
    const first = await serve(dir, args);
    const { sfn, ssm } = clients(first.endpoint);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'kept', roleArn: ROLE, definition: CHAIN }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'first-run', input: '{"keep":1}' }));
    for (let i = 0; i < 50 && (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 20));
    await ssm.send(new CreateDocumentCommand({ Name: 'Kept', DocumentType: 'Command', Content: JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['true'] } }] }) }));
    first.child.kill('SIGTERM');
    expect(await exited(first)).toBe(0);

    // The template is deployed already (no change) and the instance is the same node.
    const second = await serve(dir, args);
    expect(second.instances).toMatchObject([{ InstanceId: 'i-0123456789abcdef0' }]);
    const again = clients(second.endpoint);
    expect((await again.sfn.send(new ListStateMachinesCommand({}))).stateMachines?.map((m) => m.name)).toEqual(['kept']);
    // The shipped runbooks template deploys as shellstep-runbooks, the stack the sample imports from.
    expect((await again.cfn.send(new DescribeStacksCommand({ StackName: 'shellstep-runbooks' }))).Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    expect((await again.ssm.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList?.map((i) => i.InstanceId)).toEqual(['i-0123456789abcdef0']);
    expect(await again.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'SUCCEEDED', input: '{"keep":1}', output: '{"keep":1}' });
    const events = (await again.sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect((await again.ssm.send(new DescribeDocumentCommand({ Name: 'Kept' }))).Document).toMatchObject({ Name: 'Kept', DocumentType: 'Command' });
    second.child.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  });

  test('keeps the database whole and leaves nothing running after kill -9 during a burst of executions', async () => {
    const dir = dataDir();
    const first = await serve(dir);
    const { sfn } = clients(first.endpoint);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'burst', roleArn: ROLE, definition: WAITING_CHAIN }));
    // Finished well before the kill: these must all be there afterwards.
    const settled: string[] = [];
    for (let i = 0; i < 10; i++) settled.push((await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `settled-${i}` }))).executionArn!);
    for (const executionArn of settled) {
      for (let i = 0; i < 200 && (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    // The burst: 300 starts from 30 callers; the server dies after the 100th answer, in the middle of it.
    let answered = 0;
    const started: string[] = [];
    const killed = new Promise<void>((resolve) => {
      const callers = Array.from({ length: 30 }, async (_, c) => {
        for (let i = c; i < 300; i += 30) {
          try {
            started.push((await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `burst-${i}` }))).executionArn!);
          } catch {
            return;
          }
          if (++answered === 100) {
            first.child.kill('SIGKILL');
            resolve();
          }
        }
      });
      void Promise.all(callers).then(() => resolve());
    });
    await killed;
    expect(await exited(first)).toBe(null);
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await serve(dir);
    const again = clients(second.endpoint);
    const listed: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await again.sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
      listed.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const arns = new Set(listed.map((e) => e.executionArn));
    for (const executionArn of settled) expect(arns.has(executionArn)).toBe(true);
    expect(listed.length).toBeGreaterThanOrEqual(10 + 50);
    expect(listed.filter((e) => e.status === 'RUNNING')).toEqual([]);
    // The burst's executions were waiting when the server died: they ended ABORTED at the restart.
    expect(listed.filter((e) => e.status === 'ABORTED').length).toBeGreaterThanOrEqual(50);
    // Each execution's history is whole: ids 1..n, and it ends with the event of its status.
    for (const execution of listed) {
      const events = (await again.sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }))).events ?? [];
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]?.type).toBe('ExecutionStarted');
      expect(events.at(-1)?.type).toBe(TERMINAL_EVENT[execution.status!]);
    }
    const settledOne = await again.sfn.send(new DescribeExecutionCommand({ executionArn: settled[0] }));
    expect(settledOne.status).toBe('SUCCEEDED');
    second.child.kill('SIGTERM');
    expect(await exited(second)).toBe(0);

    const db = new Sqlite(join(dir, DATABASE_FILE), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  test('refuses a data folder whose database is a foreign file, another program’s, or of a newer schema, naming the file', async () => {
    const text = dataDir();
    writeFileSync(join(text, DATABASE_FILE), 'not a database at all\n'.repeat(100));
    const notDb = await refused(text);
    expect(notDb.code).toBe(1);
    expect(notDb.stderr).toContain(`--data-dir: ${join(text, DATABASE_FILE)}: is not an SQLite database`);
    expect(notDb.stderr).not.toMatch(/\n\s+at /);

    const foreign = dataDir();
    const other = new Sqlite(join(foreign, DATABASE_FILE));
    other.exec('CREATE TABLE invoices (id INTEGER)');
    other.close();
    expect((await refused(foreign)).stderr).toContain('is an SQLite database of another program (tables: invoices)');

    const newer = dataDir();
    const first = await serve(newer);
    first.child.kill('SIGTERM');
    await exited(first);
    const db = new Sqlite(join(newer, DATABASE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const refusal = await refused(newer);
    expect(refusal.code).toBe(1);
    expect(refusal.stderr).toContain(`was written by a newer shellstep (schema version ${SCHEMA_VERSION + 1}`);

    // A record edited into a shape the restore cannot read.
    const edited = dataDir();
    const second = await serve(edited);
    second.child.kill('SIGTERM');
    await exited(second);
    const rows = new Sqlite(join(edited, DATABASE_FILE));
    rows.prepare('INSERT INTO records (scope, kind, id, body) VALUES (?, ?, ?, ?)').run('us-east-1', 'ssm.command', 'x', '{"command": 42}');
    rows.close();
    const unreadable = await refused(edited);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain(`--data-dir: ${join(edited, DATABASE_FILE)}: a kept record cannot be restored`);
    expect(unreadable.stderr).not.toMatch(/\n\s+at /);
  });
});
