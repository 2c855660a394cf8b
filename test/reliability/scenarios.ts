/**
 * The fault matrix (issue 7): each scenario drives the runbooks through a sample-like state machine, injects its
 * fault, and returns every record the engine kept. Shared by `fault-matrix.test.ts` (asserts) and
 * `scripts/reliability-table.ts` (writes docs/reliability.md), so the table is what the suite ran.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, type EngineSettings, type Flavor, type Observation, type StartSpec, DEFAULT_EXECUTION_TIMEOUT, hung, withoutRunbookRoleAction } from './harness.js';

export interface Expectation {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  /** The execution's error name (FAILED only). */
  readonly error?: string;
  /** What the cause must name: the command id, the automation id, or a literal. */
  readonly causeNames?: 'command' | 'automation' | { readonly text: string };
  /** Final status of every automation the run started ('none': no automation was created). */
  readonly automation: string;
  /** Final status of the command ('none': no command was sent). */
  readonly command: string;
  /** Count of invocations by final Status. */
  readonly invocations?: Readonly<Record<string, number>>;
  /** The execution ends within this many virtual seconds. */
  readonly withinSeconds: number;
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly settings?: EngineSettings;
  /** Per flavour: what to expect, or why the scenario does not apply. */
  readonly expect: Readonly<Record<Flavor, Expectation | { readonly notApplicable: string }>>;
  /** The Task timeout is the point of the scenario: a States.Timeout here is expected, not a hang. */
  readonly timeoutIsExpected?: boolean;
  /** UNCONFIRMED AWS facts the expected behaviour rests on, and other notes for the table. */
  readonly notes?: string;
  /** Known engine gaps: the row shows the behaviour observed. */
  readonly knownGap?: string;
  run(h: Harness): Promise<Observation>;
  /** Scenario-specific checks on the records (beyond the common invariants); returns violations. */
  check?(o: Observation, flavor: Flavor): string[];
}

const MARGIN = 60;

/** A script line that exits 3 on the nodes whose folder holds a `fail` file (the node's default working dir). */
const FAIL_WHERE_MARKED = 'if [ -e fail ]; then echo "marked to fail" >&2; exit 3; fi';

function markFail(instances: readonly { rootDir: string }[]): void {
  for (const i of instances) writeFileSync(join(i.rootDir, 'fail'), '');
}

async function invocationStatus(h: Harness, status: string): Promise<boolean> {
  return (await h.commandStatuses()).includes(status);
}

/** Starts one execution of `spec` on `count` instances (the first `failing` marked to fail) and runs it to the end. */
async function simple(h: Harness, count: number, spec: Omit<StartSpec, 'instanceIds' | 'document'>, failing = 0): Promise<Observation> {
  const instances = h.addInstances(count);
  markFail(instances.slice(0, failing));
  await h.start({ document: 'ByInstanceIds', instanceIds: instances.map((i) => i.instanceId), ...spec });
  return h.finish();
}

const failedCommand = (within: number, invocations: Record<string, number>, error = 'RunCommand.Failed'): Expectation => ({
  status: 'FAILED',
  error,
  causeNames: 'command',
  automation: 'Failed',
  command: error === 'RunCommand.TimedOut' ? 'TimedOut' : 'Failed',
  invocations,
  withinSeconds: within,
});

/** The original's single error name for every failure (D10). */
const ORIGINAL_ERROR = 'Automation document failure';
const originalFailed = (within: number, command: string, invocations: Record<string, number>): Expectation => ({
  status: 'FAILED',
  error: ORIGINAL_ERROR,
  causeNames: 'command',
  automation: 'Failed',
  command,
  invocations,
  withinSeconds: within,
});

/** The original's Task sets no TimeoutSeconds: a lost callback waits until the Standard execution's 1-year limit. */
const ONE_YEAR = 365 * 86_400;
const hang = (automation: string, command: string, invocations?: Record<string, number>): Expectation => ({
  status: 'TIMED_OUT',
  automation,
  command,
  ...(invocations === undefined ? {} : { invocations }),
  withinSeconds: ONE_YEAR + MARGIN,
});

