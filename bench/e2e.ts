/**
 * End-to-end benchmark of the whole local engine against the machine's physical limit, measured in one run:
 *  - rawSpawnPerSec: `sh -c true` spawned from Node at concurrency 50 (what running a command costs at least);
 *  - e2eExecutionsPerSec: sample executions (Task → SfnRunCommandByInstanceIds → `true` → SendTaskSuccess) at
 *    concurrency 50, and e2eRatio = e2e / raw (goal ≥ 0.8);
 *  - callbackP50Ms / callbackP99Ms: command process exit (invocation ExecutionEndDateTime) → TaskSucceeded;
 *  - rssPerWaitingExecutionKiB: RSS growth per execution waiting on a long command;
 *  - coldStartMs: `shellstep run-state-machine` on a 3-state machine, process start to result.
 * Writes bench/results/e2e.json. Run through `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEngine } from '../src/engine/local-engine.js';
import { runbookTask } from '../src/definitions/state-machines.js';

const root = new URL('../', import.meta.url).pathname;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EXECUTIONS = env('BENCH_E2E_EXECUTIONS', 2000);
const CONCURRENCY = 50;
// Each waiting execution holds two real processes (sh and sleep); 1,000 keeps the machine usable. The interpreter
// benchmark measures 10,000 executions waiting on callbacks without processes.
const WAITING = env('BENCH_WAITING_EXECUTIONS', 1000);

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'true'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/** Runs `task` `count` times with at most `concurrency` in flight; returns the wall time in ms. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function engineWithSample(clock: 'real' | 'fast') {
  const engine = new LocalEngine({ clock, concurrentAutomationQuota: 1000 });
  const instance = engine.instances.add();
  await engine.deploy(readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8'), { stackName: 'shellstep-runbooks' });
  const machine = (commands: string[]) =>
    engine.sfn.CreateStateMachine({
      name: `bench-${Math.random().toString(36).slice(2, 8)}`,
      roleArn: 'arn:aws:iam::123456789012:role/bench',
      definition: JSON.stringify({
        StartAt: 'Run',
        States: {
          Run: {
            ...runbookTask({ documentName: 'SfnRunCommandByInstanceIds', parameters: { InstanceIds: [instance.instanceId], Commands: commands }, timeoutSeconds: 4500 }),
            End: true,
          },
        },
      }),
    });
  return { engine, instance, machine };
}

async function e2e(): Promise<{ perSec: number; p50: number; p99: number; failed: number }> {
  const { engine, instance, machine } = await engineWithSample('real');
  const { stateMachineArn } = await machine(['true']);
  const latencies: number[] = [];
  let failed = 0;
  const wall = await pool(EXECUTIONS, CONCURRENCY, async () => {
    const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
    const result = await engine.sfn.waitForExecution(executionArn);
    if (result.status !== 'SUCCEEDED') {
      failed++;
      return;
    }
    const history = await engine.sfn.GetExecutionHistory({ executionArn });
    const succeeded = history.events.find((e) => e.type === 'TaskSucceeded');
    const commandId = (result.output as { CommandId?: string } | undefined)?.CommandId;
    if (succeeded === undefined || commandId === undefined) return;
    const invocation = await engine.ssm.GetCommandInvocation({ CommandId: commandId, InstanceId: instance.instanceId });
    const ended = Date.parse(String(invocation.ExecutionEndDateTime));
    if (!Number.isNaN(ended)) latencies.push(succeeded.timestamp.getTime() - ended);
  });
  await engine.close();
  latencies.sort((a, b) => a - b);
  return { perSec: (EXECUTIONS / wall) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed };
}

/**
 * RSS per waiting execution as a slope: RSS with a first population waiting, then with a second one added, so the
 * engine's own startup (and memory freed after deploying, which returns to the OS later) cancels out.
 */
async function waitingMemory(): Promise<{ kib: number; count: number }> {
  const { engine, machine } = await engineWithSample('real');
  const { stateMachineArn } = await machine(['sleep 3600']);
  const first = Math.max(1, Math.floor(WAITING / 5));
  const startWaiting = async (count: number, total: number): Promise<void> => {
    await pool(count, 100, async () => {
      await engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
    });
    // Let every automation reach its running command.
    for (let i = 0; i < 600; i++) {
      const running = (await engine.ssm.ListCommands({})).Commands.filter((c) => c.Status === 'InProgress').length;
      if (running >= total) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const settledRss = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      global.gc?.();
      await new Promise((r) => setTimeout(r, 200));
    }
    return process.memoryUsage().rss;
  };
  await startWaiting(first, first);
  const before = await settledRss();
  await startWaiting(WAITING - first, WAITING);
  const after = await settledRss();
  await engine.close();
  return { kib: (after - before) / 1024 / (WAITING - first), count: WAITING };
}

async function coldStart(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'shellstep-bench-'));
  const file = join(dir, 'three-states.asl.json');
  writeFileSync(
    file,
    JSON.stringify({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Result: 1, ResultPath: '$.a', Next: 'B' }, B: { Type: 'Pass', Result: 2, ResultPath: '$.b', Next: 'C' }, C: { Type: 'Succeed' } },
    }),
  );
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [`${root}dist/cli/main.js`, 'run-state-machine', '--definition', file, '--input', '{}'], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`run-state-machine exited ${code}`))));
    });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function runE2eBench(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
  log(`raw spawn: ${EXECUTIONS} × sh -c true at concurrency ${CONCURRENCY}`);
  await pool(100, CONCURRENCY, spawnTrue);
  const rawWall = await pool(EXECUTIONS, CONCURRENCY, spawnTrue);
  const rawSpawnPerSec = (EXECUTIONS / rawWall) * 1000;
  log(`  ${rawSpawnPerSec.toFixed(0)} /s`);
  log(`end to end: ${EXECUTIONS} sample executions running \`true\` at concurrency ${CONCURRENCY}`);
  const run = await e2e();
  log(`  ${run.perSec.toFixed(0)} /s (ratio ${(run.perSec / rawSpawnPerSec).toFixed(2)}), callback p50 ${run.p50} ms p99 ${run.p99} ms, ${run.failed} failed`);
  log(`memory: ${WAITING} executions waiting on \`sleep 3600\` (in a fresh process)`);
  const memory = await inFreshProcess<{ kib: number; count: number }>('memory');
  log(`  ${memory.kib.toFixed(1)} KiB per waiting execution (${memory.count})`);
  log('cold start: shellstep run-state-machine, 3 states, median of 7');
  const cold = await coldStart();
  log(`  ${cold.toFixed(0)} ms`);
  const result = {
    rawSpawnPerSec: Math.round(rawSpawnPerSec),
    e2eExecutionsPerSec: Math.round(run.perSec),
    e2eRatio: Number((run.perSec / rawSpawnPerSec).toFixed(3)),
    e2eFailedExecutions: run.failed,
    callbackP50Ms: run.p50,
    callbackP99Ms: run.p99,
    rssPerWaitingExecutionKiB: Number(memory.kib.toFixed(1)),
    waitingExecutions: memory.count,
    coldStartMs: Math.round(cold),
    executions: EXECUTIONS,
    concurrency: CONCURRENCY,
  };
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/e2e.json`, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** Runs one measurement in a new Node process, so that earlier phases' heap does not blur it. */
function inFreshProcess<T>(mode: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${mode} measurement exited ${code}`))));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === 'memory') {
    process.stdout.write(JSON.stringify(await waitingMemory()));
    process.exit(0);
  } else {
    await runE2eBench();
  }
}
