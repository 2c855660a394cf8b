/**
 * The evaluation budgets (docs/security.md): how long ASL validation takes by nesting depth, and whether the endpoint
 * keeps answering while it processes hostile input. For each evil input, `shellstep serve` (a process of its own)
 * handles that input again and again for a window of time while this process sends a cheap request
 * (ListStateMachines) one after another; the p99 of those probes is the figure (goal: under 100 ms). A definition is
 * sent with CreateStateMachine; an expression runs in an execution, polled until it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { validateStateMachine } from '../../src/validate/asl.js';
import { freePort, writePart, type BenchValue } from '../part.js';

const root = new URL('../../', import.meta.url).pathname;
const WINDOW_MS = Number(process.env['BENCH_BUDGET_WINDOW_MS'] ?? 2_000);
const ROLE = 'arn:aws:iam::123456789012:role/bench-budgets';

const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const round = (x: number, digits = 1): number | null => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);

// ---------------------------------------------------------------- hostile inputs

function nested(depth: number, kind: 'Parallel' | 'Map'): object {
  let inner: object = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
  for (let i = 0; i < depth; i++) {
    const state = kind === 'Parallel' ? { Type: 'Parallel', Branches: [inner], End: true } : { Type: 'Map', ItemProcessor: inner, End: true };
    inner = { StartAt: `S${i}`, States: { [`S${i}`]: state } };
  }
  return inner;
}

/** Just under 1,048,576 bytes: a chain of Pass states, the largest definition AWS accepts. */
function wide(): string {
  const states: Record<string, object> = {};
  let n = 0;
  let size = 0;
  while (size < 1_000_000) {
    states[`S${n}`] = { Type: 'Pass', Next: `S${n + 1}` };
    size += 40;
    n++;
  }
  states[`S${n}`] = { Type: 'Pass', End: true };
  return JSON.stringify({ StartAt: 'S0', States: states });
}

const jsonata = (expression: string): object => ({ QueryLanguage: 'JSONata', StartAt: 'E', States: { E: { Type: 'Pass', Output: `{% ${expression} %}`, End: true } } });

interface Evil {
  readonly key: string;
  readonly label: string;
  /** A definition to create (again and again), or a machine whose executions run the evil input. */
  readonly definition?: string;
  readonly machine?: { readonly definition: object; readonly input?: string };
}

