/**
 * The client side of the endpoint benchmark (bench/parts/endpoint.ts): AWS SDK v3 in a process of its own, as a user's
 * test suite would be. Takes one JSON argument, prints one JSON result on stdout.
 *
 * It creates the sample state machine (a Task on SfnRunCommandByInstanceIds running `true`), warms up, then runs
 * `executions` sample executions at `concurrency`: StartExecution, then DescribeExecution every `pollMs` until the
 * execution has ended. Step Functions has no call that waits for a Standard execution (StartSyncExecution is for
 * Express workflows, which cannot wait for a task token), so polling is how any client learns the result.
 */
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

export interface ClientTask {
  readonly endpoint: string;
  readonly definition: string;
  readonly roleArn: string;
  readonly executions: number;
  readonly warmup: number;
  readonly concurrency: number;
  readonly pollMs: number;
}

export interface ClientResult {
  readonly perSec: number;
  readonly failed: number;
  /** DescribeExecution calls per execution. */
  readonly pollsPerExecution: number;
  /** CPU time of this client process per execution, ms. */
  readonly clientCpuMsPerExecution: number;
}

const task = JSON.parse(process.argv[2] ?? '{}') as ClientTask;
const sfn = new SFNClient({
  endpoint: task.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  maxAttempts: 1,
});
const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: `bench-endpoint-${process.pid}`, definition: task.definition, roleArn: task.roleArn }));

let polls = 0;
let failed = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const one = async (): Promise<void> => {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
  for (;;) {
    await sleep(task.pollMs);
    polls++;
    const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status === 'RUNNING' || status === 'PENDING_REDRIVE') continue;
    if (status !== 'SUCCEEDED') failed++;
    return;
  }
};
const pool = async (count: number): Promise<number> => {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: task.concurrency }, async () => {
      while (next < count) {
        next++;
        await one();
      }
    }),
  );
  return performance.now() - started;
};
await pool(task.warmup);
polls = 0;
failed = 0;
const cpu = process.cpuUsage();
const ms = await pool(task.executions);
const used = process.cpuUsage(cpu);
sfn.destroy();
const result: ClientResult = {
  perSec: (task.executions / ms) * 1000,
  failed,
  pollsPerExecution: polls / task.executions,
  clientCpuMsPerExecution: (used.user + used.system) / 1000 / task.executions,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