const NO_RATE_CONTROLS = 'The original exposes no MaxErrors/MaxConcurrency parameter (D17).';

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'exit-one-of-n',
    title: 'Non-zero exit on 1 of 3 instances (MaxErrors 0)',
    expect: {
      ours: failedCommand(MARGIN, { Success: 2, Failed: 1 }),
      original: originalFailed(MARGIN, 'Failed', { Success: 2, Failed: 1 }),
    },
    run: (h) => simple(h, 3, { commands: ['echo start', FAIL_WHERE_MARKED] }, 1),
  },
  {
    id: 'all-fail',
    title: 'All 3 instances exit non-zero',
    expect: {
      ours: failedCommand(MARGIN, { Failed: 3 }),
      original: originalFailed(MARGIN, 'Failed', { Failed: 3 }),
    },
    run: (h) => simple(h, 3, { commands: [FAIL_WHERE_MARKED] }, 3),
  },
  {
    id: 'max-errors-not-reached',
    title: 'MaxErrors 1, 1 of 3 instances fails (tolerated)',
    expect: {
      ours: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 2, Failed: 1 }, withinSeconds: MARGIN },
      original: { notApplicable: NO_RATE_CONTROLS },
    },
    run: (h) => simple(h, 3, { commands: [FAIL_WHERE_MARKED], extra: { MaxErrors: ['1'] } }, 1),
    check: (o) => {
      const out = o.executions[0]?.output as { Status?: string } | undefined;
      return out?.Status === 'Success' ? [] : [`task result Status is ${String(out?.Status)}, not Success`];
    },
  },
  {
    id: 'max-errors-reached',
    title: 'MaxErrors 1, 2 of 3 instances fail (tolerance exceeded)',
    expect: {
      ours: failedCommand(MARGIN, { Success: 1, Failed: 2 }),
      original: { notApplicable: NO_RATE_CONTROLS },
    },
    run: (h) => simple(h, 3, { commands: [FAIL_WHERE_MARKED], extra: { MaxErrors: ['1'] } }, 2),
  },
  {
    id: 'execution-timeout',
    title: 'Command runs past executionTimeout (sleep 30, timeout 10 s)',
    expect: {
      ours: failedCommand(10 + MARGIN, { TimedOut: 1 }, 'RunCommand.TimedOut'),
      original: originalFailed(10 + MARGIN, 'TimedOut', { TimedOut: 1 }),
    },
    async run(h) {
      const [node] = h.addInstances(1);
      await h.start({ document: 'ByInstanceIds', instanceIds: [node!.instanceId], commands: ['sleep 30'], executionTimeout: 10 });
      await h.until('the command runs', () => invocationStatus(h, 'InProgress'));
      // Only the sleeping process is live now: jump to its execution timeout instead of waiting 10 real seconds.
      return h.finish({ jumpHeld: true });
    },
    check: (o) => (o.commands[0]?.invocations[0]?.details === 'Execution Timed Out' ? [] : [`invocation details ${String(o.commands[0]?.invocations[0]?.details)}, not Execution Timed Out`]),
  },
  {
    id: 'delivery-timeout-offline',
    title: 'Instance offline: delivery timeout (ours: deliveryTimeout 60 s)',
    expect: {
      ours: failedCommand(60 + MARGIN, { TimedOut: 1 }, 'RunCommand.TimedOut'),
      // No deliveryTimeout parameter: Run Command's default TimeoutSeconds applies (engine: 3600 s, UNCONFIRMED).
      original: originalFailed(3600 + MARGIN, 'TimedOut', { TimedOut: 1 }),
    },
    notes: "Run Command's API default TimeoutSeconds is UNCONFIRMED (the user guide says 600 and 3600); the engine uses 3600, which bounds the original.",
    async run(h) {
      const [node] = h.addInstances(1);
      h.engine.instances.goOffline(node!.instanceId);
      await h.start({ document: 'ByInstanceIds', instanceIds: [node!.instanceId], commands: ['true'], deliveryTimeout: 60 });
      return h.finish();
    },
    check: (o) => (o.commands[0]?.invocations[0]?.details === 'Delivery Timed Out' ? [] : [`invocation details ${String(o.commands[0]?.invocations[0]?.details)}, not Delivery Timed Out`]),
  },
  {
    id: 'agent-lost',
    title: 'Agent lost mid-command (ConnectionLost, process killed)',
    expect: {
      ours: failedCommand(60 + DEFAULT_EXECUTION_TIMEOUT + MARGIN, { TimedOut: 1 }, 'RunCommand.TimedOut'),
      original: originalFailed(3600 + DEFAULT_EXECUTION_TIMEOUT + MARGIN, 'TimedOut', { TimedOut: 1 }),
    },
    notes: 'A node that never reports is marked Delivery Timed Out after TimeoutSeconds + executionTimeout (§6.4).',
    async run(h) {
      const [node] = h.addInstances(1);
      const pidFile = join(node!.rootDir, 'pid');
      await h.start({ document: 'ByInstanceIds', instanceIds: [node!.instanceId], commands: [`echo $$ > ${pidFile}`, 'sleep 30'], deliveryTimeout: 60 });
      await h.until('the command runs', () => invocationStatus(h, 'InProgress'));
      h.engine.instances.killAgent(node!.instanceId);
      const o = await h.finish();
      return { ...o, facts: { ...o.facts, processAlive: await stillAliveAfterKill(pidFile) } };
    },
    check: (o) => [
      ...(o.commands[0]?.invocations[0]?.details === 'Delivery Timed Out' ? [] : [`invocation details ${String(o.commands[0]?.invocations[0]?.details)}, not Delivery Timed Out`]),
      ...(o.facts['processAlive'] === false ? [] : ['the killed agent’s process is still alive']),
    ],
  },
  {
    id: 'unknown-instance',
    title: 'Unknown instance id (SendCommand InvalidInstanceId)',
    expect: {
      ours: { status: 'FAILED', error: 'Automation.StepFailed', causeNames: 'automation', automation: 'Failed', command: 'none', withinSeconds: MARGIN },
      // SendTaskFailure's cause references {{RunCommand.CommandId}} of a step that produced none (D11c, D13).
      original: hang('Failed', 'none'),
    },
    notes: 'That a reference to a missing step output fails the step is UNCONFIRMED (the engine reads it strictly); if AWS left the text, the original would call back.',
    async run(h) {
      await h.start({ document: 'ByInstanceIds', instanceIds: ['i-0123456789abcdef0'], commands: ['true'] });
      return h.finish();
    },
  },
  {
    id: 'tag-no-match',
    title: 'Tag target matching no instance (ByTargets)',
    expect: {
      ours: failedCommand(MARGIN, {}),
      original: originalFailed(MARGIN, 'Failed', {}),
    },
    notes:
      'The engine fails a command whose targets match nothing (StatusDetails "No Instances In Tag", a detail the user guide names); that its Status is Failed rather than Success is UNCONFIRMED. Either way the execution ends at once.',
    check: (o) => (o.commands[0]?.statusDetails === 'No Instances In Tag' ? [] : [`command details ${String(o.commands[0]?.statusDetails)}, not No Instances In Tag`]),
    async run(h) {
      h.addInstances(1, { Env: 'dev' });
      await h.start({ document: 'ByTargets', targets: [{ Key: 'tag:Env', Values: ['nope'] }], commands: ['true'] });
      return h.finish();
    },
  },
  {
    id: 'automation-stopped',
    title: 'Automation stopped by a user (StopAutomationExecution) while the command runs',
    expect: {
      ours: { status: 'FAILED', error: 'Automation.Cancelled', causeNames: 'automation', automation: 'Cancelled', command: 'Cancelled', invocations: { Cancelled: 1 }, withinSeconds: MARGIN },
      // onCancel: step:SendTaskFailure, and the cancelled RunCommand step still has its CommandId.
      original: { status: 'FAILED', error: ORIGINAL_ERROR, causeNames: 'command', automation: 'Cancelled', command: 'Cancelled', invocations: { Cancelled: 1 }, withinSeconds: MARGIN },
    },
    notes: 'That a cancelled aws:runCommand step still exposes its CommandId output is UNCONFIRMED (the original relies on it; ours does not).',
    async run(h) {
      const [node] = h.addInstances(1);
      const pidFile = join(node!.rootDir, 'pid');
      await h.start({ document: 'ByInstanceIds', instanceIds: [node!.instanceId], commands: [`echo $$ > ${pidFile}`, 'sleep 30'] });
      await h.until('the command runs', () => invocationStatus(h, 'InProgress'));
      const [automation] = (await h.engine.ssm.DescribeAutomationExecutions({})).AutomationExecutionMetadataList;
      await h.engine.ssm.StopAutomationExecution({ AutomationExecutionId: automation!.AutomationExecutionId, Type: 'Cancel' });
      const o = await h.finish();
      return { ...o, facts: { ...o.facts, processAlive: await stillAliveAfterKill(pidFile) } };
    },
    check: (o) => (o.facts['processAlive'] === false ? [] : ['the cancelled command’s process is still alive']),
  },
  {
    id: 'token-timed-out',
    title: 'SendTaskSuccess rejected: the token already timed out (Task TimeoutSeconds 60, delivery takes 120 s)',
    timeoutIsExpected: true,
    expect: {
      ours: { status: 'FAILED', error: 'States.Timeout', automation: 'Failed', command: 'Success', invocations: { Success: 1 }, withinSeconds: 60 + 1 },
      original: { status: 'FAILED', error: 'States.Timeout', automation: 'Failed', command: 'Success', invocations: { Success: 1 }, withinSeconds: 60 + 1 },
    },
    notes: 'SendTaskSuccess on a timed-out token answers TaskTimedOut (API reference); the automation then fails, it does not crash.',
    async run(h) {
      const [node] = h.addInstances(1);
      h.engine.instances.setDeliveryDelay(node!.instanceId, 120_000);
      await h.start({ document: 'ByInstanceIds', instanceIds: [node!.instanceId], commands: ['true'], taskTimeoutSeconds: 60 });
      return h.finish();
    },
    check: (o) => {
      const steps = o.automations[0]?.steps ?? [];
      const success = steps.find((s) => s.name === (o.flavor === 'ours' ? 'NotifySuccess_RunShellScript' : 'SendTaskSuccess'));
      return success?.status === 'Failed' ? [] : [`the SendTaskSuccess step is ${String(success?.status)}, not Failed`];
    },
  },
  {
    id: 'sfn-stopped',
    title: 'Step Functions execution stopped (StopExecution) while the command is being delivered',
    expect: {
      ours: { status: 'ABORTED', automation: 'Failed', command: 'Success', invocations: { Success: 1 }, withinSeconds: 30 + 1 },
      original: { status: 'ABORTED', automation: 'Failed', command: 'Success', invocations: { Success: 1 }, withinSeconds: 30 + 1 },
    },
    notes:
      'On AWS, stopping an execution does not stop an automation started by a .waitForTaskToken Task (only .sync integrations stop their job); its callback later gets TaskTimedOut ("the task associated with the token has already been closed"). The automation ends Failed; the command still runs.',
    async run(h) {
      const [node] = h.addInstances(1);
      h.engine.instances.setDeliveryDelay(node!.instanceId, 120_000);
      const arn = await h.start({ document: 'ByInstanceIds', instanceIds: [node!.instanceId], commands: ['true'] });
      await h.until('the command is being delivered', async () => (await h.commandStatuses()).length > 0);
      await h.wait('30 s have passed', 30_000);
      await h.engine.sfn.StopExecution({ executionArn: arn, error: 'User.Stopped', cause: 'stopped by the fault matrix' });
      return h.finish();
    },
  },
  {
    id: 'token-over-512',
    title: 'Task token of 600 characters (over the 512-character parameter value limit)',
    settings: { taskTokenLength: 600 },
    expect: {
      ours: { status: 'FAILED', error: 'Ssm.InvalidAutomationExecutionParametersException', causeNames: { text: 'taskToken' }, automation: 'none', command: 'none', withinSeconds: 1 },
      original: { status: 'FAILED', error: 'Ssm.InvalidAutomationExecutionParametersException', causeNames: { text: 'taskToken' }, automation: 'none', command: 'none', withinSeconds: 1 },
    },
    notes: 'Whether real task tokens exceed 512 characters is UNCONFIRMED (§7.4); either way the start fails at once.',
    run: (h) => simple(h, 1, { commands: ['true'] }),
  },
  {
    id: 'output-over-256k',
    title: 'Command output over 256 KiB (300,000 bytes on stdout)',
    expect: {
      ours: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 1 }, withinSeconds: MARGIN },
      original: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 1 }, withinSeconds: MARGIN },
    },
    async run(h) {
      const o = await simple(h, 1, { commands: ["head -c 300000 /dev/zero | tr '\\0' x"] });
      return { ...o, facts: { ...o.facts, stdoutLength: await stdoutOf(h, o).then((s) => s.length) } };
    },
    // GetCommandInvocation returns the first 24,000 characters (§6.5).
    check: (o) => (o.facts['stdoutLength'] === 24_000 ? [] : [`StandardOutputContent has ${String(o.facts['stdoutLength'])} characters, not 24000`]),
  },
  {
    id: 'output-special-bytes',
    title: 'Output with quotes, newlines, NUL bytes and invalid UTF-8',
    expect: {
      ours: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 1 }, withinSeconds: MARGIN },
      original: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 1 }, withinSeconds: MARGIN },
    },
    async run(h) {
      const o = await simple(h, 1, { commands: [`printf '"quoted" {"a":1}\\n\\000nul\\377\\376 end\\n'`] });
      return { ...o, facts: { ...o.facts, stdout: await stdoutOf(h, o) } };
    },
    check: (o) => {
      const out = String(o.facts['stdout']);
      const problems: string[] = [];
      if (!out.includes('"quoted" {"a":1}\n')) problems.push('quotes/newline lost');
      if (!out.includes('\u0000nul')) problems.push('NUL byte lost');
      if (!out.includes('\uFFFD')) problems.push('invalid UTF-8 not replaced by U+FFFD');
      return problems;
    },
  },
  {
    id: 'fifty-instances',
    title: '50 instances at once',
    expect: {
      ours: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 50 }, withinSeconds: MARGIN },
      original: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 50 }, withinSeconds: MARGIN },
    },
    run: (h) => simple(h, 50, { commands: ['true'] }),
  },
  {
    id: 'automation-quota',
    title: 'Automation concurrency quota exceeded (quota 2, 5 executions): queued as Pending, then runs',
    settings: { concurrentAutomationQuota: 2 },
    expect: {
      ours: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 5 }, withinSeconds: 3 * 30 + MARGIN },
      original: { status: 'SUCCEEDED', automation: 'Success', command: 'Success', invocations: { Success: 5 }, withinSeconds: 3 * 30 + MARGIN },
    },
    async run(h) {
      const [node] = h.addInstances(1);
      // Each command takes 30 s to deliver, so the first two automations are still running when the others start.
      h.engine.instances.setDeliveryDelay(node!.instanceId, 30_000);
      const { stateMachineArn } = await h.engine.sfn.CreateStateMachine({
        name: 'reliability-quota',
        definition: h.definition({ document: 'ByInstanceIds', instanceIds: [node!.instanceId], commands: ['true'] }),
        roleArn: h.machineRole(),
      });
      for (let i = 0; i < 5; i++) await h.startExecution(stateMachineArn);
      await h.until('five automations exist', async () => (await h.automationStatuses()).length === 5);
      const statuses = await h.automationStatuses();
      h.facts['pendingAtPeak'] = statuses.filter((s) => s === 'Pending').length;
      h.facts['inProgressAtPeak'] = statuses.filter((s) => s === 'InProgress').length;
      return h.finish();
    },
    check: (o) => (o.facts['pendingAtPeak'] === 3 && o.facts['inProgressAtPeak'] === 2 ? [] : [`at the peak ${String(o.facts['inProgressAtPeak'])} ran and ${String(o.facts['pendingAtPeak'])} were Pending (expected 2 and 3)`]),
  },
  // Beyond the list: the uncovered paths of the original (aws-semantics D11), with IAM enforced.
  {
    id: 'callback-denied',
    title: 'Runbook role may not call SendTaskSuccess (D11a; both templates edited)',
    settings: { template: withoutRunbookRoleAction('states:SendTaskSuccess') },
    expect: {
      ours: { status: 'FAILED', error: 'Automation.CallbackFailed', causeNames: 'automation', automation: 'Failed', command: 'Success', invocations: { Success: 1 }, withinSeconds: MARGIN },
      // The SendTaskSuccess step has no onFailure: nothing calls the token back.
      original: hang('Failed', 'Success', { Success: 1 }),
    },
    run: (h) => simple(h, 1, { commands: ['true'] }),
  },
  {
    id: 'send-command-denied',
    title: 'Runbook role may not call SendCommand (D11c; both templates edited)',
    settings: { template: withoutRunbookRoleAction('ssm:SendCommand') },
    expect: {
      ours: { status: 'FAILED', error: 'Automation.StepFailed', causeNames: 'automation', automation: 'Failed', command: 'none', withinSeconds: MARGIN },
      // onFailure reaches SendTaskFailure, whose cause references {{RunCommand.CommandId}}, which the step never produced.
      original: hang('Failed', 'none'),
    },
    notes: 'As for `unknown-instance`, the original hangs because a reference to a missing step output fails its SendTaskFailure step (UNCONFIRMED strict reading).',
    run: (h) => simple(h, 1, { commands: ['true'] }),
  },
];

