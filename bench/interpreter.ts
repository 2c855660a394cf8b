/**
 * Interpreter benchmark: executions per second of four state machines (Pass chain, Choice, Map of 100, JSONata
 * transform), measured in the same run against `aws-local-stepfunctions` (the peer) on the JSONPath machines it
 * supports, plus the memory held by each execution waiting in a Wait state. Writes bench/results/interpreter.json.
 *
 * The peer is loaded from `aws-local-stepfunctions` if installed, else from $SHELLSTEP_BENCH_PEER (a path to the
 * package); without it the peer columns are null.  Run: `npm run bench`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { AwsApi } from '../src/engine/aws-api.js';
import type { Clock } from '../src/engine/clock.js';
import type { JsonValue } from '../src/model/json.js';
import type { StateMachineDefinition } from '../src/model/state-machine.js';
import { built } from './built.js';

const { RealClock, VirtualClock } = await built<typeof import('../src/engine/clock.js')>('engine/clock');
const { randomIds } = await built<typeof import('../src/engine/ids.js')>('engine/ids');
const { startExecution } = await built<typeof import('../src/engine/states/execution.js')>('engine/states/execution');
const { DEFAULT_INTEGRATIONS } = await built<typeof import('../src/engine/states/integrations/index.js')>('engine/states/integrations/index');
const { TaskTokens } = await built<typeof import('../src/engine/states/task-tokens.js')>('engine/states/task-tokens');
const { StepFunctionsService } = await built<typeof import('../src/engine/states/service.js')>('engine/states/service');

interface Machine {
  readonly name: string;
  readonly definition: StateMachineDefinition;
  readonly input: JsonValue;
  /** Whether the peer can run it (it ignores JSONata). */
  readonly peer: boolean;
}

const passChain: StateMachineDefinition = {
  StartAt: 'S0',
  States: Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [
      `S${i}`,
      { Type: 'Pass', Parameters: { 'step.$': '$.step', 'payload.$': '$.payload', n: i }, ResultPath: '$.last', ...(i === 19 ? { End: true } : { Next: `S${i + 1}` }) },
    ]),
  ),
} as unknown as StateMachineDefinition;

const choice: StateMachineDefinition = {
  StartAt: 'C0',
  States: {
    ...Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [
        `C${i}`,
        {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.n', NumericGreaterThan: 100 }, { Variable: '$.s', StringEquals: 'never' }], Next: 'Never' },
            { Variable: '$.s', StringMatches: 'val*', Next: i === 9 ? 'Done' : `C${i + 1}` },
          ],
          Default: 'Never',
        },
      ]),
    ),
    Never: { Type: 'Fail', Error: 'Unexpected' },
    Done: { Type: 'Succeed' },
  },
} as unknown as StateMachineDefinition;

