/**
 * The endpoint's own path (issue 18 item 5): sample executions per second through `shellstep serve`, driven by AWS SDK
 * v3 clients in another process at concurrency 50, ÷ the same workload run in-process (a LocalEngine in this process,
 * set up as `serve` sets up its own), in the same run. The two alternate twice and each side's mean counts, so that
 * drift of a shared machine falls on both alike.
 *
 * The sample execution is the e2e benchmark's: a Task on SfnRunCommandByInstanceIds running `true` on one local
 * instance, which answers with SendTaskSuccess. In-process, the caller waits on the engine's own completion event;
 * through the endpoint, the client polls DescribeExecution (there is no other way to learn a Standard execution's end,
 * bench/endpoint/client.ts), every BENCH_ENDPOINT_POLL_MS (100 ms, as a test harness would; a shorter pause makes
 * more calls, each of which costs the SDK client far more CPU than the endpoint, on the same cores). The part also
 * reports the CPU each side spends per execution, which is where the gap goes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { writePart, type BenchValue } from '../part.js';
import { built } from '../built.js';
import type { ClientResult, ClientTask } from '../endpoint/client.js';

const { LocalEngine } = await built<typeof import('../../src/engine/local-engine.js')>('engine/local-engine');
const { runbookTask } = await built<typeof import('../../src/definitions/state-machines.js')>('definitions/state-machines');

const root = new URL('../../', import.meta.url).pathname;
const client = new URL('../endpoint/client.ts', import.meta.url).pathname;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EXECUTIONS = env('BENCH_ENDPOINT_EXECUTIONS', 600);
const WARMUP = 100;
const CONCURRENCY = 50;
const POLL_MS = env('BENCH_ENDPOINT_POLL_MS', 100);
const ROUNDS = 3;
const INSTANCE = 'i-0e000000000000001';
const ROLE = 'arn:aws:iam::123456789012:role/bench-endpoint';
const TEMPLATE = `${root}cloudformation/ssm-automation-documents.cfn.json`;
const definition = JSON.stringify({
  StartAt: 'Run',
  States: {
    Run: { ...runbookTask({ documentName: 'SfnRunCommandByInstanceIds', parameters: { InstanceIds: [INSTANCE], Commands: ['true'] }, timeoutSeconds: 4500 }), End: true },
  },
});

/** CPU ms (user + system) of a process and of its waited-for children, from /proc (Linux); undefined elsewhere. */
function cpuOf(pid: number): { self: number; children: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const tick = 1000 / 100;
    return { self: (Number(fields[11]) + Number(fields[12])) * tick, children: (Number(fields[13]) + Number(fields[14])) * tick };
  } catch {
    return undefined;
  }
}

/** Starts `shellstep serve` on a free port, set up for the sample, and resolves with its endpoint once it listens. */
async function startServe(): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(
    process.execPath,
    [`${root}dist/cli/main.js`, 'serve', '--port', '0', '--instance', INSTANCE, '--role', ROLE, '--template', TEMPLATE],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${err}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        resolve({ child, endpoint: (JSON.parse(out) as { endpoint: string }).endpoint });
      } catch {
        // Not the whole start JSON yet.
      }
    });
  });
}

