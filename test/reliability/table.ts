/**
 * Renders docs/reliability.md from fault-matrix results. Deterministic: no dates, durations rounded, so the suite
 * can check that the committed table is what it observed.
 */
import { FLAVORS, ORIGINAL_ENFORCES_IAM, type Flavor } from './harness.js';
import { SCENARIOS, formatSeconds, isApplicable, type ScenarioResult } from './scenarios.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** UUIDs, instance ids and ARNs differ per run; the table shows their shape only. */
function maskIds(text: string): string {
  return text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>').replace(/\b(i|mi)-[0-9a-f]{8,17}\b/g, '<instance>').replace(/Request ID: [^)]*/g, 'Request ID: <id>');
}

function duration(seconds: number): string {
  // Virtual time also flows while real processes run, so a few seconds of it are the test machine's speed, not a
  // timeout: under 5 s reads "at once", and short durations are rounded to 10 s so the table does not flap.
  if (seconds < 5) return 'at once';
  return `after ${seconds < 120 ? `${Math.round(seconds / 10) * 10} s` : formatSeconds(seconds)}`;
}

function result(r: ScenarioResult | undefined): string {
  if (r === undefined) return 'not run';
  if (r.notApplicable !== undefined) return `n/a: ${r.notApplicable}`;
  const o = r.observation!;
  const statuses = [...new Set(o.executions.map((e) => (e.status === 'FAILED' ? `FAILED \`${String(e.error)}\`` : e.status)))];
  const seconds = Math.max(...o.executions.map((e) => e.seconds));
  const count = o.executions.length > 1 ? `${o.executions.length} × ` : '';
  const verdict = r.hung ? ' — **hangs** (only a timeout ended it)' : '';
  const problems = r.problems.length === 0 ? '' : ` — **unexpected:** ${r.problems.join('; ')}`;
  return `${count}${statuses.join(', ')} ${duration(seconds)}${verdict}${problems}`;
}

function records(r: ScenarioResult | undefined): string {
  if (r?.observation === undefined) return '';
  const o = r.observation;
  const automations = [...new Set(o.automations.map((a) => a.status))];
  const parts = [`automation ${automations.length === 0 ? 'none' : automations.join('/')}`];
  if (o.commands.length === 0) parts.push('no command');
  for (const c of o.commands.slice(0, 1)) {
    const counts: Record<string, number> = {};
    for (const i of c.invocations) counts[`${i.status} (${i.details})`] = (counts[`${i.status} (${i.details})`] ?? 0) + 1;
    const inv = Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    const more = o.commands.length > 1 ? ` (×${o.commands.length})` : '';
    parts.push(`command ${c.status} (${c.statusDetails})${more}${inv === '' ? ', no invocation' : `: ${inv}`}`);
  }
  return parts.join('; ');
}

/** Engine gaps the fuzz suites found that are still open: the suites count them instead of failing. */
export const OPEN_GAPS: readonly string[] = [];

/** Engine gaps the fuzz suites found, each fixed since; the suites now fail if one comes back. */
export const FOUND_GAPS: readonly string[] = [
  'The HTTP endpoint answered **500 InternalServerError** when a JSON `null` member or list item passed the request-shape check ' +
    '(SendCommand `Targets: null`, `Comment: null`, `Targets: [null]`; DescribeAutomationExecutions and DescribeInstanceInformation ' +
    '`Filters: [null]`; List* `NextToken: null`). Fixed in 1fc8c2d: null members are absent, null list items a ValidationException.',
  "The engine's internal dispatch (Task states, `aws:executeAwsApi`) did not check member types: null or mistyped SendCommand members, " +
    'StartExecution with a non-string `input`, or an object member with a `toString` key threw a TypeError. Fixed in 1fc8c2d: the dispatch ' +
    'checks request shapes like the endpoint.',
  '`validate` and CreateStateMachine threw a TypeError (inside asl-validator) when a `States` was null or a string, a state was not an ' +
    'object, or a `Parameters`/`ResultSelector` was null. Fixed in a000c07: the structure is checked first.',
  '`validate` accepted null paths (`"Variable": null`, `"ItemsPath": null`, `"SecondsPath": null`) and the execution then failed with a ' +
    "JavaScript TypeError as its cause (\"Cannot read properties of null (reading 'startsWith')\"). Fixed in a000c07.",
  'A runbook step `timeoutSeconds` that is a non-numeric string passed validation and set a timer of NaN ms, which made the virtual ' +
    'clock\'s time NaN, so every later automation failed with "Internal error: Invalid time value". Fixed in aee9870.',
  'An execution looping through Pass/Choice states ran in microtasks only: it starved the event loop (endpoint, timers, other executions) ' +
    'and grew until the process ran out of memory. Fixed in aee9870: it yields, and fails at the 25,000-event history quota ' +
    '(aws-semantics §7.2), which `fuzz-definitions.test.ts` now checks.',
  '`validate` accepted a Map\'s `ToleratedFailurePercentagePath`, `ToleratedFailureCountPath` or `MaxConcurrencyPath` set to null; the ' +
    "execution then failed with a JavaScript TypeError as its cause. Fixed in 87c0ac3.",
];

