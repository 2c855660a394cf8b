/** Prints every conformance failure: `npx tsx test/conformance/run-all.ts [filter]`. */
import { compare, compareEvents, loadCases, runCase } from './asl-cases.js';

const filter = process.argv[2];
const cases = loadCases().filter((c) => filter === undefined || c.id.includes(filter));
let pass = 0;
let eventPass = 0;
let eventTotal = 0;
for (const c of cases) {
  let reason: string | undefined;
  let eventReason: string | undefined;
  try {
    const run = await runCase(c);
    reason = compare(c, run);
    eventReason = compareEvents(c, run);
    if (c.events !== undefined) {
      eventTotal++;
      if (eventReason === undefined) eventPass++;
    }
  } catch (error) {
    reason = `threw ${String(error)}`;
  }
  if (reason === undefined) pass++;
  else console.log(`FAIL ${c.id}\n     ${reason}`);
  if (process.env['EVENTS'] !== undefined && eventReason !== undefined) console.log(`EVENTS ${c.id}\n     ${eventReason}`);
}
console.log(`${pass}/${cases.length} passed; event sequences ${eventPass}/${eventTotal}`);
