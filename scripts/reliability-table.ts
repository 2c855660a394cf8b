/**
 * `npm run reliability`: runs the fault matrix (test/reliability/scenarios.ts) through the local engine, for our
 * runbooks and the original sample's, and writes docs/reliability.md from what it observed.
 */
import { writeFileSync } from 'node:fs';
import { FLAVORS } from '../test/reliability/harness.js';
import { SCENARIOS, outcome, runScenario, type ScenarioResult } from '../test/reliability/scenarios.js';
import { hangCount, renderTable } from '../test/reliability/table.js';

const results: ScenarioResult[] = [];
for (const flavor of FLAVORS) {
  for (const scenario of SCENARIOS) {
    const result = await runScenario(scenario, flavor);
    results.push(result);
    const flags = `${result.hung ? ' HANG' : ''}${result.problems.length > 0 ? ` UNEXPECTED: ${result.problems.join('; ')}` : ''}`;
    console.log(`${flavor.padEnd(9)} ${scenario.id.padEnd(26)} ${outcome(result)}${flags}`);
  }
}
const out = new URL('../docs/reliability.md', import.meta.url);
writeFileSync(out, renderTable(results));
const ours = hangCount(results, 'ours');
const original = hangCount(results, 'original');
console.log(`hangs: ours ${ours.hangs} of ${ours.ran}, original ${original.hangs} of ${original.ran}`);
console.log(`wrote ${out.pathname}`);
const unexpected = results.filter((r) => r.problems.length > 0).length;
process.exit(unexpected > 0 || ours.hangs > 0 ? 1 : 0);
