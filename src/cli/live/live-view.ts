/**
 * The live view of an execution: states entered and left, the automation's steps, each node's command status,
 * and elapsed time, written to stderr in the order they happened. It polls the public APIs
 * (GetExecutionHistory, DescribeAutomationStepExecutions, ListCommandInvocations), so it works the same on the
 * embedded engine, a local endpoint and AWS.
 *
 * Order: each poll reads the history first, then the automations, then the commands, and every event carries its
 * service timestamp. An automation or command event is printed only once the history has been read after it (its
 * time is at most the newest history event's, or it waited one poll), so a history event that happened before it
 * can no longer turn up later. Events of one time are merged so that starts go down (state → automation →
 * command) and ends come back up (command → automation → state).
 *
 * While commands run, one status line shows each running node's elapsed time and, on the embedded engine, its
 * latest output line: updated in place on a terminal, a plain line every few seconds otherwise.
 */
import type { AwsApi } from '../../engine/aws-api.js';
import { isJsonObject, type JsonObject } from '../../model/json.js';

export interface LiveViewOptions {
  readonly api: AwsApi;
  readonly write?: (line: string) => void;
  /** Poll interval in ms (default 100). */
  readonly intervalMs?: number;
  /** Elapsed time is measured from here (default: now). */
  readonly startedAt?: number;
  /** Prefix for every line, e.g. the scenario name. */
  readonly label?: string;
  /**
   * What a running command has written so far, where the caller can see it (the embedded engine's agent files);
   * the services themselves return a command's output only once it has finished.
   */
  readonly liveOutput?: (commandId: string, instanceId: string) => string | undefined;
  /**
   * Shows (a string) or clears (undefined) the status line of running commands. Default: in place on stderr when it
   * is a terminal, else a plain line through `write` every `plainStatusMs`.
   */
  readonly status?: (line: string | undefined) => void;
  /** How often a plain status line is written when stderr is not a terminal (default 10 s). */
  readonly plainStatusMs?: number;
}

export interface ExecutionSummary {
  readonly status: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const STEP_ENDS = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'CompletedWithSuccess', 'CompletedWithFailure', 'Exited']);
const COMMAND_ENDS = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'DeliveryTimedOut', 'ExecutionTimedOut', 'Undeliverable', 'Terminated', 'InvalidPlatform', 'AccessDenied']);

/** Where an event comes from, in the order a Task reaches down: the state machine, its automation, the command. */
const Source = { States: 0, Automation: 1, Command: 2 } as const;
type Source = (typeof Source)[keyof typeof Source];

interface ViewEvent {
  /** Service time, epoch ms. */
  readonly at: number;
  readonly source: Source;
  /** Whether the event ends something (a task, a step, a command) rather than starts it. */
  readonly ends: boolean;
  readonly text: string;
}

