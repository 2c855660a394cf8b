/**
 * End-to-end benchmark of the whole local engine against the machine's physical limit, measured in one run:
 *  - rawSpawnPerSec: `sh -c true` spawned at concurrency 50 from a fresh, bare Node process (what running a command
 *    costs at least), measured before and after the end-to-end run and averaged, since the machine's rate drifts;
 *  - rawAgentCommandPerSec: the same for the agent's own command line, `sh -c <script file>` whose file holds `true`
 *    (aws-semantics §6.1); dash runs a script without `#!` by exec'ing itself again, so this is the limit for the
 *    work a faithful run does;
 *  - e2eExecutionsPerSec: sample executions (Task → SfnRunCommandByInstanceIds → `true` → SendTaskSuccess) at
 *    concurrency 50, e2eRatio = e2e / rawSpawnPerSec (goal ≥ 0.8) and e2eRatioAgentCommand = e2e /
 *    rawAgentCommandPerSec;
 *  - rawAgentCommandNativeStarterPerSec: the agent's command line started by the native starter the spawner helper
 *    uses where it is built (native/spawner: posix_spawn on worker threads, output piped), from a bare Node process,
 *    and e2eRatioNativeStarter = e2e / that rate: what the engine itself costs beside the starter;
 *  - callbackP50Ms / callbackP99Ms: command process end (invocation ExecutionEndDateTime, stamped when the spawner
 *    saw the process end) → TaskSucceeded, during the full-load run, so queueing behind 49 other executions counts;
 *    callbackUnloadedP50Ms / callbackUnloadedP99Ms: the same with one execution at a time;
 *  - rssPerWaitingExecutionKiB: RSS growth per execution waiting on a long command, of the engine's process plus its
 *    spawner helper (not of the commands' own processes);
 *  - coldStartMs: `shellstep run-state-machine` on a 3-state machine, process start to result.
 * Writes bench/results/e2e.json. Run through `npm run bench`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { built } from './built.js';

const { LocalEngine } = await built<typeof import('../src/engine/local-engine.js')>('engine/local-engine');
const { runbookTask } = await built<typeof import('../src/definitions/state-machines.js')>('definitions/state-machines');
const { spawnerPid, unstartedScripts } = await built<typeof import('../src/engine/run-command/plugins/process-spawner.js')>('engine/run-command/plugins/process-spawner');

const root = new URL('../', import.meta.url).pathname;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EXECUTIONS = env('BENCH_E2E_EXECUTIONS', 2000);
const CONCURRENCY = 50;
/** Executions run one at a time for the callback path's own latency, without the queueing of a full-load run. */
const UNLOADED = env('BENCH_UNLOADED_EXECUTIONS', 300);
/**
 * Each waiting execution holds two real processes (sh and sleep), and two descriptors in the spawner helper for the
 * script's output: dash's `sh -c <file>` keeps them open in its parent shell even after the script's `exec >/dev/null`.
 * So the helper's open-file limit bounds the count: 10,000 where it allows, fewer (reported) where it does not.
 */
const WAITING = Math.min(env('BENCH_WAITING_EXECUTIONS', 10_000), Math.floor((openFileLimit() - 200) / 2));

/** The soft RLIMIT_NOFILE that the spawner helper inherits (`ulimit -n`); unlimited or unknown counts as large. */
function openFileLimit(): number {
  const limit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  return Number.isFinite(limit) && limit > 0 ? limit : Number.MAX_SAFE_INTEGER;
}

/**
 * Spawns `sh -c <command>` `count` times at concurrency 50 from a new bare Node process (no engine, no loader in its
 * heap, which would make each fork slower) and returns the rate per second.
 */
