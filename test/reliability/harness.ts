/**
 * One scenario run: a fresh local engine on a `DriverClock`, the runbooks of one flavour deployed (ours from
 * `cloudformation/ssm-automation-documents.cfn.json`, or the original sample's template), local instances, a state
 * machine like the sample (one `startAutomationExecution.waitForTaskToken` Task) and, at the end, every record the
 * engine keeps about the run, checked for consistency.
 */
import { readFileSync } from 'node:fs';
import { LocalEngine } from '../../src/engine/local-engine.js';
import type { LocalInstance } from '../../src/engine/instances/local-instance.js';
import { DriverClock, settle, type DriveOutcome } from './driver-clock.js';

const ROOT = new URL('../../', import.meta.url).pathname;
export const OUR_TEMPLATE = readFileSync(`${ROOT}cloudformation/ssm-automation-documents.cfn.json`, 'utf8');
export const ORIGINAL_TEMPLATE = readFileSync(`${ROOT}test/fixtures/original-sample/original-sample.cfn.json`, 'utf8');

export type Flavor = 'ours' | 'original';
export const FLAVORS: readonly Flavor[] = ['ours', 'original'];

/** Our runbooks' defaults (docs/runbooks.md): executionTimeout 3600 s, deliveryTimeout 600 s. */
export const DEFAULT_EXECUTION_TIMEOUT = 3600;
export const DEFAULT_DELIVERY_TIMEOUT = 600;
/** docs/runbooks.md, Timeouts 4: the sample Task's `TimeoutSeconds` is executionTimeout + deliveryTimeout + 300. */
export function derivedTaskTimeout(executionTimeout: number, deliveryTimeout: number): number {
  return executionTimeout + deliveryTimeout + 300;
}
/** The Task timeout Step Functions applies when a Task sets none (the original sample sets none). */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;

/**
 * Whether the original runs with IAM enforced. The original scopes `states:SendTask*` to `stateMachine:*`, which AWS
 * accepts for service-integration tokens (aws-semantics §8.1); the engine authorizes SendTask* against the token's
 * state machine ARN (commit fe5ca38), so the original's callbacks pass under enforcement, as on AWS.
 */
export const ORIGINAL_ENFORCES_IAM = true;

export interface EngineSettings {
  readonly taskTokenLength?: number;
  readonly concurrentAutomationQuota?: number;
  /** Changes the runbooks template before it is deployed (e.g. removes a permission from the runbook role). */
  readonly template?: (template: string) => string;
}

/** Removes `action` from every statement of the runbook role (`SSMSyncRole` in both templates). */
export function withoutRunbookRoleAction(action: string): (template: string) => string {
  return (text) => {
    const t = JSON.parse(text) as { Resources: Record<string, { Properties: { Policies: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[] } }> };
    for (const policy of t.Resources['SSMSyncRole']!.Properties.Policies) {
      const statements = policy.PolicyDocument.Statement.map((s) => ({ ...s, Action: [s.Action].flat().filter((a) => a !== action) }));
      policy.PolicyDocument.Statement = statements.filter((s) => s.Action.length > 0);
    }
    return JSON.stringify(t);
  };
}

export interface StartSpec {
  readonly document: 'ByInstanceIds' | 'ByTargets';
  readonly instanceIds?: readonly string[];
  /** Run Command targets, each passed as a JSON string (docs/runbooks.md, MapList). */
  readonly targets?: readonly { Key: string; Values: string[] }[];
  readonly commands: readonly string[];
  readonly executionTimeout?: number;
  /** Ours only (the original has no such parameter). */
  readonly deliveryTimeout?: number;
  /** Further runbook parameters, ours only (MaxErrors…). */
  readonly extra?: Readonly<Record<string, string[]>>;
  /** Overrides the Task's TimeoutSeconds for both flavours. */
  readonly taskTimeoutSeconds?: number;
}

export interface ExecutionObservation {
  readonly executionArn: string;
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: unknown;
  /** Types of the history events, in order. */
  readonly events: readonly string[];
  /** Virtual seconds from ExecutionStarted to the last event. */
  readonly seconds: number;
}