function evils(): Evil[] {
  let chain: unknown = Array.from({ length: 20_000 }, (_, i) => ({ a: i }));
  for (let i = 0; i < 400; i++) chain = { b: chain };
  return [
    { key: 'Nested50', label: 'CreateStateMachine, Parallel nested 50 levels', definition: JSON.stringify(nested(50, 'Parallel')) },
    { key: 'Wide1MB', label: 'CreateStateMachine, 1 MB definition (25,000 states)', definition: wide() },
    { key: 'DeepJson', label: 'CreateStateMachine, JSON nested 100,000 levels (refused)', definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}` },
    { key: 'JsonataLoop', label: 'JSONata endless recursion `($f := function($n){ $f($n+1) }; $f(0))`', machine: { definition: jsonata('($f := function($n){ $f($n+1) }; $f(0))') } },
    { key: 'JsonataDeep', label: 'JSONata deep recursion (depth budget)', machine: { definition: jsonata('($f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(100000))') } },
    { key: 'JsonataRegex', label: 'JSONata catastrophic regex `$match(…, /(a+)+$/)`', machine: { definition: jsonata(`$match("${'a'.repeat(30)}!", /(a+)+$/)`) } },
    { key: 'JsonataRange', label: 'JSONata `$join([1..10000000].$string($), ",")`', machine: { definition: jsonata('$join([1..10000000].$string($), ",")') } },
    { key: 'JsonataDistinct', label: 'JSONata `$distinct([1..100000])`', machine: { definition: jsonata('$count($distinct([1..100000]))') } },
    { key: 'JsonataSort', label: 'JSONata `$sort` with a slow comparator', machine: { definition: jsonata('$sort([1..20000], function($a, $b){ $count([1..200]) > 0 and $a < $b })') } },
    {
      key: 'JsonPathDescent',
      label: 'JSONPath `$..b..a` over a 230 KB input',
      machine: { definition: { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'found.$': '$..b..a' }, End: true } } }, input: JSON.stringify(chain) },
    },
    {
      key: 'ArrayUnique',
      label: 'States.ArrayUnique of 40,000 items',
      machine: { definition: { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'u.$': 'States.ArrayUnique($.a)' }, End: true } } }, input: JSON.stringify({ a: Array.from({ length: 40_000 }, (_, i) => i) }) },
    },
  ];
}

// ---------------------------------------------------------------- the endpoint under load

async function serve(): Promise<{ child: ChildProcess; client: SFNClient }> {
  const port = await freePort();
  const child = spawn(process.execPath, [`${root}dist/cli/main.js`, 'serve', '--port', String(port), '--role', ROLE], { stdio: 'ignore' });
  const client = new SFNClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCHBUDGETS', secretAccessKey: 'bench' }, maxAttempts: 1 });
  for (let i = 0; i < 600; i++) {
    try {
      await client.send(new ListStateMachinesCommand({}));
      return { child, client };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('shellstep serve did not answer within 30 s');
}

/** Runs `work` again and again for the window while probing; returns the probes' latencies and the work count. */
async function underLoad(client: SFNClient, work: (() => Promise<void>) | undefined): Promise<{ latencies: number[]; runs: number }> {
  const latencies: number[] = [];
  let done = false;
  const probing = (async () => {
    while (!done) {
      const t = performance.now();
      await client.send(new ListStateMachinesCommand({}));
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const started = performance.now();
  let runs = 0;
  if (work === undefined) await new Promise((r) => setTimeout(r, WINDOW_MS));
  else {
    do {
      await work();
      runs++;
    } while (performance.now() - started < WINDOW_MS);
  }
  done = true;
  await probing;
  return { latencies, runs };
}

async function main(): Promise<void> {
  const values: Record<string, BenchValue> = {};
  const rows: { label: string; key: string; goal?: string }[] = [];

  // Validation time by nesting depth, in this process (median of 5).
  for (const kind of ['Parallel', 'Map'] as const) {
    for (const depth of [10, 20, 30, 50]) {
      const definition = nested(depth, kind);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const issues = validateStateMachine(definition);
        times.push(performance.now() - t);
        if (issues.length > 0) throw new Error(`nested ${kind} ${depth}: ${JSON.stringify(issues)}`);
      }
      const key = `validation${kind}Depth${depth}Ms`;
      values[key] = round(percentile(times, 50), 2);
      rows.push({ label: `Validation of ${kind} nested ${depth} levels, ms (median)`, key, ...(depth === 50 ? { goal: '< 1000' } : {}) });
    }
  }
  const wideText = wide();
  const wideTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    validateStateMachine(JSON.parse(wideText));
    wideTimes.push(performance.now() - t);
  }
  values['validationWide1MBMs'] = round(percentile(wideTimes, 50), 1);
  rows.push({ label: 'Validation of a 1 MB definition (25,000 states), ms (median)', key: 'validationWide1MBMs' });

  const { child, client } = await serve();
  try {
    const idle = await underLoad(client, undefined);
    values['probeIdleP99Ms'] = round(percentile(idle.latencies, 99));
    rows.push({ label: 'Probe (ListStateMachines) p99 with nothing else running, ms', key: 'probeIdleP99Ms' });
    let n = 0;
    for (const evil of evils()) {
      let work: () => Promise<void>;
      if (evil.definition !== undefined) {
        const definition = evil.definition;
        work = async () => {
          await client.send(new CreateStateMachineCommand({ name: `evil-${++n}`, definition, roleArn: ROLE })).catch(() => undefined);
        };
      } else {
        const machine = evil.machine!;
        const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: `evil-${++n}`, definition: JSON.stringify(machine.definition), roleArn: ROLE }));
        work = async () => {
          const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: machine.input ?? '{}' }));
          for (;;) {
            const { status } = await client.send(new DescribeExecutionCommand({ executionArn }));
            if (status !== 'RUNNING') return;
            await new Promise((r) => setTimeout(r, 50));
          }
        };
      }
      const { latencies, runs } = await underLoad(client, work);
      const key = `probeP99Ms${evil.key}`;
      values[key] = round(percentile(latencies, 99));
      values[`probeCount${evil.key}`] = latencies.length;
      rows.push({ label: `Probe p99 during: ${evil.label} (${runs} run${runs === 1 ? '' : 's'}), ms`, key, goal: '< 100' });
      process.stderr.write(`${evil.key}: probe p99 ${String(values[key])} ms over ${latencies.length} probes, ${runs} runs\n`);
    }
  } finally {
    child.kill('SIGTERM');
  }
  writePart('budgets', {
    title: 'Evaluation budgets: validation by nesting depth, and the endpoint under hostile input',
    values,
    rows,
    notes: [`Each hostile input is processed again and again for ${WINDOW_MS} ms (at least once) while probes run one after another.`],
  });
}

await main();
