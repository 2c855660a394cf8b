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

/** Engine gaps the fuzz suites count rather than fail on (see each suite's knownGap functions). */
export const KNOWN_GAPS: readonly string[] = [
  'The HTTP endpoint answers **500 InternalServerError** when a JSON `null` member or list item passes the request-shape check: ' +
    'SendCommand `Targets: null`, `Comment: null`, `Targets: [null]`; DescribeAutomationExecutions and DescribeInstanceInformation ' +
    '`Filters: [null]`; List* `NextToken: null` (the services treat null as present and throw a TypeError).',
  "The internal dispatch (Task states, `aws:executeAwsApi`) does not check member types: SendCommand `InstanceIds`/`Targets`/`Comment` null, " +
    'a non-object `Targets` item, a non-string `MaxConcurrency`/`MaxErrors`, StartExecution with a non-string `input`, and a member ' +
    'that is a JSON object with a `toString` key (`String(value)` in an error message throws) raise a TypeError instead of a ValidationException.',
  '`validate` (src/validate/asl.ts → asl-validator) throws a TypeError instead of reporting an issue when a `States` is null or a string, ' +
    'a state is not an object, or a `Parameters`/`ResultSelector` anywhere is null; CreateStateMachine throws the same TypeError.',
  '`validate` accepts a null path where the interpreter expects a string (a Choice rule\'s `"Variable": null`, a Map\'s `"ItemsPath": null`, ' +
    'a Wait\'s `"SecondsPath": null`); the execution then fails with `States.Runtime` ' +
    "whose cause is a JavaScript TypeError (\"Cannot read properties of null (reading 'startsWith')\").",
  'An execution that loops through Pass/Choice states (e.g. a Choice whose Default leads back to it) runs its transitions in microtasks ' +
    'only: it starves the Node event loop (the endpoint, timers and other executions stop) and, with no 25,000-event history limit, grows ' +
    'until the process runs out of memory (found at commit 2272945; a change to src/engine/states/workflow.ts was in progress). AWS fails ' +
    'such an execution when its history reaches 25,000 events (aws-semantics §7.2). The definition fuzzer validates cyclic definitions but ' +
    'does not run them.',
  'A runbook step whose `timeoutSeconds` is a non-numeric string passes validation; the automation sets a timer of NaN ms, which makes ' +
    'the engine\'s virtual clock time NaN, so every later automation fails with "Internal error: Invalid time value".',
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
      'AWS-shaped and never a 5xx (but for the first known gap below); afterwards a valid request succeeds and the server holds no connection.',
  );
  lines.push(
    '* `fuzz-definitions.test.ts`: ASL definitions (`state-machines/*.asl.json`, every 8th conformance case) and runbooks ' +
      '(`runbooks/*.json`, the runbook fixtures) mutated from valid ones: `validate` never throws, and what it accepts runs ' +
      '(CreateStateMachine + a bounded execution, CreateDocument + a bounded automation) without an internal error.',
  );
  lines.push('');
  lines.push('### Known engine gaps the fuzzers found');
  lines.push('');
  lines.push('The suites count these instead of failing on them (anything else fails); each is reported for a fix:');
  lines.push('');
  for (const gap of KNOWN_GAPS) lines.push(`* ${gap}`);
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