export interface CommandObservation {
  readonly commandId: string;
  readonly status: string;
  readonly statusDetails: string;
  readonly invocations: readonly { instanceId: string; status: string; details: string; responseCode: number }[];
}

export interface AutomationObservation {
  readonly id: string;
  readonly status: string;
  readonly failureMessage?: string;
  readonly steps: readonly { name: string; status: string }[];
}

export interface Observation {
  readonly flavor: Flavor;
  readonly drive: DriveOutcome;
  readonly executions: readonly ExecutionObservation[];
  readonly automations: readonly AutomationObservation[];
  readonly commands: readonly CommandObservation[];
  readonly holds: number;
  readonly waitingTokens: number;
  readonly runningExecutions: number;
  /** Facts a scenario checks beyond the common records (e.g. output sizes, pending counts). */
  readonly facts: Readonly<Record<string, unknown>>;
  /** Violated invariants: empty when every record is consistent. */
  readonly violations: readonly string[];
}

const TERMINAL_AUTOMATION = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);
const TERMINAL_COMMAND = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);
const TERMINAL_INVOCATION = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);
const LAST_EVENT: Readonly<Record<string, string>> = {
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  ABORTED: 'ExecutionAborted',
  TIMED_OUT: 'ExecutionTimedOut',
};

/** The longest a scenario may take in virtual time before the harness gives up (covers the original's default). */
const MAX_VIRTUAL_MS = (DEFAULT_TASK_TIMEOUT_SECONDS + 86_400) * 1000;

export class Harness {
  readonly clock = new DriverClock();
  readonly engine: LocalEngine;
  readonly flavor: Flavor;
  readonly settings: EngineSettings;
  readonly executionArns: string[] = [];
  readonly facts: Record<string, unknown> = {};
  #machines = 0;

  constructor(flavor: Flavor, settings: EngineSettings = {}) {
    this.flavor = flavor;
    this.settings = settings;
    this.engine = new LocalEngine({
      clock: this.clock,
      enforceIam: flavor === 'ours' ? true : ORIGINAL_ENFORCES_IAM,
      ...(settings.taskTokenLength === undefined ? {} : { taskTokenLength: settings.taskTokenLength }),
      ...(settings.concurrentAutomationQuota === undefined ? {} : { concurrentAutomationQuota: settings.concurrentAutomationQuota }),
    });
  }

  /** Deploys this flavour's runbooks (the deploy's own waits run on the driven clock). */
  async deploy(): Promise<void> {
    const base = this.flavor === 'ours' ? OUR_TEMPLATE : ORIGINAL_TEMPLATE;
    const template = this.settings.template === undefined ? base : this.settings.template(base);
    let failure: unknown;
    let done = false;
    const deploying = this.engine.deploy(template, { stackName: `${this.flavor}-runbooks` }).then(
      () => (done = true),
      (error: unknown) => {
        failure = error;
        done = true;
      },
    );
    await this.clock.drive(() => done, { maxVirtualMs: 3_600_000 });
    await deploying;
    if (failure !== undefined) throw failure;
  }

  addInstances(count: number, tags: Readonly<Record<string, string>> = { Env: 'dev' }): LocalInstance[] {
    return Array.from({ length: count }, () => this.engine.instances.add({ tags }));
  }

  /** The runbook parameters for this flavour: the original takes no deliveryTimeout, shell or rate controls. */
  parameters(spec: StartSpec): Record<string, unknown> {
    const p: Record<string, unknown> = {
      'taskToken.$': 'States.Array($$.Task.Token)',
      Commands: [...spec.commands],
    };
    if (spec.document === 'ByInstanceIds') p['InstanceIds'] = [...(spec.instanceIds ?? [])];
    else p['Targets'] = (spec.targets ?? []).map((t) => JSON.stringify(t));
    if (spec.executionTimeout !== undefined) p['executionTimeout'] = [String(spec.executionTimeout)];
    if (this.flavor === 'ours') {
      p['shell'] = ['Shell'];
      if (spec.deliveryTimeout !== undefined) p['deliveryTimeout'] = [String(spec.deliveryTimeout)];
      Object.assign(p, spec.extra ?? {});
    }
    return p;
  }

