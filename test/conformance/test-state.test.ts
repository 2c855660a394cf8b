/**
 * TestState conformance: every AWS-recorded case in `test/fixtures/conformance/test-state/dev.jsonl` is sent to the
 * local endpoint with the AWS SDK v3 client and its response compared with AWS's (per the dataset's README).
 *
 * Ratchet: the pass count must not fall below the best reached so far (PASS_RATCHET), and every case that does not
 * pass must be listed by id, with its reason, in the TestState section of docs/fidelity.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { useLocalEndpoint } from '../helpers/local-endpoint.js';
import { clientFor, compare, loadCases, runCase } from './test-state-cases.js';

/** Best pass count reached. Raise it when more pass; never lower it. */
const PASS_RATCHET = 133;

const local = useLocalEndpoint();

describe('TestState conformance (AWS-recorded cases)', () => {
  test('should pass at least the ratcheted number of cases through the endpoint', async () => {
    const client = clientFor(local.endpoint.url);
    const cases = loadCases();
    const failures: { id: string; reason: string }[] = [];
    for (const c of cases) {
      const reason = compare(c, await runCase(client, c));
      if (reason !== undefined) failures.push({ id: c.id, reason });
    }
    client.destroy();
    const passed = cases.length - failures.length;
    console.log(`TestState conformance: ${passed}/${cases.length} cases passed`);
    for (const f of failures) console.log(`  FAIL ${f.id}: ${f.reason}`);

    const fidelity = readFileSync(new URL('../../docs/fidelity.md', import.meta.url), 'utf8');
    const start = fidelity.indexOf('<!-- section:test-state -->');
    const section = start === -1 ? '' : fidelity.slice(start, fidelity.indexOf('<!-- /section:test-state -->'));
    const unlisted = failures.filter((f) => !section.includes(f.id)).map((f) => f.id);
    expect(unlisted, 'failing cases missing from docs/fidelity.md').toEqual([]);
    expect(passed).toBeGreaterThanOrEqual(PASS_RATCHET);
  }, 120_000);
});