function rawSpawnRate(command: string, count: number): Promise<number> {
  const program = `
    const { spawn } = require('node:child_process');
    const one = () => new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', ${JSON.stringify(command)}], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', resolve);
    });
    const pool = async (n) => {
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: ${CONCURRENCY} }, async () => { while (next < n) { next++; await one(); } }));
      return performance.now() - started;
    };
    pool(100).then(() => pool(${count})).then((ms) => process.stdout.write(String((${count} / ms) * 1000)));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`raw spawn measurement exited ${code}`))));
  });
}

/** The native starter the spawner helper uses where it could be built (native/spawner), or undefined. */
const NATIVE_STARTER = `${root}native/spawner/build/Release/shellstep_spawner.node`;

/**
 * The agent's command line started `count` times at concurrency 50 by the native starter from a new bare Node process,
 * as the spawner helper starts it (script written on a worker thread, its own session, output piped and read): the
 * limit of the starter the engine uses, beside Node's spawn above. Undefined where the starter is not built.
 */
function rawNativeRate(count: number): Promise<number | undefined> {
  if (!existsSync(NATIVE_STARTER)) return Promise.resolve(undefined);
  const dir = mkdtempSync(join(tmpdir(), 'shellstep-bench-native-'));
  const program = `
    const native = require(${JSON.stringify(NATIVE_STARTER)});
    const net = require('node:net');
    const env = Object.entries(process.env).map(([k, v]) => k + '=' + v);
    const waiting = new Map();
    // A start's answer comes on a later turn: its process may have been reaped already.
    const early = new Set();
    process.on('SIGCHLD', () => {
      const ended = native.reap();
      for (let i = 0; i < ended.length; i += 3) { const w = waiting.get(ended[i]); if (w) { w.exited = true; w.done(); } else early.add(ended[i]); }
    });
    let n = 0;
    const one = () => new Promise((resolve, reject) => {
      const folder = ${JSON.stringify(dir)} + '/' + n++;
      native.spawn(folder, folder + '/_script.sh', 'true\\n', 'sh', ['sh', '-c', folder + '/_script.sh'], env, '/', (started) => {
        if (started.length !== 3) return reject(new Error('start failed: ' + started));
        const w = { exited: early.delete(started[0]), open: 2, done() { if (this.exited && this.open === 0) resolve(); } };
        waiting.set(started[0], w);
        for (const fd of started.slice(1)) {
          const s = new net.Socket({ fd, readable: true, writable: false });
          s.on('data', () => {});
          s.on('close', () => { w.open--; w.done(); });
        }
      });
    });
    const keep = setInterval(() => {}, 1000);
    const pool = async (count) => {
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: ${CONCURRENCY} }, async () => { while (next < count) { next++; await one(); } }));
      return performance.now() - started;
    };
    pool(100).then(() => pool(${count})).then((ms) => { clearInterval(keep); process.stdout.write(String((${count} / ms) * 1000)); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(Number(out));
      else reject(new Error(`native start measurement exited ${code}`));
    });
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
  // Raised above AWS's default of 100 concurrent automations so that every waiting execution runs its command.
  const engine = new LocalEngine({ clock, concurrentAutomationQuota: Math.max(1000, WAITING) });
  // The role the bench's state machines run under must exist, as on AWS.
  engine.roles.define('arn:aws:iam::123456789012:role/bench');
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