async function stdoutOf(h: Harness, o: Observation): Promise<string> {
  const c = o.commands[0];
  const i = c?.invocations[0];
  if (c === undefined || i === undefined) return '';
  return (await h.engine.ssm.GetCommandInvocation({ CommandId: c.commandId, InstanceId: i.instanceId })).StandardOutputContent;
}

/**
 * True when the pid written by the script is still a live process. A killed process whose parent died too stays a
 * zombie until the container's init reaps it; a zombie runs nothing, so it counts as dead.
 */
async function stillAliveAfterKill(pidFile: string): Promise<boolean> {
  // The kill is sent before the records settle, but its delivery is the kernel's: on a loaded machine the process
  // may still be on its way out when the (virtual-time) run ends. Give it a real moment, bounded.
  for (let waited = 0; waited < 1_000 && processAlive(pidFile); waited += 20) await new Promise((r) => setTimeout(r, 20));
  return processAlive(pidFile);
}

function processAlive(pidFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------- comparing

export function isApplicable(e: Expectation | { readonly notApplicable: string }): e is Expectation {
  return !('notApplicable' in e);
}

/** Differences between what a scenario expects and what the records show. */
export function mismatches(scenario: Scenario, flavor: Flavor, o: Observation): string[] {
  const e = scenario.expect[flavor];
  if (!isApplicable(e)) return [];
  const out: string[] = [];
  for (const x of o.executions) {
    if (x.status !== e.status) out.push(`execution status ${x.status}, expected ${e.status}`);
    if (e.error !== undefined && x.error !== e.error) out.push(`error ${String(x.error)}, expected ${e.error}`);
    if (x.seconds > e.withinSeconds) out.push(`took ${x.seconds} s, bound ${e.withinSeconds} s`);
    if (e.causeNames !== undefined) {
      const names =
        e.causeNames === 'command' ? o.commands.map((c) => c.commandId) : e.causeNames === 'automation' ? o.automations.map((a) => a.id) : [e.causeNames.text];
      if (names.length === 0 || !names.every((n) => x.cause?.includes(n) === true)) out.push(`cause does not name ${names.join(', ') || e.causeNames.toString()}: ${String(x.cause)}`);
    }
  }
  const automations = o.automations.map((a) => a.status);
  if (e.automation === 'none' ? automations.length !== 0 : automations.length === 0 || automations.some((s) => s !== e.automation)) {
    out.push(`automations [${automations.join(', ')}], expected ${e.automation}`);
  }
  const commands = o.commands.map((c) => c.status);
  if (e.command === 'none' ? commands.length !== 0 : commands.length === 0 || commands.some((s) => s !== e.command)) {
    out.push(`commands [${commands.join(', ')}], expected ${e.command}`);
  }
  if (e.invocations !== undefined) {
    const counts: Record<string, number> = {};
    for (const c of o.commands) for (const i of c.invocations) counts[i.status] = (counts[i.status] ?? 0) + 1;
    const want = Object.entries(e.invocations).filter(([, n]) => n > 0);
    const got = Object.entries(counts);
    if (want.length !== got.length || want.some(([k, n]) => counts[k] !== n)) out.push(`invocations ${JSON.stringify(counts)}, expected ${JSON.stringify(e.invocations)}`);
  }
  out.push(...(scenario.check?.(o, flavor) ?? []));
  return out;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly flavor: Flavor;
  readonly observation?: Observation;
  readonly notApplicable?: string;
  /** Common invariant violations plus differences from the expectation. */
  readonly problems: readonly string[];
  /** The execution ended only through the Task timeout, and that was not the point of the scenario. */
  readonly hung: boolean;
}

export async function runScenario(scenario: Scenario, flavor: Flavor): Promise<ScenarioResult> {
  const e = scenario.expect[flavor];
  if (!isApplicable(e)) return { scenario, flavor, notApplicable: e.notApplicable, problems: [], hung: false };
  const h = new Harness(flavor, scenario.settings ?? {});
  try {
    await h.deploy();
    const o = await scenario.run(h);
    const problems = [...o.violations, ...mismatches(scenario, flavor, o)];
    const didHang = scenario.timeoutIsExpected !== true && o.executions.some(hung);
    return { scenario, flavor, observation: o, problems, hung: didHang };
  } finally {
    await h.close();
  }
}

/** One line summing up what happened, for the table and the printed report. */
export function outcome(r: ScenarioResult): string {
  if (r.notApplicable !== undefined) return 'n/a';
  const o = r.observation!;
  const x = o.executions;
  const parts = [...new Set(x.map((e) => (e.status === 'FAILED' ? `FAILED \`${String(e.error)}\`` : e.status)))];
  const secs = Math.max(...x.map((e) => e.seconds));
  return `${parts.join(', ')} after ${formatSeconds(secs)}`;
}

export function formatSeconds(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 3 * 86_400) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 8640) / 10} days`;
}
