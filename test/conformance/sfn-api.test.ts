/**
 * Step Functions API conformance: every AWS-recorded case in `test/fixtures/conformance/sfn-api/dev.jsonl` is replayed
 * through the real endpoint with the SDK v3 client and compared as the dataset's README prescribes.
 *
 * Ratchet: the pass counts (cases and checked responses) must not fall below the best reached so far, and every case
 * that does not pass must be listed by id, with its reason, in the Step Functions section of docs/fidelity.md.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiHarness, describeFailures, loadApiCases, passed, runApiCase, type CaseResult } from './sfn-api-cases.js';

/** Best counts reached (196 cases, 400 checked responses). Raise them when more pass; never lower them. */
const CASES_RATCHET = 174;
const CHECKS_RATCHET = 365;

const harness = new ApiHarness();
beforeAll(() => harness.start());
afterAll(() => harness.stop());

describe('Step Functions API conformance (AWS-recorded cases)', () => {
  test('should pass at least the ratcheted number of cases and checks through the endpoint', async () => {
    const cases = loadApiCases();
    const results: CaseResult[] = [];
    for (const c of cases) results.push(await runApiCase(harness, c));
    const failures = results.filter((r) => !passed(r));
    const checks = results.flatMap((r) => r.checks);
    const checksPassed = checks.filter((c) => c.failure === undefined).length;
    console.log(`sfn-api conformance: ${cases.length - failures.length}/${cases.length} cases, ${checksPassed}/${checks.length} checked responses`);
    for (const f of failures) console.log(`  FAIL ${f.id}\n    ${describeFailures(f).join('\n    ')}`);

    const fidelity = readFileSync(new URL('../../docs/fidelity.md', import.meta.url), 'utf8');
    const section = fidelity.slice(fidelity.indexOf('<!-- section:states -->'), fidelity.indexOf('<!-- /section:states -->'));
    // Listed as `<file>::<test>` (the id without the folders of LocalStack's test tree).
    const unlisted = failures.filter((f) => !section.includes(f.id.slice(f.id.lastIndexOf('/') + 1))).map((f) => f.id);
    expect(cases.length - failures.length).toBeGreaterThanOrEqual(CASES_RATCHET);
    expect(checksPassed).toBeGreaterThanOrEqual(CHECKS_RATCHET);
    expect(unlisted, 'failing cases missing from docs/fidelity.md').toEqual([]);
  }, 600_000);
});