export function hangCount(results: readonly ScenarioResult[], flavor: Flavor): { hangs: number; ran: number } {
  const mine = results.filter((r) => r.flavor === flavor && r.observation !== undefined);
  return { hangs: mine.filter((r) => r.hung).length, ran: mine.length };
}

export function renderTable(results: readonly ScenarioResult[]): string {
  const find = (id: string, flavor: Flavor): ScenarioResult | undefined => results.find((r) => r.scenario.id === id && r.flavor === flavor);
  const ours = hangCount(results, 'ours');
  const original = hangCount(results, 'original');
  const lines: string[] = [];
  lines.push('# Reliability: the fault matrix');
  lines.push('');
  lines.push('<!-- Generated by `npm run reliability` (test/reliability/table.ts); `test/reliability/fault-matrix.test.ts` fails when it is stale. Do not edit. -->');
  lines.push('');
  lines.push(
    'Each scenario runs the runbooks through a state machine like the sample: one Task on ' +
      '`arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken`, on the local engine with a virtual clock ' +
      '(hour-long timeouts take milliseconds; durations below are virtual time). After the fault, the suite checks that the ' +
      'execution ends within its bound with the documented error and a cause naming what failed, and that the records agree: ' +
      'every automation, command and invocation has a final status, the history ends with the matching `Execution*` event, ' +
      'no instance process or service call is still running, and no task token is left waiting.',
  );
  lines.push('');
  lines.push(
    '* **Ours**: `cloudformation/ssm-automation-documents.cfn.json`, IAM enforced; the Task sets `TimeoutSeconds` to ' +
      '`executionTimeout + deliveryTimeout + 300` (docs/runbooks.md), 4500 s with the defaults.',
  );
  lines.push(
    `* **Original**: the original sample's template (aws-semantics §0), ${ORIGINAL_ENFORCES_IAM ? 'IAM enforced' : '**IAM not enforced**'}; ` +
      'the Task sets no `TimeoutSeconds`, as in its README (default 99,999,999 s), so a lost callback waits until the 1-year ' +
      'maximum duration of a Standard execution ends it (`TIMED_OUT`). ' +
      (ORIGINAL_ENFORCES_IAM
        ? ''
        : 'Known engine gap: the engine evaluates `states:SendTask*` against resource `*`, and the original scopes those actions to ' +
          '`arn:aws:states:…:stateMachine:*` (which AWS accepts for service-integration tokens, aws-semantics §8.1), so with ' +
          'enforcement every callback of the original would be denied and every scenario would hang.'),
  );
  lines.push(
    '* A run **hangs** when only a timeout ends it (the Task\'s `States.Timeout`, or the execution\'s 1-year limit): the runbook never called the token back. ' +
      'In the token-timeout scenario the Task timeout is the point, so it is not counted.',
  );
  lines.push('');
  lines.push(`**Hangs: ours ${ours.hangs} of ${ours.ran} scenarios, original ${original.hangs} of ${original.ran}.**`);
  lines.push('');
  lines.push('| Scenario | Ours | Our records | Original | Original records |');
  lines.push('|---|---|---|---|---|');
  for (const s of SCENARIOS) {
    const o = find(s.id, 'ours');
    const g = find(s.id, 'original');
    lines.push(`| ${cell(`${s.title} (\`${s.id}\`)`)} | ${cell(result(o))} | ${cell(records(o))} | ${cell(result(g))} | ${cell(records(g))} |`);
  }
  lines.push('');
  lines.push('## Causes');
  lines.push('');
  lines.push('The cause each failed run reported (ids shown as `<id>`):');
  lines.push('');
  for (const s of SCENARIOS) {
    for (const flavor of FLAVORS) {
      const cause = find(s.id, flavor)?.observation?.executions[0]?.cause;
      if (cause === undefined) continue;
      lines.push(`* \`${s.id}\`, ${flavor}: ${cell(maskIds(cause))}`);
    }
  }
  lines.push('');
  lines.push('## Notes');
  lines.push('');
  for (const s of SCENARIOS) {
    const notes = [s.notes, s.knownGap === undefined ? undefined : `Known gap: ${s.knownGap}`].filter((n) => n !== undefined);
    if (notes.length === 0) continue;
    lines.push(`* \`${s.id}\`: ${notes.join(' ')}`);
  }
  lines.push('');
  lines.push('## Fuzzing');
  lines.push('');
  lines.push(
    'Three fast-check suites, bounded in runs and time, run with the matrix (`npx vitest run test/reliability`); each prints its counts:',
  );
  lines.push('');
  lines.push(
    '* `fuzz-requests.test.ts`: random and malformed StartAutomationExecution, SendCommand and StartExecution requests through the ' +
      "engine's internal dispatch (the path Task states and `aws:executeAwsApi` use), and state machines whose Task passes random runbook " +
      'parameters. Every call gets a result or an AWS-named error; once the engine is at rest every execution has ended, no task token ' +
      'waits and no instance process runs.',
  );
  lines.push(
    '* `fuzz-http.test.ts`: raw HTTP to the local endpoint: random targets, content types, methods and bodies (bad JSON, random bytes), ' +
      'valid requests with one member broken, bodies over 4 MiB, slow and stalled clients, bytes that are not HTTP. Every answer is ' +
      'AWS-shaped and never a 5xx; afterwards a valid request succeeds and the server holds no connection.',
  );
  lines.push(
    '* `fuzz-definitions.test.ts`: ASL definitions (`state-machines/*.asl.json`, every 8th conformance case) and runbooks ' +
      '(`runbooks/*.json`, the runbook fixtures) mutated from valid ones: `validate` never throws, and what it accepts runs ' +
      '(CreateStateMachine + a bounded execution, CreateDocument + a bounded automation) without an internal error.',
  );
  lines.push('');
  if (OPEN_GAPS.length > 0) {
    lines.push('### Open engine gaps');
    lines.push('');
    lines.push('Counted by the suites rather than failed on (anything else fails):');
    lines.push('');
    for (const gap of OPEN_GAPS) lines.push(`* ${gap}`);
    lines.push('');
  }
  lines.push('### Engine gaps the fuzzers found, since fixed');
  lines.push('');
  lines.push('Each was fixed after it was reported; the suites now fail if one comes back:');
  lines.push('');
  for (const gap of FOUND_GAPS) lines.push(`* ${gap}`);
  lines.push('');
  lines.push('## Expected outcomes');
  lines.push('');
  lines.push('What the suite asserts per scenario (error name, final automation and command status, bound in virtual seconds):');
  lines.push('');
  lines.push('| Scenario | ' + FLAVORS.map((f) => (f === 'ours' ? 'Ours' : 'Original')).join(' | ') + ' |');
  lines.push('|---|' + FLAVORS.map(() => '---').join('|') + '|');
  for (const s of SCENARIOS) {
    const cells = FLAVORS.map((f) => {
      const e = s.expect[f];
      if (!isApplicable(e)) return 'n/a';
      const name = e.status === 'FAILED' ? `\`${String(e.error)}\`` : e.status;
      return `${name}; automation ${e.automation}; command ${e.command}; ≤ ${e.withinSeconds.toLocaleString('en-US')} s`;
    });
    lines.push(`| \`${s.id}\` | ${cells.map(cell).join(' | ')} |`);
  }
  lines.push('');
  return lines.join('\n');
}
