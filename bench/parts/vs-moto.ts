/**
 * shellstep's endpoint against moto's server, the local endpoint users would otherwise pick, in the same run, on the
 * same machine, driven by the same client (AWS SDK v3 in a process of its own: bench/vs-moto/driver.ts). Ratios are
 * shellstep ÷ moto for times (lower is better) and for rates (higher is better):
 *  - cold start: process start until the first ListStateMachines answer (median of alternating runs);
 *  - Step Functions: StartExecution → DescribeExecution SUCCEEDED of a 3-state Pass machine, moto with its
 *    execution turned on (`execute_state_machine` through its config API), p50/p99 at concurrency 1 and 16, and
 *    executions per second at 16;
 *  - CloudFormation: CreateStack of the runbooks template → CREATE_COMPLETE;
 *  - Run Command: SendCommand → GetCommandInvocation Success. moto answers with a canned result and runs nothing;
 *    shellstep runs a real process, so this row compares different work and is reported, not judged.
 * When moto_server is not installed, the part says so and reports no figure (it never guesses).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort, writePart, type BenchValue } from '../part.js';

const root = new URL('../../', import.meta.url).pathname;
const driver = new URL('../vs-moto/driver.ts', import.meta.url).pathname;
const COLD_STARTS = Number(process.env['BENCH_COLD_STARTS'] ?? 5);
const INSTANCE = 'i-0b000000000000001';
const ROLE = 'arn:aws:iam::123456789012:role/bench-sfn';

function drive<T>(task: object): T {
  const run = spawnSync(process.execPath, ['--import', 'tsx', driver, JSON.stringify(task)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`driver failed (${JSON.stringify(task).slice(0, 120)}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 3): number | null => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);

const shellstepServe = (port: number, extra: string[] = []) => [process.execPath, `${root}dist/cli/main.js`, 'serve', '--port', String(port), ...extra];
const motoServe = (port: number) => ['moto_server', '-p', String(port)];

async function startAndWait(command: string[], port: number): Promise<ChildProcess> {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore', detached: true });
  for (let i = 0; i < 600; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { method: 'POST' });
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${command.join(' ')} did not listen within 30 s`);
}

// moto's server needs boto3 too: without either, the comparison is skipped, never guessed.
const motoVersion = spawnSync('python3', ['-c', 'import boto3, moto; print(moto.__version__)'], { encoding: 'utf8' });
const hasMoto = motoVersion.status === 0 && spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;

const values: Record<string, BenchValue> = {};
const notes: string[] = [];
if (!hasMoto) {
  notes.push('moto_server (or boto3 beside it) is not installed on this machine: the comparison was skipped (no figure is reported).');
  for (const key of ['vsMotoColdStartRatio', 'vsMotoSfnP50Ratio', 'vsMotoSfnThroughputRatio', 'vsMotoCfnDeployRatio']) values[key] = null;
} else {
  notes.push(`moto ${motoVersion.stdout.trim()} (moto_server, Werkzeug threaded server), AWS SDK v3 client in a separate process for both.`);
  notes.push(
    'moto 5.2 in executing mode answers HTTP 500 to every StartExecution after its first (a state machine holds its backend, which is deep-copied on start, and a finished execution left a lock in it). So moto is measured one execution at a time, each on a reset backend with a new state machine, both prepared outside the timed part, and its concurrency-16 row is what moto answers then: an error, reported as n/a. shellstep runs each execution on a state machine of its own too, created before timing.',
  );
  // Cold start: alternate the two, so that drift of the machine falls on both alike.
  const ours: number[] = [];
  const moto: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const p1 = await freePort();
    ours.push(drive<{ ms: number }>({ kind: 'coldstart', command: shellstepServe(p1), port: p1 }).ms);
    const p2 = await freePort();
    moto.push(drive<{ ms: number }>({ kind: 'coldstart', command: motoServe(p2), port: p2 }).ms);
  }
  values['coldStartServeMs'] = round(median(ours), 0);
  values['coldStartMotoMs'] = round(median(moto), 0);
  values['vsMotoColdStartRatio'] = round(median(ours) / median(moto));

  const ourPort = await freePort();
  const motoPort = await freePort();
  const serve = await startAndWait(shellstepServe(ourPort, ['--instance', INSTANCE, '--role', ROLE]), ourPort);
  const motoServer = await startAndWait(motoServe(motoPort), motoPort);
  try {
    await fetch(`http://127.0.0.1:${motoPort}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
    const endpoints = { ours: `http://127.0.0.1:${ourPort}`, moto: `http://127.0.0.1:${motoPort}` };
    type Sfn = { p50Ms: number; p99Ms: number; perSec: number };
    for (const concurrency of [1, 16]) {
      const executions = concurrency === 1 ? 200 : 800;
      const a = drive<Sfn>({ kind: 'sfn', endpoint: endpoints.ours, roleArn: ROLE, concurrency, executions });
      let b: Sfn;
      try {
        b = drive<Sfn>({ kind: 'sfn', endpoint: endpoints.moto, roleArn: ROLE, concurrency, executions, ...(concurrency === 1 ? { motoReset: endpoints.moto } : {}) });
      } catch (error) {
        notes.push(`moto at concurrency ${concurrency}: ${String((error as Error).message).split('\n').find((l) => /Error|status|500/.test(l)) ?? 'failed'}`);
        b = { p50Ms: Number.NaN, p99Ms: Number.NaN, perSec: Number.NaN };
      }
      values[`sfnC${concurrency}P50Ms`] = round(a.p50Ms, 2);
      values[`sfnC${concurrency}P99Ms`] = round(a.p99Ms, 2);
      values[`sfnC${concurrency}PerSec`] = round(a.perSec, 0);
      values[`motoSfnC${concurrency}P50Ms`] = round(b.p50Ms, 2);
      values[`motoSfnC${concurrency}P99Ms`] = round(b.p99Ms, 2);
      values[`motoSfnC${concurrency}PerSec`] = round(b.perSec, 0);
      if (concurrency === 1) values['vsMotoSfnP50Ratio'] = round(a.p50Ms / b.p50Ms);
      else {
        values['vsMotoSfnC16P50Ratio'] = round(a.p50Ms / b.p50Ms);
        values['vsMotoSfnThroughputRatio'] = round(a.perSec / b.perSec, 2);
      }
    }
    const template = readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8');
    const cfnOurs = drive<{ p50Ms: number }>({ kind: 'cfn', endpoint: endpoints.ours, template, stacks: 5 });
    const cfnMoto = drive<{ p50Ms: number }>({ kind: 'cfn', endpoint: endpoints.moto, template, stacks: 5 });
    values['cfnDeployMs'] = round(cfnOurs.p50Ms, 1);
    values['motoCfnDeployMs'] = round(cfnMoto.p50Ms, 1);
    values['vsMotoCfnDeployRatio'] = round(cfnOurs.p50Ms / cfnMoto.p50Ms);
    const rcOurs = drive<{ p50Ms: number }>({ kind: 'runcommand', endpoint: endpoints.ours, instanceId: INSTANCE, commands: 50 });
    const rcMoto = drive<{ p50Ms: number }>({ kind: 'runcommand', endpoint: endpoints.moto, instanceId: INSTANCE, commands: 50 });
    values['runCommandMs'] = round(rcOurs.p50Ms, 1);
    values['motoRunCommandMs'] = round(rcMoto.p50Ms, 1);
    notes.push('Run Command: moto returns a canned Success and runs nothing; shellstep starts a real `sh` process per command, so the two rows measure different work.');
  } finally {
    for (const child of [serve, motoServer]) if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }
}

writePart('vs-moto', {
  title: 'Through the endpoint, against moto_server (ratios shellstep ÷ moto)',
  values,
  rows: [
    { label: 'Cold start to first ListStateMachines answer, shellstep serve, ms', key: 'coldStartServeMs' },
    { label: 'Cold start to first ListStateMachines answer, moto_server, ms', key: 'coldStartMotoMs' },
    { label: 'Cold start ratio', key: 'vsMotoColdStartRatio', goal: '≤ 0.5' },
    { label: 'Step Functions round trip p50, concurrency 1, shellstep, ms', key: 'sfnC1P50Ms' },
    { label: 'Step Functions round trip p50, concurrency 1, moto, ms', key: 'motoSfnC1P50Ms' },
    { label: 'Step Functions round trip p99, concurrency 1, shellstep, ms', key: 'sfnC1P99Ms' },
    { label: 'Step Functions round trip p99, concurrency 1, moto, ms', key: 'motoSfnC1P99Ms' },
    { label: 'Step Functions p50 ratio, concurrency 1', key: 'vsMotoSfnP50Ratio', goal: '≤ 0.5' },
    { label: 'Step Functions round trip p50, concurrency 16, shellstep, ms', key: 'sfnC16P50Ms' },
    { label: 'Step Functions round trip p50, concurrency 16, moto, ms', key: 'motoSfnC16P50Ms' },
    { label: 'Step Functions round trip p99, concurrency 16, shellstep, ms', key: 'sfnC16P99Ms' },
    { label: 'Step Functions round trip p99, concurrency 16, moto, ms', key: 'motoSfnC16P99Ms' },
    { label: 'Step Functions p50 ratio, concurrency 16', key: 'vsMotoSfnC16P50Ratio', goal: '≤ 0.5' },
    { label: 'Executions/s at concurrency 16, shellstep', key: 'sfnC16PerSec' },
    { label: 'Executions/s at concurrency 16, moto', key: 'motoSfnC16PerSec' },
    { label: 'Executions/s ratio (shellstep ÷ moto)', key: 'vsMotoSfnThroughputRatio', goal: '≥ 2' },
    { label: 'CreateStack of the runbooks template → CREATE_COMPLETE, shellstep, ms', key: 'cfnDeployMs' },
    { label: 'CreateStack of the runbooks template → CREATE_COMPLETE, moto, ms', key: 'motoCfnDeployMs' },
    { label: 'CloudFormation deploy ratio', key: 'vsMotoCfnDeployRatio', goal: '≤ 1' },
    { label: 'SendCommand → GetCommandInvocation Success, shellstep (a real process), ms', key: 'runCommandMs' },
    { label: 'SendCommand → GetCommandInvocation Success, moto (canned, runs nothing), ms', key: 'motoRunCommandMs' },
  ],
  notes,
});
process.stdout.write(`${JSON.stringify(values)}\n`);
