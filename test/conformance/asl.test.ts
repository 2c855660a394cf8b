/**
 * ASL conformance: every AWS-recorded case in `test/fixtures/conformance/asl/cases.jsonl` runs through the interpreter
 * on a fast-forwarding virtual clock and is compared on status, error, output and cause (placeholders as
 * wildcards, per the dataset's README).
 *
 * Ratchet: the pass count must not fall below the best reached so far (PASS_RATCHET), and every case that does not
 * pass must be listed by id, with its reason, in the Step Functions section of docs/fidelity.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compare, compareEvents, loadCases, runCase } from './asl-cases.js';

/** Best pass count reached (all 651 cases). Raise it when more pass; never lower it. */
const PASS_RATCHET = 651;
/** Best count of cases whose recorded history event types also match exactly. */
const EVENTS_RATCHET = 322;

describe('ASL conformance (AWS-recorded cases)', () => {
  test('should pass at least the ratcheted number of cases when every case runs on a virtual clock', async () => {
    const cases = loadCases();
    const failures: { id: string; reason: string }[] = [];
    let eventChecked = 0;
    let eventFailures = 0;
    for (const c of cases) {
      let reason: string | undefined;
      try {
        const run = await runCase(c);
        reason = compare(c, run);
        if (c.events !== undefined) {
          eventChecked++;
          if (compareEvents(c, run) !== undefined) eventFailures++;
        }
      } catch (error) {
        reason = `threw ${String(error)}`;
      }
      if (reason !== undefined) failures.push({ id: c.id, reason });
    }
    const passed = cases.length - failures.length;
    console.log(
      `ASL conformance: ${passed}/${cases.length} cases passed (${((passed / cases.length) * 100).toFixed(1)}%); ` +
        `history event types match in ${eventChecked - eventFailures}/${eventChecked} recorded histories`,
    );
    for (const f of failures) console.log(`  FAIL ${f.id}: ${f.reason}`);

    const fidelity = readFileSync(new URL('../../docs/fidelity.md', import.meta.url), 'utf8');
    const section = fidelity.slice(fidelity.indexOf('<!-- section:states -->'), fidelity.indexOf('<!-- /section:states -->'));
    const unlisted = failures.filter((f) => !section.includes(f.id)).map((f) => f.id);
    expect(unlisted, 'failing cases missing from docs/fidelity.md').toEqual([]);
    expect(passed).toBeGreaterThanOrEqual(PASS_RATCHET);
    expect(eventChecked - eventFailures).toBeGreaterThanOrEqual(EVENTS_RATCHET);
  });
});
