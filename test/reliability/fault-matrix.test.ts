/**
 * The fault matrix (issue 7): every scenario through our runbooks must end within its bound with the documented
 * error and consistent records; the original sample's runbooks go through the same matrix, and the suite prints
 * how many scenarios hang with each (ours must be 0). docs/reliability.md is generated from the same scenarios.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { FLAVORS, type Flavor } from './harness.js';
import { SCENARIOS, isApplicable, outcome, runScenario, type ScenarioResult } from './scenarios.js';
import { renderTable } from './table.js';

const results = new Map<string, ScenarioResult>();
const key = (id: string, flavor: Flavor): string => `${id}/${flavor}`;

describe.each(FLAVORS)('fault matrix, %s runbooks', (flavor) => {
  for (const scenario of SCENARIOS) {
    const e = scenario.expect[flavor];
    const expected = isApplicable(e) ? (e.status === 'FAILED' ? `FAILED ${String(e.error)}` : e.status) : 'not applicable';
    test(`should end ${expected} with consistent records when ${scenario.title}`, async () => {
      const result = await runScenario(scenario, flavor);
      results.set(key(scenario.id, flavor), result);
      if (!isApplicable(e)) return;
      expect(result.problems).toEqual([]);
      if (flavor === 'ours') expect(result.hung).toBe(false);
    });
  }
});

describe('hang count', () => {
  afterAll(() => {
    const lines = SCENARIOS.map((s) => {
      const ours = results.get(key(s.id, 'ours'));
      const original = results.get(key(s.id, 'original'));
      return `  ${s.id.padEnd(26)} ours: ${ours === undefined ? '?' : outcome(ours)}${ours?.hung === true ? ' HANG' : ''} | original: ${original === undefined ? '?' : outcome(original)}${original?.hung === true ? ' HANG' : ''}`;
    });
    console.log(`fault matrix:\n${lines.join('\n')}`);
  });

  test('should hang in no scenario with our runbooks, and count the original sample’s hangs', () => {
    const hangs = (flavor: Flavor): number => SCENARIOS.filter((s) => results.get(key(s.id, flavor))?.hung === true).length;
    const ran = (flavor: Flavor): number => SCENARIOS.filter((s) => results.get(key(s.id, flavor))?.observation !== undefined).length;
    // Every scenario ran in both flavours where it applies (the matrix tests above ran first).
    expect(ran('ours')).toBe(SCENARIOS.length);
    expect(ran('original')).toBe(SCENARIOS.filter((s) => isApplicable(s.expect.original)).length);
    console.log(`hangs (execution ended only by a timeout): ours ${hangs('ours')} of ${ran('ours')}, original ${hangs('original')} of ${ran('original')}`);
    expect(hangs('ours')).toBe(0);
  });

  test('should list every scenario with the observed outcomes in docs/reliability.md', () => {
    const doc = readFileSync(new URL('../../docs/reliability.md', import.meta.url), 'utf8');
    const all = [...results.values()];
    expect(all.length).toBe(SCENARIOS.length * FLAVORS.length);
    // The committed table must be what this run observed (durations are rounded, so they are stable).
    expect(doc).toBe(renderTable(all));
  });
});
