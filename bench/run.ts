/**
 * `npm run bench`: runs each benchmark in a process of its own, one after another (they measure the machine, so they
 * never overlap), then merges their results (bench/report.ts). The parts are bench/interpreter.ts, bench/e2e.ts and
 * every file in bench/parts/, in name order. `npm run bench -- <name> …` runs only the named parts (e.g. `e2e`); the
 * report then merges them with the results other parts left in bench/results/.
 *
 * A part writes bench/results/<name>.json; a file in bench/parts/ writes a `BenchPart` (bench/part.ts).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';

const here = new URL('./', import.meta.url).pathname;
const parts = [
  `${here}interpreter.ts`,
  `${here}e2e.ts`,
  ...readdirSync(`${here}parts`)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => `${here}parts/${f}`),
];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !parts.some((p) => basename(p, '.ts') === w));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench part(s): ${unknown.join(', ')}; parts: ${parts.map((p) => basename(p, '.ts')).join(', ')}\n`);
  process.exit(2);
}
let failed = false;
for (const part of parts) {
  if (wanted.length > 0 && !wanted.includes(basename(part, '.ts'))) continue;
  process.stderr.write(`\n== bench ${basename(part, '.ts')}\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', part], { stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write(`bench ${basename(part, '.ts')} failed (exit ${String(run.status ?? run.signal)})\n`);
    failed = true;
  }
}
const report = spawnSync(process.execPath, ['--import', 'tsx', `${here}report.ts`], { stdio: 'inherit' });
process.exit(failed || report.status !== 0 ? 1 : 0);
