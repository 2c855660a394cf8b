/**
 * The client side of the moto comparison (bench/parts/vs-moto.ts): one process with AWS SDK v3 clients, run once per
 * measurement and per endpoint, so that shellstep and moto are driven by the same client code in a process of its
 * own. Takes one JSON argument, prints one JSON result on stdout.
 *
 * Every wait is a poll with no pause: the next request leaves when the previous answer arrives, the same for both
 * endpoints, so a latency is the time until the client can observe the result.
 */
import { spawn } from 'node:child_process';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';

type Task =
  | { kind: 'coldstart'; command: string[]; port: number; env?: Record<string, string> }
  | { kind: 'sfn'; endpoint: string; roleArn: string; concurrency: number; executions: number; motoReset?: string }
  | { kind: 'cfn'; endpoint: string; template: string; stacks: number }
  | { kind: 'runcommand'; endpoint: string; instanceId: string; commands: number };

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
const config = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  maxAttempts: 1,
});
const now = () => performance.now();

async function coldStart(t: Extract<Task, { kind: 'coldstart' }>): Promise<{ ms: number }> {
  const started = now();
  const child = spawn(t.command[0]!, t.command.slice(1), { stdio: 'ignore', env: { ...process.env, ...t.env }, detached: true });
  const sfn = new SFNClient(config(`http://127.0.0.1:${t.port}`));
  try {
    for (;;) {
      if (now() - started > 60_000) throw new Error(`no answer from ${t.command.join(' ')} within 60 s`);
      try {
        await sfn.send(new ListStateMachinesCommand({}));
        return { ms: now() - started };
      } catch (error) {
        // Refused while the server starts: ask again at once, as a harness waiting for it would.
        if ((error as { code?: string }).code !== 'ECONNREFUSED' && !String(error).includes('ECONNREFUSED')) throw error;
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  } finally {
    sfn.destroy();
    process.kill(-child.pid!, 'SIGKILL');
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function sfnRoundTrip(t: Extract<Task, { kind: 'sfn' }>) {
  const sfn = new SFNClient(config(t.endpoint));
  const definition = JSON.stringify({
    StartAt: 'A',
    States: { A: { Type: 'Pass', Result: { a: 1 }, Next: 'B' }, B: { Type: 'Pass', ResultPath: '$.b', Next: 'C' }, C: { Type: 'Pass', End: true } },
  });
  const create = async (i: number) =>
    (await sfn.send(new CreateStateMachineCommand({ name: `bench-${process.pid}-${i}`, definition, roleArn: t.roleArn }))).stateMachineArn!;
  // moto 5.2 in executing mode fails (HTTP 500) to start any execution after its first one: every state machine holds
  // its backend, which deep-copying a state machine on start copies too, and a finished execution left a lock in it.
  // With `motoReset`, each execution starts on a reset backend with a new state machine, prepared before the clock
  // starts; so moto can be measured one execution at a time only.
  const upfront: string[] = [];
  if (t.motoReset === undefined) for (let i = 0; i < t.executions; i++) upfront.push(await create(i));
  const prepare = async (i: number): Promise<string> => {
    if (t.motoReset === undefined) return upfront[i]!;
    await fetch(`${t.motoReset}/moto-api/reset`, { method: 'POST' });
    await fetch(`${t.motoReset}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
    return create(i);
  };
  if (t.motoReset !== undefined && t.concurrency !== 1) throw new Error('a reset between executions allows concurrency 1 only');
  const latencies: number[] = [];
  let next = 0;
  let prepared = 0;
  const one = async (n: number) => {
    const before = now();
    const stateMachineArn = await prepare(n);
    const started = now();
    prepared += started - before;
    // Named, since moto names every unnamed execution "None".
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `e-${n}`, input: '{"x":1}' }));
    for (;;) {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status === 'SUCCEEDED') break;
      if (status !== 'RUNNING') throw new Error(`execution ended ${status}`);
    }
    latencies.push(now() - started);
  };
  const started = now();
  await Promise.all(
    Array.from({ length: t.concurrency }, async () => {
      while (next < t.executions) await one(next++);
    }),
  );
  // Wall time without the preparation that ran inside it (moto's resets, at concurrency 1 only).
  const seconds = (now() - started - prepared) / 1000;
  sfn.destroy();
  latencies.sort((a, b) => a - b);
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), perSec: t.executions / seconds };
}

async function cfnDeploy(t: Extract<Task, { kind: 'cfn' }>) {
  const cfn = new CloudFormationClient(config(t.endpoint));
  const times: number[] = [];
  for (let i = 0; i < t.stacks; i++) {
    const started = now();
    const StackName = `bench-${process.pid}-${i}`;
    // Each stack gets its own document names (the template's prefix parameter): names are unique per account and Region.
    const Parameters = [{ ParameterKey: 'DocumentNamePrefix', ParameterValue: `${StackName}-` }];
    await cfn.send(new CreateStackCommand({ StackName, TemplateBody: t.template, Parameters, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }));
    for (;;) {
      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName }));
      const status = Stacks?.[0]?.StackStatus;
      if (status === 'CREATE_COMPLETE') break;
      if (status !== 'CREATE_IN_PROGRESS') throw new Error(`stack ended ${status ?? 'unknown'}: ${Stacks?.[0]?.StackStatusReason ?? ''}`);
    }
    times.push(now() - started);
  }
  cfn.destroy();
  times.sort((a, b) => a - b);
  return { p50Ms: percentile(times, 50) };
}

async function runCommand(t: Extract<Task, { kind: 'runcommand' }>) {
  const ssm = new SSMClient(config(t.endpoint));
  const times: number[] = [];
  for (let i = 0; i < t.commands; i++) {
    const started = now();
    const { Command } = await ssm.send(new SendCommandCommand({ InstanceIds: [t.instanceId], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['true'] } }));
    for (;;) {
      try {
        const { Status } = await ssm.send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId!, InstanceId: t.instanceId }));
        if (Status === 'Success') break;
        if (Status !== 'Pending' && Status !== 'InProgress' && Status !== 'Delayed') throw new Error(`command ended ${Status ?? 'unknown'}`);
      } catch (error) {
        // AWS answers InvocationDoesNotExist until the invocation is recorded.
        if ((error as Error).name !== 'InvocationDoesNotExist') throw error;
      }
    }
    times.push(now() - started);
  }
  ssm.destroy();
  times.sort((a, b) => a - b);
  return { p50Ms: percentile(times, 50) };
}

const result =
  task.kind === 'coldstart' ? await coldStart(task) : task.kind === 'sfn' ? await sfnRoundTrip(task) : task.kind === 'cfn' ? await cfnDeploy(task) : await runCommand(task);
process.stdout.write(`${JSON.stringify(result)}\n`);
