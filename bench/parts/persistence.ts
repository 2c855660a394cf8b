/**
 * What `serve --data-dir` costs: sample executions per second (Task → SfnRunCommandByInstanceIds → `true` →
 * SendTaskSuccess, at concurrency 50) on an engine that keeps its records in memory, and on one that writes them
 * through to SQLite (src/engine/store/), in the same process, alternated so that drift of the machine falls on both.
 *  - persistenceMemoryExecutionsPerSec / persistenceSqliteExecutionsPerSec: the better of the rounds of each;
 *  - persistenceToMemoryRatio = SQLite ÷ memory (goal ≥ 0.7);
 *  - persistenceDatabaseKiBPerExecution: the database's size once closed, over the executions it holds (each with its
 *    automation, command and history).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { built } from '../built.js';
import { writePart } from '../part.js';

const { LocalEngine } = await built<typeof import('../../src/engine/local-engine.js')>('engine/local-engine');
const { runbookTask } = await built<typeof import('../../src/definitions/state-machines.js')>('definitions/state-machines');
const { openSqliteStore, DATABASE_FILE } = await built<typeof import('../../src/engine/store/index.js')>('engine/store/index');

const root = new URL('../../', import.meta.url).pathname;
const EXECUTIONS = Number(process.env['BENCH_PERSISTENCE_EXECUTIONS'] ?? 600);
const ROUNDS = Number(process.env['BENCH_PERSISTENCE_ROUNDS'] ?? 2);
const CONCURRENCY = 50;

async function pool(count: number, concurrency: number, task: () => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await task();
      }
    }),
  );
  return performance.now() - started;
}

/** One round: a fresh engine (and data folder), the runbooks deployed, `EXECUTIONS` sample executions timed. */
async function round(durable: boolean): Promise<{ perSec: number; kibPerExecution: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'shellstep-bench-persistence-'));
  const store = durable ? openSqliteStore(join(dir, 'data')) : undefined;
  const engine = new LocalEngine({ clock: 'real', instancesDir: join(dir, 'instances'), ...(store === undefined ? {} : { store: store.scope('us-east-1') }) });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await engine.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    store?.close();
  };
  try {
    engine.roles.define('arn:aws:iam::123456789012:role/bench');
    const instance = engine.instances.add();
    await engine.deploy(readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8'), { stackName: 'shellstep-runbooks' });
    const { stateMachineArn } = await engine.sfn.CreateStateMachine({
      name: 'bench-persistence',
      roleArn: 'arn:aws:iam::123456789012:role/bench',
      definition: JSON.stringify({
        StartAt: 'Run',
        States: { Run: { ...runbookTask({ documentName: 'SfnRunCommandByInstanceIds', parameters: { InstanceIds: [instance.instanceId], Commands: ['true'] }, timeoutSeconds: 4500 }), End: true } },
      }),
    });
    let failed = 0;
    const run = async () => {
      const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
      if ((await engine.sfn.waitForExecution(executionArn)).status !== 'SUCCEEDED') failed++;
    };
    await pool(50, CONCURRENCY, run);
    const wall = await pool(EXECUTIONS, CONCURRENCY, run);
    if (failed > 0) throw new Error(`${failed} sample executions did not succeed: no figure`);
    const perSec = (EXECUTIONS / wall) * 1000;
    await stop();
    // Closed, the write-ahead log is checkpointed into the database file: its size is what the records take.
    const file = join(dir, 'data', DATABASE_FILE);
    const bytes = store === undefined ? 0 : statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    return { perSec, kibPerExecution: store === undefined ? null : bytes / 1024 / (EXECUTIONS + 50) };
  } finally {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const memory: number[] = [];
const sqlite: number[] = [];
let kib: number | null = null;
for (let i = 0; i < ROUNDS; i++) {
  memory.push((await round(false)).perSec);
  const durable = await round(true);
  sqlite.push(durable.perSec);
  kib = durable.kibPerExecution;
}
const best = (xs: number[]) => Math.max(...xs);
const round1 = (x: number) => Math.round(x * 10) / 10;
const memoryRate = best(memory);
const sqliteRate = best(sqlite);
process.stderr.write(`persistence: memory ${memory.map(round1).join(', ')} /s, sqlite ${sqlite.map(round1).join(', ')} /s\n`);
writePart('persistence', {
  title: 'Persistence (serve --data-dir): sample executions per second, in memory and in SQLite',
  values: {
    persistenceMemoryExecutionsPerSec: round1(memoryRate),
    persistenceSqliteExecutionsPerSec: round1(sqliteRate),
    persistenceToMemoryRatio: Math.round((sqliteRate / memoryRate) * 1000) / 1000,
    persistenceDatabaseKiBPerExecution: kib === null ? null : round1(kib),
  },
  rows: [
    { label: 'in memory (executions/s)', key: 'persistenceMemoryExecutionsPerSec' },
    { label: 'SQLite, --data-dir (executions/s)', key: 'persistenceSqliteExecutionsPerSec' },
    { label: 'SQLite ÷ memory', key: 'persistenceToMemoryRatio', goal: '≥ 0.7' },
    { label: 'database KiB per execution', key: 'persistenceDatabaseKiBPerExecution' },
  ],
  notes: [
    `Load average when the part ended: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} (2 cores shared with other work: the rounds vary, hence the better of each).`,
    `${EXECUTIONS} sample executions at concurrency ${CONCURRENCY} per round, ${ROUNDS} rounds of each alternated, the better round of each reported; records written through once per event-loop turn in one transaction (WAL, synchronous=NORMAL).`,
  ],
});
