/** Prints every sfn-api conformance failure: `npx tsx test/conformance/run-sfn-api.ts [filter]`. */
import { ApiHarness, describeFailures, loadApiCases, passed, runApiCase } from './sfn-api-cases.js';

const filter = process.argv[2];
const cases = loadApiCases().filter((c) => filter === undefined || c.id.includes(filter));
const harness = new ApiHarness();
await harness.start();
let pass = 0;
let checks = 0;
let checksPassed = 0;
const kinds = new Map<string, number>();
for (const c of cases) {
  const result = await runApiCase(harness, c);
  checks += result.checks.length;
  checksPassed += result.checks.filter((x) => x.failure === undefined).length;
  if (passed(result)) pass++;
  else {
    console.log(`FAIL ${c.id}\n     ${describeFailures(result).join('\n     ')}`);
    for (const x of result.checks) if (x.failure !== undefined) kinds.set(x.failure.kind, (kinds.get(x.failure.kind) ?? 0) + 1);
    if (result.error !== undefined) kinds.set(result.error.kind, (kinds.get(result.error.kind) ?? 0) + 1);
  }
}
await harness.stop();
console.log(`${pass}/${cases.length} cases passed; ${checksPassed}/${checks} checked responses; failures by kind: ${JSON.stringify(Object.fromEntries(kinds))}`);