const map100: StateMachineDefinition = {
  StartAt: 'M',
  States: {
    M: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
      ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': '$.value' }, End: true } } },
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

const jsonataTransform: StateMachineDefinition = {
  QueryLanguage: 'JSONata',
  StartAt: 'T',
  States: {
    T: {
      Type: 'Pass',
      Output: { total: '{% $sum($states.input.orders.amount) %}', names: '{% $states.input.orders[amount > 10].name %}', count: '{% $count($states.input.orders) %}' },
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

const MACHINES: readonly Machine[] = [
  { name: 'pass-chain-20', definition: passChain, input: { step: 1, payload: { a: [1, 2, 3], b: 'text' } }, peer: true },
  { name: 'choice-10', definition: choice, input: { n: 5, s: 'value' }, peer: true },
  { name: 'map-100', definition: map100, input: { items: Array.from({ length: 100 }, (_, i) => i) }, peer: true },
  {
    name: 'jsonata-transform',
    definition: jsonataTransform,
    input: { orders: Array.from({ length: 20 }, (_, i) => ({ name: `o${i}`, amount: i * 2 })) },
    peer: false,
  },
];

const noServices: AwsApi = { call: () => Promise.reject(new Error('no services in the benchmark')) };
const clock = new RealClock();
const tokens = new TaskTokens(randomIds);

async function runOurs(definition: StateMachineDefinition, input: JsonValue, clk: Clock = clock): Promise<void> {
  const execution = startExecution({
    definition,
    input,
    clock: clk,
    ids: randomIds,
    awsApi: noServices,
    tokens,
    integrations: DEFAULT_INTEGRATIONS,
    region: 'us-east-1',
    accountId: '123456789012',
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:bench:e',
    executionName: 'e',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
    stateMachineName: 'bench',
    roleArn: undefined,
  });
  const result = await execution.result;
  if (result.status !== 'SUCCEEDED') throw new Error(`benchmark machine failed: ${JSON.stringify(result)}`);
}

type PeerStateMachine = new (definition: unknown, options?: unknown) => { run(input: unknown): { result: Promise<unknown> } };

async function loadPeer(): Promise<{ StateMachine: PeerStateMachine; version: string } | undefined> {
  const candidates = ['aws-local-stepfunctions'];
  const fromEnv = process.env['SHELLSTEP_BENCH_PEER'];
  if (fromEnv !== undefined) candidates.push(pathToFileURL(`${fromEnv.replace(/\/$/, '')}/build/main.node.esm.js`).href);
  for (const specifier of candidates) {
    try {
      const mod = (await import(specifier)) as { StateMachine: PeerStateMachine };
      let version = 'unknown';
      try {
        // The package's `exports` hide package.json, so read it from the folder that holds the resolved entry.
        const { readFileSync } = await import('node:fs');
        const { fileURLToPath } = await import('node:url');
        const entry = fromEnv !== undefined && specifier !== 'aws-local-stepfunctions' ? `${fromEnv}/build/x` : fileURLToPath(import.meta.resolve('aws-local-stepfunctions'));
        const root = entry.slice(0, entry.lastIndexOf('/build/'));
        version = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string }).version;
      } catch {
        // The version is informative only.
      }
      return { StateMachine: mod.StateMachine, version };
    } catch {
      // Try the next candidate.
    }
  }
  return undefined;
}

/** Runs `once` repeatedly for about `ms` after a warm-up and returns executions per second. */
async function measure(once: () => Promise<void>, ms = 1500): Promise<number> {
  for (let i = 0; i < 50; i++) await once();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await once();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

/** Heap and RSS held per execution while `n` executions wait in a Wait state. */
async function waitingMemory(n: number): Promise<{ executions: number; heapBytesPerExecution: number; rssBytesPerExecution: number }> {
  const virtual = new VirtualClock();
  const definition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, Next: 'P' }, P: { Type: 'Pass', End: true } } } as unknown as StateMachineDefinition;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc to measure memory');
  await runOurs(definition, {}, new VirtualClock({ autoAdvance: true }));
  gc();
  gc();
  const before = process.memoryUsage();
  const running: Promise<void>[] = [];
  for (let i = 0; i < n; i++) running.push(runOurs(definition, { i, note: 'waiting' }, virtual));
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  const during = process.memoryUsage();
  await virtual.runAll();
  await Promise.all(running);
  return {
    executions: n,
    heapBytesPerExecution: Math.round((during.heapUsed - before.heapUsed) / n),
    rssBytesPerExecution: Math.round((during.rss - before.rss) / n),
  };
}

/**
 * The same through `StepFunctionsService`, each execution parked in a `.waitForTaskToken` Task (512-character
 * token), the shape of a shellstep run waiting for its runbook.
 */
async function waitingCallbackMemory(n: number): Promise<{ executions: number; heapBytesPerExecution: number; rssBytesPerExecution: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc to measure memory');
  const service = new StepFunctionsService({ clock: new VirtualClock(), awsApi: { call: () => Promise.resolve({ AutomationExecutionId: '12345678-1234-1234-1234-123456789012' }) } });
  const definition = {
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
        Parameters: { DocumentName: 'SfnRunCommandByInstanceIds', Parameters: { 'taskToken.$': 'States.Array($$.Task.Token)', 'Commands.$': '$.commands', InstanceIds: ['i-0123456789abcdef0'] } },
        End: true,
      },
    },
  };
  const { stateMachineArn } = await service.CreateStateMachine({ name: 'bench', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/bench' });
  await service.StartExecution({ stateMachineArn, input: '{"commands":["echo warm-up"]}' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc();
  gc();
  const before = process.memoryUsage();
  for (let i = 0; i < n; i++) await service.StartExecution({ stateMachineArn, input: JSON.stringify({ commands: ['echo hello'], i }) });
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  gc();
  const during = process.memoryUsage();
  if (service.tokens.waitingCount !== n + 1) throw new Error(`expected ${n + 1} waiting tasks, found ${service.tokens.waitingCount}`);
  return {
    executions: n,
    heapBytesPerExecution: Math.round((during.heapUsed - before.heapUsed) / n),
    rssBytesPerExecution: Math.round((during.rss - before.rss) / n),
  };
}

async function main(): Promise<void> {
  // Memory first, in a fresh heap, so garbage from the throughput runs does not blur it.
  const memory = await waitingMemory(10_000);
  console.log(`Wait-state executions: ${memory.heapBytesPerExecution} heap bytes, ${memory.rssBytesPerExecution} RSS bytes each (${memory.executions})`);
  const callbackMemory = await waitingCallbackMemory(10_000);
  console.log(`callback-waiting executions (service): ${callbackMemory.heapBytesPerExecution} heap bytes, ${callbackMemory.rssBytesPerExecution} RSS bytes each (${callbackMemory.executions})`);
  const peer = await loadPeer();
  const rows: { machine: string; oursPerSecond: number; peerPerSecond: number | null; speedup: number | null }[] = [];
  for (const m of MACHINES) {
    const ours = await measure(() => runOurs(m.definition, m.input));
    let theirs: number | null = null;
    if (peer !== undefined && m.peer) {
      const sm = new peer.StateMachine(m.definition, { validationOptions: { noValidate: true } });
      theirs = await measure(async () => {
        await sm.run(m.input).result;
      });
    }
    rows.push({ machine: m.name, oursPerSecond: Math.round(ours), peerPerSecond: theirs === null ? null : Math.round(theirs), speedup: theirs === null ? null : Number((ours / theirs).toFixed(2)) });
    console.log(`${m.name.padEnd(18)} ours ${Math.round(ours).toString().padStart(7)}/s   peer ${theirs === null ? '    n/a' : Math.round(theirs).toString().padStart(7)}/s`);
  }
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    peer: peer === undefined ? null : `aws-local-stepfunctions@${peer.version}`,
    machines: rows,
    waitingExecutions: memory,
    callbackWaitingExecutions: callbackMemory,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/interpreter.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
}

await main();