function short(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

/**
 * A service timestamp: epoch seconds as the JSON protocols send them, ISO text (what the SDK's Date became), or a Date
 * (the embedded engine's SSM results).
 */
function millis(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return Math.round(value > 1e11 ? value : value * 1000);
  if (typeof value === 'string' && value !== '') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/**
 * Whether `a` comes before `b` (from another source). At one time, ends come back up (a command's end before its
 * step's, a step's before the Task's) and everything else goes down (the Task before its automation, a step before
 * the command it sends).
 */
function before(a: ViewEvent, b: ViewEvent): boolean {
  if (a.at !== b.at) return a.at < b.at;
  const bothEnd = a.ends && b.ends;
  return a.source > b.source ? bothEnd : !bothEnd;
}

/** Merges per-source lists (each already in its own order) by time, ties as `before` says. */
function merge(lists: ViewEvent[][]): ViewEvent[] {
  const out: ViewEvent[] = [];
  const heads = lists.map(() => 0);
  for (;;) {
    const candidates = lists.map((list, i) => list[heads[i]!]).filter((e): e is ViewEvent => e !== undefined);
    if (candidates.length === 0) return out;
    // The head that comes before every other head (the upstream one, should the rule ever disagree with itself).
    const next = candidates.find((c) => candidates.every((o) => o === c || before(c, o))) ?? candidates[0]!;
    out.push(next);
    heads[lists.findIndex((list, i) => list[heads[i]!] === next)]!++;
  }
}

/** The last non-empty line of a command's output so far, shortened for a status line. */
function lastLine(text: string | undefined, max = 60): string | undefined {
  if (text === undefined) return undefined;
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  return last.length > max ? `${last.slice(0, max - 1)}…` : last;
}

function defaultStatus(write: (line: string) => void, plainMs: number): (line: string | undefined) => void {
  const stream = process.stderr;
  if (stream.isTTY === true) {
    let shown = false;
    return (line) => {
      if (line === undefined) {
        if (shown) stream.write('\r\x1b[K');
        shown = false;
        return;
      }
      const width = Math.max(20, (stream.columns ?? 100) - 1);
      stream.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    };
  }
  // The first plain line after `plainMs`: a short command needs none.
  let lastWritten = Date.now();
  return (line) => {
    if (line === undefined) return;
    const now = Date.now();
    if (now - lastWritten < plainMs) return;
    lastWritten = now;
    write(line);
  };
}

/** Follows one execution until it ends; resolves with DescribeExecution's result. */
export async function followExecution(executionArn: string, options: LiveViewOptions): Promise<ExecutionSummary> {
  const { api } = options;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const status = options.status ?? defaultStatus(write, options.plainStatusMs ?? 10_000);
  const started = options.startedAt ?? Date.now();
  const interval = options.intervalMs ?? 100;
  const clock = () => `${((Date.now() - started) / 1000).toFixed(2).padStart(7)}s ${options.label === undefined ? '' : `[${options.label}] `}`;
  const print = (text: string) => {
    status(undefined);
    write(`${clock()}${text}`);
  };
  let seenEvents = 0;
  const automations: string[] = [];
  /** Automations whose start has been printed. */
  const announced = new Set<string>();
  const stepStatus = new Map<string, string>();
  const invocationStatus = new Map<string, string>();
  const commands: string[] = [];
  /** Running invocations: key → when this view first saw them running (wall clock), for the elapsed time. */
  const running = new Map<string, { commandId: string; instanceId: string; since: number }>();
  /** Automation and command events held back for the next poll (see the module comment). */
  let held: ViewEvent[] = [];

  const pollHistory = async (): Promise<{ events: ViewEvent[]; newest: number }> => {
    const history = (await api.call('sfn', 'GetExecutionHistory', { executionArn, maxResults: 1000 })) as { events?: JsonObject[] };
    const all = history.events ?? [];
    const events: ViewEvent[] = [];
    let newest = -Infinity;
    for (const event of all) newest = Math.max(newest, millis(event['timestamp']) ?? -Infinity);
    for (const event of all.slice(seenEvents)) {
      const at = millis(event['timestamp']) ?? newest;
      const add = (text: string, ends: boolean) => events.push({ at, source: Source.States, ends, text });
      const type = String(event['type']);
      const entered = event['stateEnteredEventDetails'];
      const exited = event['stateExitedEventDetails'];
      if (type.endsWith('StateEntered') && isJsonObject(entered)) add(`▶ ${String(entered['name'])} (${type.replace('StateEntered', '')})`, false);
      if (type.endsWith('StateExited') && isJsonObject(exited)) add(`◀ ${String(exited['name'])}`, true);
      const submitted = event['taskSubmittedEventDetails'];
      if (type === 'TaskSubmitted' && isJsonObject(submitted)) {
        try {
          const output = JSON.parse(String(submitted['output'] ?? '{}')) as JsonObject;
          const id = output['AutomationExecutionId'];
          // Its line comes with its steps: it started before the Task recorded its id.
          if (typeof id === 'string' && !automations.includes(id)) automations.push(id);
        } catch {
          // not JSON: nothing to follow
        }
      }
      const failed = event['taskFailedEventDetails'] ?? event['executionFailedEventDetails'];
      if (isJsonObject(failed) && type.endsWith('Failed')) add(`✗ ${type}: ${String(failed['error'] ?? '')}`, true);
      if (type === 'TaskTimedOut') add('✗ TaskTimedOut: States.Timeout', true);
      if (type === 'TaskSucceeded') add('✓ TaskSucceeded', true);
    }
    seenEvents = all.length;
    return { events, newest };
  };

  const pollAutomations = async (): Promise<ViewEvent[]> => {
    const events: ViewEvent[] = [];
    for (const id of automations) {
      const steps = (await api.call('ssm', 'DescribeAutomationStepExecutions', { AutomationExecutionId: id }).catch(() => ({ StepExecutions: [] }))) as {
        StepExecutions?: JsonObject[];
      };
      if (!announced.has(id) && (steps.StepExecutions ?? []).length > 0) {
        announced.add(id);
        const at = Math.min(...(steps.StepExecutions ?? []).map((step) => millis(step['ExecutionStartTime']) ?? Infinity));
        events.push({ at, source: Source.Automation, ends: false, text: `  automation ${short(id)} started` });
      }
      for (const step of steps.StepExecutions ?? []) {
        const name = String(step['StepName']);
        const key = `${id}/${name}`;
        const stepState = String(step['StepStatus']);
        if (stepStatus.get(key) !== stepState) {
          stepStatus.set(key, stepState);
          const ends = STEP_ENDS.has(stepState);
          const at = millis(ends ? step['ExecutionEndTime'] : step['ExecutionStartTime']) ?? millis(step['ExecutionStartTime']) ?? -Infinity;
          events.push({ at, source: Source.Automation, ends, text: `  step ${name}: ${stepState}${typeof step['FailureMessage'] === 'string' ? ` — ${step['FailureMessage']}` : ''}` });
        }
        const outputs = step['Outputs'];
        const commandId = isJsonObject(outputs) && Array.isArray(outputs['CommandId']) ? outputs['CommandId'][0] : undefined;
        if (typeof commandId === 'string' && !commands.includes(commandId)) commands.push(commandId);
      }
    }
    return events;
  };

  const pollCommands = async (): Promise<ViewEvent[]> => {
    const events: ViewEvent[] = [];
    for (const commandId of commands) {
      const invocations = (await api.call('ssm', 'ListCommandInvocations', { CommandId: commandId, Details: true }).catch(() => ({ CommandInvocations: [] }))) as {
        CommandInvocations?: JsonObject[];
      };
      for (const inv of invocations.CommandInvocations ?? []) {
        const instanceId = String(inv['InstanceId']);
        const key = `${commandId}/${instanceId}`;
        const plugin = Array.isArray(inv['CommandPlugins']) && isJsonObject(inv['CommandPlugins'][0]) ? inv['CommandPlugins'][0] : undefined;
        const code = plugin !== undefined && typeof plugin['ResponseCode'] === 'number' && plugin['ResponseCode'] >= 0 ? ` (exit ${plugin['ResponseCode']})` : '';
        const invStatus = String(inv['Status']);
        const shown = `${String(inv['StatusDetails'] ?? invStatus)}${code}`;
        if (invStatus === 'InProgress') {
          if (!running.has(key)) running.set(key, { commandId, instanceId, since: Date.now() });
        } else {
          running.delete(key);
        }
        if (invocationStatus.get(key) !== shown) {
          invocationStatus.set(key, shown);
          const ends = COMMAND_ENDS.has(invStatus);
          const at =
            (ends ? millis(plugin?.['ResponseFinishDateTime']) : invStatus === 'InProgress' ? millis(plugin?.['ResponseStartDateTime']) : undefined) ??
            millis(inv['RequestedDateTime']) ??
            -Infinity;
          events.push({ at, source: Source.Command, ends, text: `    ${instanceId}: ${shown}` });
        }
      }
    }
    return events;
  };

  /** One poll: read the three sources in order, print what is settled, hold the rest. */
  const poll = async (): Promise<void> => {
    const history = await pollHistory();
    const automation = await pollAutomations();
    const command = await pollCommands();
    const threshold = Math.max(history.newest, ...held.map((e) => e.at));
    const lower = [...held, ...automation, ...command];
    const byTime = (a: ViewEvent, b: ViewEvent) => a.at - b.at;
    const ready = lower.filter((e) => e.at <= threshold);
    held = lower.filter((e) => e.at > threshold);
    const [automationReady, commandReady] = [ready.filter((e) => e.source === Source.Automation).sort(byTime), ready.filter((e) => e.source === Source.Command).sort(byTime)];
    for (const event of merge([history.events, automationReady, commandReady])) print(event.text);
  };

  const showRunning = (): void => {
    if (running.size === 0) {
      status(undefined);
      return;
    }
    const parts = [...running.values()].map((r) => {
      const latest = lastLine(options.liveOutput?.(r.commandId, r.instanceId));
      return `${r.instanceId}: running ${Math.round((Date.now() - r.since) / 1000)} s${latest === undefined ? '' : ` · ${latest}`}`;
    });
    status(`${clock()}  ${parts.join(' | ')}`);
  };

  try {
    for (;;) {
      await poll();
      const described = (await api.call('sfn', 'DescribeExecution', { executionArn })) as JsonObject;
      const executionStatus = String(described['status']);
      if (TERMINAL.has(executionStatus)) {
        await poll();
        // Whatever is still held happened before the end was read: print it now, in order.
        const rest = held.sort((a, b) => a.at - b.at);
        held = [];
        for (const event of merge([rest.filter((e) => e.source === Source.Automation), rest.filter((e) => e.source === Source.Command)])) print(event.text);
        running.clear();
        print(`■ ${executionStatus}${typeof described['error'] === 'string' ? ` (${described['error']})` : ''}`);
        return {
          status: executionStatus,
          ...(typeof described['output'] === 'string' ? { output: JSON.parse(described['output']) as unknown } : {}),
          ...(typeof described['error'] === 'string' ? { error: described['error'] } : {}),
          ...(typeof described['cause'] === 'string' ? { cause: described['cause'] } : {}),
        };
      }
      showRunning();
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  } finally {
    status(undefined);
  }
}