/** `count` sample executions at `concurrency`: their rate and the callback latency (process end → TaskSucceeded). */
async function e2e(count: number, concurrency: number): Promise<{ perSec: number; p50: number; p99: number; failed: number }> {
  const { engine, instance, machine } = await engineWithSample('real');
  const { stateMachineArn } = await machine(['true']);
  const succeeded: { executionArn: string; commandId: string | undefined }[] = [];
  let failed = 0;
  const wall = await pool(count, concurrency, async () => {
    const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
    const result = await engine.sfn.waitForExecution(executionArn);
    if (result.status !== 'SUCCEEDED') {
      failed++;
      return;
    }
    succeeded.push({ executionArn, commandId: (result.output as { CommandId?: string } | undefined)?.CommandId });
  });
  // Read once the timed run is over: these calls are the benchmark's own work, which would otherwise run in the
  // engine's event loop between the callbacks it measures (and count in the rate).
  const latencies: number[] = [];
  for (const { executionArn, commandId } of succeeded) {
    const history = await engine.sfn.GetExecutionHistory({ executionArn });
    const taskSucceeded = history.events.find((e) => e.type === 'TaskSucceeded');
    if (taskSucceeded === undefined || commandId === undefined) continue;
    const invocation = await engine.ssm.GetCommandInvocation({ CommandId: commandId, InstanceId: instance.instanceId });
    const ended = Date.parse(String(invocation.ExecutionEndDateTime));
    if (!Number.isNaN(ended)) latencies.push(taskSucceeded.timestamp.getTime() - ended);
  }
  await engine.close();
  latencies.sort((a, b) => a - b);
  return { perSec: (count / wall) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed };
}

/**
 * RSS per waiting execution as a slope: RSS with a first population waiting, then with a second one added, so the
 * engine's own startup (and memory freed after deploying, which returns to the OS later) cancels out.
 */
async function waitingMemory(): Promise<{ kib: number; count: number }> {
  const { engine, machine } = await engineWithSample('real');
  const { stateMachineArn } = await machine(['exec >/dev/null 2>&1', 'sleep 3600']);
  const first = Math.max(1, Math.floor(WAITING / 5));
  const startWaiting = async (count: number, total: number): Promise<void> => {
    await pool(count, 100, async () => {
      await engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
    });
    // Let every automation reach its running command (ListCommands pages hold at most 50 commands).
    const inProgress = async (): Promise<number> => {
      let count = 0;
      let token: string | undefined;
      do {
        const page = await engine.ssm.ListCommands({ Filters: [{ key: 'Status', value: 'InProgress' }], MaxResults: 50, ...(token === undefined ? {} : { NextToken: token }) });
        count += page.Commands.length;
        token = page.NextToken;
      } while (token !== undefined);
      return count;
    };
    for (let i = 0; i < 300 && (await inProgress()) < total; i++) await new Promise((r) => setTimeout(r, 1000));
    // A command is InProgress once the agent takes it, before its process starts: wait for the spawner to start every
    // one, so that requests still queued for it do not count as memory of waiting executions.
    for (let i = 0; i < 300 && unstartedScripts() > 0; i++) await new Promise((r) => setTimeout(r, 1000));
    const running = await inProgress();
    if (running < total || unstartedScripts() > 0) {
      throw new Error(`only ${running} of ${total} commands are running (${unstartedScripts()} not started): no memory figure`);
    }
  };
  const settledRss = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      global.gc?.();
      await new Promise((r) => setTimeout(r, 200));
    }
    // The engine's process plus its spawner helper, which holds the ChildProcess objects.
    const helper = spawnerPid();
    return process.memoryUsage().rss + (helper === undefined ? 0 : rssOf(helper));
  };
  await startWaiting(first, first);
  const before = await settledRss();
  await startWaiting(WAITING - first, WAITING);
  const after = await settledRss();
  await engine.close();
  return { kib: (after - before) / 1024 / (WAITING - first), count: WAITING };
}

