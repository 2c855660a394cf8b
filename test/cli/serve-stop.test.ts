/**
 * SIGTERM and SIGINT stop `serve` within 2 seconds under load, and every process it started ends with it (issue 13 §2):
 * a burst of running executions, commands running on two instances (each with a child of its own), open keep-alive
 * connections and requests arriving as the signal does.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { waitUntil } from '../helpers/fixtures.js';
import { startServe } from '../helpers/serve.js';

/** The promise of issue 13 §2. */
const STOP_WITHIN_MS = 2000;
const COMMANDS = 12;
const EXECUTIONS = 40;

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

/**
 * The processes that have not exited, by pid and process group. A killed process whose parent is gone stays a zombie
 * (state Z) until init reaps it, which this machine's init does only every second or so; it has ended all the same.
 */
function runningProcesses(): Array<{ pid: number; group: number }> {
  return execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 3 && !fields[2]!.startsWith('Z'))
    .map(([pid, group]) => ({ pid: Number(pid), group: Number(group) }));
}

/** The direct children of `pid` (the spawner helper), from ps. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('stopping serve', () => {
  test.each([
    ['SIGTERM', 'to serve'],
    ['SIGINT', 'to serve'],
    // Ctrl-C in a terminal: the whole foreground group gets SIGINT, the spawner helper with serve.
    ['SIGINT', "to serve's process group"],
  ] as const)('should stop within 2 s of %s %s under load, and leave no process it started', async (signal, target) => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-stop-'));
    const toGroup = target !== 'to serve';
    const server = await startServe(['--instance', 'auto:Role=load', '--instance', 'auto:Role=load'], process.env, { detached: toGroup });
    started.push(server.child);
    const config = { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
    const ssm = new SSMClient(config);
    const sfn = new SFNClient(config);
    try {
      // Each command records its process group (the shell is its group's leader) and leaves a child in it.
      const commandIds: string[] = [];
      for (let i = 0; i < COMMANDS; i++) {
        const sent = await ssm.send(
          new SendCommandCommand({
            DocumentName: 'AWS-RunShellScript',
            Targets: [{ Key: 'tag:Role', Values: ['load'] }],
            Parameters: { commands: ['sleep 60 &', `echo $(ps -o pgid= -p $$) $$ $! >> ${dir}/processes`, 'sleep 60'] },
          }),
        );
        commandIds.push(sent.Command!.CommandId!);
      }
      const wait = JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 300, End: true } } });
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'waits', definition: wait, roleArn: 'arn:aws:iam::123456789012:role/shellstep-local' }));
      await Promise.all(Array.from({ length: EXECUTIONS }, () => sfn.send(new StartExecutionCommand({ stateMachineArn }))));
      /** Per command: its process group, its shell and the shell's background child. */
      const recorded = (): number[][] => {
        try {
          return readFileSync(join(dir, 'processes'), 'utf8').split('\n').filter(Boolean).map((line) => line.trim().split(/\s+/).map(Number));
        } catch {
          return [];
        }
      };
      const groups = () => recorded().map(([group]) => group!);
      const processes = () => recorded().flatMap(([, ...pids]) => pids);
      await waitUntil(() => groups().length === COMMANDS * 2, `${COMMANDS * 2} commands to start`, 20_000);
      expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }))).executions).toHaveLength(EXECUTIONS);
      expect((await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandIds[0] }))).CommandInvocations?.every((i) => i.Status === 'InProgress')).toBe(true);
      const helpers = childrenOf(server.child.pid!);
      expect(helpers.length).toBeGreaterThan(0);
      const before = runningProcesses();
      expect(groups().every((g) => before.some((p) => p.group === g)) && processes().every((pid) => before.some((p) => p.pid === pid))).toBe(true);

      // Requests keep arriving while the signal lands.
      const inFlight = Array.from({ length: 20 }, () => sfn.send(new StartExecutionCommand({ stateMachineArn })).catch(() => undefined));
      const exited = new Promise<number>((resolve) => server.child.once('exit', () => resolve(performance.now())));
      const signalled = performance.now();
      if (toGroup) process.kill(-server.child.pid!, signal);
      else server.child.kill(signal);
      const stoppedAt = await Promise.race([exited, new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), STOP_WITHIN_MS).unref())]);
      expect(stoppedAt - signalled, `serve still running ${STOP_WITHIN_MS} ms after ${signal}`).toBeLessThan(STOP_WITHIN_MS);
      await waitUntil(
        () => {
          const left = runningProcesses();
          const ours = new Set([...processes(), ...helpers]);
          return !left.some((p) => groups().includes(p.group) || ours.has(p.pid));
        },
        'every command process, its group and the spawner helper to end',
        Math.max(1, signalled + STOP_WITHIN_MS - performance.now()),
      );
      await Promise.all(inFlight);
    } finally {
      ssm.destroy();
      sfn.destroy();
    }
  }, 60_000);
});