function throughEndpoint(endpoint: string): ClientResult {
  const task: ClientTask = { endpoint, definition, roleArn: ROLE, executions: EXECUTIONS, warmup: WARMUP, concurrency: CONCURRENCY, pollMs: POLL_MS };
  const run = spawnSync(process.execPath, ['--import', 'tsx', client, JSON.stringify(task)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`endpoint client failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ClientResult;
}

/** The same workload in this process: an engine set up as `serve` sets up its own. */
async function inProcess(): Promise<{ perSec: number; failed: number; cpuMsPerExecution: number }> {
  const engine = new LocalEngine({ clock: 'real' });
  engine.roles.define(ROLE);
  engine.roles.define(ROLE);
  engine.instances.add({ instanceId: INSTANCE });
  await engine.deploy(readFileSync(TEMPLATE, 'utf8'), { stackName: 'ssm-automation-documents' });
  const { stateMachineArn } = await engine.sfn.CreateStateMachine({ name: 'bench-endpoint', definition, roleArn: ROLE });
  let failed = 0;
  const pool = async (count: number): Promise<number> => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) {
          next++;
          const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
          if ((await engine.sfn.waitForExecution(executionArn)).status !== 'SUCCEEDED') failed++;
        }
      }),
    );
    return performance.now() - started;
  };
  await pool(WARMUP);
  failed = 0;
  const cpu = process.cpuUsage();
  const ms = await pool(EXECUTIONS);
  const used = process.cpuUsage(cpu);
  await engine.close();
  return { perSec: (EXECUTIONS / ms) * 1000, failed, cpuMsPerExecution: (used.user + used.system) / 1000 / EXECUTIONS };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const serve = await startServe();
const endpointRates: number[] = [];
const inProcessRates: number[] = [];
let failed = 0;
let polls = 0;
let clientCpu = 0;
let serverCpu = 0;
let inProcessCpu = 0;
try {
  for (let round = 0; round < ROUNDS; round++) {
    const before = cpuOf(serve.child.pid!);
    const remote = throughEndpoint(serve.endpoint);
    const after = cpuOf(serve.child.pid!);
    if (before !== undefined && after !== undefined) serverCpu += (after.self - before.self) / (EXECUTIONS + WARMUP) / ROUNDS;
    endpointRates.push(remote.perSec);
    failed += remote.failed;
    polls += remote.pollsPerExecution / ROUNDS;
    clientCpu += remote.clientCpuMsPerExecution / ROUNDS;
    log(`through the endpoint: ${remote.perSec.toFixed(0)} sample executions/s (${remote.pollsPerExecution.toFixed(1)} polls each, client ${remote.clientCpuMsPerExecution.toFixed(2)} ms CPU each)`);
    const local = await inProcess();
    inProcessRates.push(local.perSec);
    inProcessCpu += local.cpuMsPerExecution / ROUNDS;
    failed += local.failed;
    log(`in-process: ${local.perSec.toFixed(0)} sample executions/s`);
  }
} finally {
  serve.child.kill('SIGKILL');
}
if (failed > 0) throw new Error(`${failed} sample executions did not succeed: no figure`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const values: Record<string, BenchValue> = {
  endpointExecutionsPerSec: Math.round(mean(endpointRates)),
  inProcessExecutionsPerSec: Math.round(mean(inProcessRates)),
  endpointToInProcessRatio: Number((mean(endpointRates) / mean(inProcessRates)).toFixed(3)),
  endpointPollsPerExecution: Number(polls.toFixed(2)),
  endpointServerCpuMsPerExecution: Number(serverCpu.toFixed(2)),
  endpointClientCpuMsPerExecution: Number(clientCpu.toFixed(2)),
  inProcessEngineCpuMsPerExecution: Number(inProcessCpu.toFixed(2)),
  // Per API call (StartExecution and the polls): what the client spends, and what serve spends beyond the engine's work.
  endpointClientCpuMsPerCall: Number((clientCpu / (1 + polls)).toFixed(3)),
  endpointServerCpuMsPerCall: Number(((serverCpu - inProcessCpu) / (1 + polls)).toFixed(3)),
};
writePart('endpoint', {
  title: "The endpoint's own path: sample executions through `serve` ÷ in-process",
  values,
  rows: [
    { label: `Sample executions/s through the endpoint (SDK v3 client process, concurrency ${CONCURRENCY}, DescribeExecution every ${POLL_MS} ms)`, key: 'endpointExecutionsPerSec' },
    { label: `Sample executions/s in-process (same workload, same run, concurrency ${CONCURRENCY})`, key: 'inProcessExecutionsPerSec' },
    { label: 'Endpoint ÷ in-process', key: 'endpointToInProcessRatio', goal: '≥ 0.7' },
    { label: 'DescribeExecution calls per execution', key: 'endpointPollsPerExecution' },
    { label: "serve's main process CPU per execution through the endpoint, ms (without its spawner helper and commands)", key: 'endpointServerCpuMsPerExecution' },
    { label: 'Client process CPU per execution, ms', key: 'endpointClientCpuMsPerExecution' },
    { label: "The in-process engine's CPU per execution, ms (without its spawner helper and commands)", key: 'inProcessEngineCpuMsPerExecution' },
    { label: 'Client CPU per API call (AWS SDK v3), ms', key: 'endpointClientCpuMsPerCall' },
    { label: "serve's CPU per API call beyond the engine's own work (HTTP, trust boundary, validation, JSON), ms", key: 'endpointServerCpuMsPerCall' },
  ],
  notes: [
    `${ROUNDS} rounds of ${EXECUTIONS} executions each way, alternating, after ${WARMUP} unmeasured ones; the figures are the means. Both sides share the machine's ${cpus().length} cores with the commands they run, and the endpoint side with its client process.`,
  ],
});
process.stdout.write(`${JSON.stringify(values)}\n`);