  /** Ours: the derived Task timeout (docs/runbooks.md); the original: none, as in its README. */
  taskTimeout(spec: StartSpec): number | undefined {
    if (spec.taskTimeoutSeconds !== undefined) return spec.taskTimeoutSeconds;
    if (this.flavor === 'original') return undefined;
    return derivedTaskTimeout(spec.executionTimeout ?? DEFAULT_EXECUTION_TIMEOUT, spec.deliveryTimeout ?? DEFAULT_DELIVERY_TIMEOUT);
  }

  definition(spec: StartSpec): string {
    const timeout = this.taskTimeout(spec);
    return JSON.stringify({
      Comment: 'Runs shell commands through a runbook and waits for the callback (the sample, without the result read).',
      StartAt: 'RunShellCommand',
      States: {
        RunShellCommand: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
          Parameters: { DocumentName: `SfnRunCommand${spec.document}`, Parameters: this.parameters(spec) },
          ...(timeout === undefined ? {} : { TimeoutSeconds: timeout }),
          End: true,
        },
      },
    });
  }

  /** A role for the state machines that allows every action: their own permissions are not under test here. */
  machineRole(): string {
    return this.engine.roles.define('arn:aws:iam::123456789012:role/reliability-unchecked').arn;
  }

  /** Creates the state machine and starts one execution; returns its ARN. */
  async start(spec: StartSpec): Promise<string> {
    const { stateMachineArn } = await this.engine.sfn.CreateStateMachine({
      name: `reliability-${this.#machines++}`,
      definition: this.definition(spec),
      roleArn: this.machineRole(),
    });
    return this.startExecution(stateMachineArn);
  }

  async startExecution(stateMachineArn: string): Promise<string> {
    const { executionArn } = await this.engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
    this.executionArns.push(executionArn);
    return executionArn;
  }

  /** Drives until `until()` holds (fault injection points); throws when it cannot get there. */
  async until(what: string, until: () => boolean | Promise<boolean>): Promise<void> {
    const outcome = await this.clock.drive(until, { maxVirtualMs: MAX_VIRTUAL_MS });
    if (outcome !== 'done') throw new Error(`scenario could not reach '${what}' (${outcome})`);
  }

  /** Drives the engine for `ms` of virtual time. */
  async wait(what: string, ms: number): Promise<void> {
    let due = false;
    this.clock.setTimer(ms, () => (due = true));
    await this.until(what, () => due);
  }

  async commandStatuses(): Promise<string[]> {
    const { CommandInvocations } = await this.engine.ssm.ListCommandInvocations({});
    return CommandInvocations.map((i) => i.Status);
  }

  async automationStatuses(): Promise<string[]> {
    const list = await this.engine.ssm.DescribeAutomationExecutions({});
    return list.AutomationExecutionMetadataList.map((m) => m.AutomationExecutionStatus);
  }

  /** True when every execution, automation and command has ended and nothing is held. */
  async quiescent(): Promise<boolean> {
    for (const arn of this.executionArns) {
      if ((await this.engine.sfn.DescribeExecution({ executionArn: arn })).status === 'RUNNING') return false;
    }
    if ((await this.automationStatuses()).some((s) => !TERMINAL_AUTOMATION.has(s))) return false;
    const { Commands } = await this.engine.ssm.ListCommands({});
    if (Commands.some((c) => !TERMINAL_COMMAND.has(c.Status))) return false;
    return this.clock.holds === 0;
  }

  /** Drives to the end (every record terminal) and collects and checks the records. */
  async finish(options: { jumpHeld?: boolean } = {}): Promise<Observation> {
    const drive = await this.clock.drive(() => this.quiescent(), { maxVirtualMs: MAX_VIRTUAL_MS, ...(options.jumpHeld === true ? { jumpHeld: true } : {}) });
    await settle();
    return this.observe(drive);
  }

  async observe(drive: DriveOutcome): Promise<Observation> {
    const violations: string[] = [];
    if (drive !== 'done') violations.push(`the run did not come to rest (${drive})`);
    const executions: ExecutionObservation[] = [];
    for (const executionArn of this.executionArns) {
      const d = await this.engine.sfn.DescribeExecution({ executionArn });
      const history = (await this.engine.sfn.GetExecutionHistory({ executionArn })).events;
      const events = history.map((e) => e.type);
      const first = history[0];
      const last = history.at(-1);
      const seconds = first === undefined || last === undefined ? 0 : (new Date(last.timestamp).getTime() - new Date(first.timestamp).getTime()) / 1000;
      let output: unknown;
      if (d.output !== undefined) output = JSON.parse(d.output);
      executions.push({
        executionArn,
        status: d.status,
        ...(d.error === undefined ? {} : { error: d.error }),
        ...(d.cause === undefined ? {} : { cause: d.cause }),
        ...(output === undefined ? {} : { output }),
        events,
        seconds,
      });
      if (d.status === 'RUNNING') violations.push(`execution ${executionArn} is still RUNNING`);
      else if (events.at(-1) !== LAST_EVENT[d.status]) violations.push(`execution history ends with ${String(events.at(-1))}, not ${LAST_EVENT[d.status]} (status ${d.status})`);
    }
    const automations: AutomationObservation[] = [];
    for (const meta of (await this.engine.ssm.DescribeAutomationExecutions({})).AutomationExecutionMetadataList) {
      const a = (await this.engine.ssm.GetAutomationExecution({ AutomationExecutionId: meta.AutomationExecutionId })).AutomationExecution;
      automations.push({
        id: a.AutomationExecutionId,
        status: a.AutomationExecutionStatus,
        ...(a.FailureMessage === undefined ? {} : { failureMessage: a.FailureMessage }),
        steps: a.StepExecutions.map((s) => ({ name: s.StepName, status: s.StepStatus })),
      });
      if (!TERMINAL_AUTOMATION.has(a.AutomationExecutionStatus)) violations.push(`automation ${a.AutomationExecutionId} is still ${a.AutomationExecutionStatus}`);
      if (a.FailureMessage?.startsWith('Internal error') === true) violations.push(`automation ${a.AutomationExecutionId} crashed: ${a.FailureMessage}`);
    }
    const commands: CommandObservation[] = [];
    for (const c of (await this.engine.ssm.ListCommands({})).Commands) {
      const invocations: CommandObservation['invocations'][number][] = [];
      let token: string | undefined;
      do {
        const page = await this.engine.ssm.ListCommandInvocations({ CommandId: c.CommandId, Details: true, ...(token === undefined ? {} : { NextToken: token }) });
        for (const i of page.CommandInvocations) {
          invocations.push({ instanceId: i.InstanceId, status: i.Status, details: i.StatusDetails, responseCode: i.CommandPlugins[0]?.ResponseCode ?? -1 });
        }
        token = page.NextToken;
      } while (token !== undefined);
      commands.push({ commandId: c.CommandId, status: c.Status, statusDetails: c.StatusDetails, invocations });
      if (!TERMINAL_COMMAND.has(c.Status)) violations.push(`command ${c.CommandId} is still ${c.Status}`);
      for (const i of invocations) if (!TERMINAL_INVOCATION.has(i.status)) violations.push(`invocation ${c.CommandId}/${i.instanceId} is still ${i.status}`);
    }
    // A hold is a live instance process or a service call in flight: none may outlive the run.
    if (this.clock.holds !== 0) violations.push(`${this.clock.holds} process(es) or call(s) still running`);
    const waitingTokens = this.engine.sfn.tokens.waitingCount;
    if (waitingTokens !== 0) violations.push(`${waitingTokens} task token(s) still pending`);
    const runningExecutions = this.engine.sfn.runningExecutions;
    if (runningExecutions !== 0) violations.push(`${runningExecutions} execution(s) still running`);
    return {
      flavor: this.flavor,
      drive,
      executions,
      automations,
      commands,
      holds: this.clock.holds,
      waitingTokens,
      runningExecutions,
      facts: { ...this.facts },
      violations,
    };
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}

/**
 * Hang: only a timeout ended the execution, i.e. the token was never called back: the Task's `TimeoutSeconds`
 * (`States.Timeout`) or, for a Task without one, the 1-year maximum duration of a Standard execution (TIMED_OUT).
 */
export function hung(execution: ExecutionObservation): boolean {
  return execution.error === 'States.Timeout' || execution.status === 'TIMED_OUT';
}