/** The machine's number of threads (`/proc/loadavg`, Linux), to wait until a phase's processes are gone. */
function threadCount(): number {
  try {
    const match = /\s\d+\/(\d+)\s/.exec(readFileSync('/proc/loadavg', 'utf8'));
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

/** Resident set size of another process, from /proc (Linux); 0 when it is not readable. */
function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
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
  const scriptDir = mkdtempSync(join(tmpdir(), 'shellstep-bench-script-'));
  const script = join(scriptDir, '_script.sh');
  writeFileSync(script, 'true\n', { mode: 0o755 });
  const raw = async (): Promise<{ sh: number; agent: number; native: number | undefined }> => ({
    sh: await rawSpawnRate('true', EXECUTIONS),
    agent: await rawSpawnRate(script, EXECUTIONS),
    native: await rawNativeRate(EXECUTIONS),
  });
  log(`raw spawn from a bare Node process: ${EXECUTIONS} × sh -c true and × sh -c <script>, at concurrency ${CONCURRENCY}`);
  const rawBefore = await raw();
  log(`  ${rawBefore.sh.toFixed(0)} /s and ${rawBefore.agent.toFixed(0)} /s`);
  log(`end to end: ${EXECUTIONS} sample executions running \`true\` at concurrency ${CONCURRENCY}`);
  const run = await e2e(EXECUTIONS, CONCURRENCY);
  log(`  ${run.perSec.toFixed(0)} /s, callback p50 ${run.p50} ms p99 ${run.p99} ms (queueing at full load included), ${run.failed} failed`);
  log(`callback latency with one execution at a time: ${UNLOADED} sample executions`);
  const unloaded = await e2e(UNLOADED, 1);
  log(`  p50 ${unloaded.p50} ms p99 ${unloaded.p99} ms, ${unloaded.failed} failed`);
  log('raw spawn again');
  const rawAfter = await raw();
  log(`  ${rawAfter.sh.toFixed(0)} /s and ${rawAfter.agent.toFixed(0)} /s`);
  const rawSpawnPerSec = (rawBefore.sh + rawAfter.sh) / 2;
  const rawAgentCommandPerSec = (rawBefore.agent + rawAfter.agent) / 2;
  const rawNative = rawBefore.native === undefined || rawAfter.native === undefined ? undefined : (rawBefore.native + rawAfter.native) / 2;
  if (rawNative !== undefined) log(`  native starter (what the spawner helper uses): ${rawNative.toFixed(0)} /s`);
  log(`  ratio ${(run.perSec / rawSpawnPerSec).toFixed(2)} (to the agent's command line: ${(run.perSec / rawAgentCommandPerSec).toFixed(2)})`);
  // Before the memory phase: tearing down its 20,000 processes keeps the machine busy for a while afterwards.
  log('cold start: shellstep run-state-machine, 3 states, median of 7');
  const cold = await coldStart();
  log(`  ${cold.toFixed(0)} ms`);
  log(`memory: ${WAITING} executions waiting on \`sleep 3600\` (in a fresh process)`);
  const threads = threadCount();
  const memory = await inFreshProcess<{ kib: number; count: number }>('memory');
  log(`  ${memory.kib.toFixed(1)} KiB per waiting execution (${memory.count})`);
  // Leave a quiet machine: the killed commands take seconds to go, and would slow whatever runs next.
  for (let i = 0; i < 120 && threadCount() > threads + 100; i++) await new Promise((r) => setTimeout(r, 500));
  const result = {
    rawSpawnPerSec: Math.round(rawSpawnPerSec),
    rawSpawnPerSecBeforeAfter: [Math.round(rawBefore.sh), Math.round(rawAfter.sh)],
    rawAgentCommandPerSec: Math.round(rawAgentCommandPerSec),
    e2eExecutionsPerSec: Math.round(run.perSec),
    e2eRatio: Number((run.perSec / rawSpawnPerSec).toFixed(3)),
    e2eRatioAgentCommand: Number((run.perSec / rawAgentCommandPerSec).toFixed(3)),
    // The same command line from the native starter the helper uses (null where it is not built): the engine's own cost.
    rawAgentCommandNativeStarterPerSec: rawNative === undefined ? null : Math.round(rawNative),
    e2eRatioNativeStarter: rawNative === undefined ? null : Number((run.perSec / rawNative).toFixed(3)),
    e2eFailedExecutions: run.failed,
    callbackP50Ms: run.p50,
    callbackP99Ms: run.p99,
    callbackUnloadedP50Ms: unloaded.p50,
    callbackUnloadedP99Ms: unloaded.p99,
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
