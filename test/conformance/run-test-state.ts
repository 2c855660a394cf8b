/** Prints every TestState conformance failure: `npx tsx test/conformance/run-test-state.ts [filter]`. */
import { LocalEngine } from '../../src/engine/local-engine.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import { clientFor, compare, loadCases, runCase } from './test-state-cases.js';

const filter = process.argv[2];
const engine = new LocalEngine({ clock: 'fast' });
const endpoint = await startLocalEndpoint(engine);
const client = clientFor(endpoint.url);
const cases = loadCases().filter((c) => filter === undefined || c.id.includes(filter));
let pass = 0;
for (const c of cases) {
  const reason = compare(c, await runCase(client, c));
  if (reason === undefined) pass++;
  else console.log(`FAIL ${c.id}\n     ${reason}`);
}
console.log(`${pass}/${cases.length} passed`);
client.destroy();
await endpoint.close();
await engine.close();
