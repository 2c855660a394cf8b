import { describe, expect, test } from 'vitest';
import type { AwsApi } from '../../../src/engine/aws-api.js';
import type { JsonObject, JsonValue } from '../../../src/model/json.js';
import { followExecution } from '../../../src/cli/live/live-view.js';

/** What the three services answer at one poll (each poll reads history, steps, commands, then DescribeExecution). */
interface Snapshot {
  readonly history: JsonObject[];
  readonly steps: JsonObject[];
  readonly invocations: JsonObject[];
  readonly status: string;
}

const T0 = Date.parse('2025-01-01T00:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
/** History timestamps as the JSON protocol sends them: epoch seconds. */
const epoch = (s: number) => (T0 + s * 1000) / 1000;

const entered = (s: number) => ({ timestamp: epoch(s), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Run' } });
const submitted = (s: number) => ({ timestamp: epoch(s), type: 'TaskSubmitted', taskSubmittedEventDetails: { output: JSON.stringify({ AutomationExecutionId: 'auto-1' }) } });
const succeeded = (s: number) => ({ timestamp: epoch(s), type: 'TaskSucceeded' });
const exited = (s: number) => ({ timestamp: epoch(s), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Run' } });
const step = (name: string, status: string, start: number, end?: number, commandId?: string) => ({
  StepName: name,
  StepStatus: status,
  ExecutionStartTime: iso(start),
  ...(end === undefined ? {} : { ExecutionEndTime: iso(end) }),
  ...(commandId === undefined ? {} : { Outputs: { CommandId: [commandId] } }),
});
const invocation = (status: string, requested: number, started?: number, finished?: number) => ({
  InstanceId: 'i-0123456789abcdef0',
  Status: status,
  StatusDetails: status,
  RequestedDateTime: iso(requested),
  CommandPlugins: [
    {
      ...(started === undefined ? {} : { ResponseStartDateTime: iso(started) }),
      ...(finished === undefined ? {} : { ResponseFinishDateTime: iso(finished), ResponseCode: 0 }),
    },
  ],
});

/** An AwsApi that answers from one snapshot per poll. */
function scripted(snapshots: Snapshot[]): AwsApi {
  let poll = 0;
  const now = () => snapshots[Math.min(poll, snapshots.length - 1)]!;
  return {
    call: async (_service: string, operation: string): Promise<JsonValue> => {
      switch (operation) {
        case 'GetExecutionHistory':
          return { events: now().history } as JsonValue;
        case 'DescribeAutomationStepExecutions':
          return { StepExecutions: now().steps } as JsonValue;
        case 'ListCommandInvocations':
          return { CommandInvocations: now().invocations } as JsonValue;
        case 'DescribeExecution': {
          const status = now().status;
          poll++;
          return { status, ...(status === 'SUCCEEDED' ? { output: '{}' } : {}) };
        }
        default:
          throw new Error(operation);
      }
    },
  };
}

async function view(snapshots: Snapshot[], extra: Partial<Parameters<typeof followExecution>[1]> = {}): Promise<string[]> {
  const lines: string[] = [];
  await followExecution('arn:aws:states:us-east-1:123456789012:execution:m:e', {
    api: scripted(snapshots),
    write: (line) => lines.push(line.replace(/^\s*\d+\.\d+s /, '')),
    intervalMs: 1,
    status: () => undefined,
    ...extra,
  });
  return lines.map((l) => l.trim());
}

describe('the live view', () => {
  test('should print what happened in one poll in the order it happened, across the three services', async () => {
    // Everything arrives at once: the command ends, its step ends, the callback step runs, and the Task succeeds.
    const lines = await view([
      {
        history: [entered(0), submitted(1), succeeded(9), exited(9)],
        steps: [step('RunShellScript', 'Success', 0.5, 8.5, 'cmd-1'), step('NotifySuccess', 'Success', 8.5, 9)],
        invocations: [invocation('Success', 1, 1, 8)],
        status: 'SUCCEEDED',
      },
    ]);
    expect(lines).toEqual([
      '▶ Run (Task)',
      'automation auto-1 started',
      'i-0123456789abcdef0: Success (exit 0)',
      'step RunShellScript: Success',
      'step NotifySuccess: Success',
      '✓ TaskSucceeded',
      '◀ Run',
      '■ SUCCEEDED',
    ]);
  });

  test('should put starts before the work they start and ends after the work that ended them, at one time', async () => {
    const lines = await view([
      {
        history: [entered(0), submitted(1)],
        steps: [step('ChooseCommand', 'Success', 1, 1), step('RunShellScript', 'InProgress', 1, undefined, 'cmd-1')],
        invocations: [invocation('InProgress', 1, 1)],
        status: 'RUNNING',
      },
      {
        history: [entered(0), submitted(1), succeeded(5), exited(5)],
        steps: [step('ChooseCommand', 'Success', 1, 1), step('RunShellScript', 'Success', 1, 5, 'cmd-1'), step('NotifySuccess', 'Success', 5, 5)],
        invocations: [invocation('Success', 1, 1, 5)],
        status: 'SUCCEEDED',
      },
    ]);
    expect(lines).toEqual([
      '▶ Run (Task)',
      'automation auto-1 started',
      'step ChooseCommand: Success',
      'step RunShellScript: InProgress',
      'i-0123456789abcdef0: InProgress',
      'i-0123456789abcdef0: Success (exit 0)',
      'step RunShellScript: Success',
      'step NotifySuccess: Success',
      '✓ TaskSucceeded',
      '◀ Run',
      '■ SUCCEEDED',
    ]);
  });

  test('should hold an event read after the history until the history has been read past it', async () => {
    // Poll 1 reads the history (newest event at 1 s), then a command that ended at 3 s. A Task event at 2 s is only
    // in the history read by poll 2: it must still come first.
    const lines = await view([
      {
        history: [entered(0), submitted(1)],
        steps: [step('RunShellScript', 'InProgress', 1, undefined, 'cmd-1')],
        invocations: [invocation('Success', 1, 1, 3)],
        status: 'RUNNING',
      },
      {
        history: [entered(0), submitted(1), { timestamp: epoch(2), type: 'TaskFailed', taskFailedEventDetails: { error: 'States.Timeout' } }],
        steps: [step('RunShellScript', 'InProgress', 1, undefined, 'cmd-1')],
        invocations: [invocation('Success', 1, 1, 3)],
        status: 'FAILED',
      },
    ]);
    expect(lines.indexOf('✗ TaskFailed: States.Timeout')).toBeLessThan(lines.indexOf('i-0123456789abcdef0: Success (exit 0)'));
  });

  test('should show each running command\'s elapsed time and latest output line on the status line, then clear it', async () => {
    const statuses: Array<string | undefined> = [];
    const running: Snapshot = {
      history: [entered(0), submitted(1)],
      steps: [step('RunShellScript', 'InProgress', 1, undefined, 'cmd-1')],
      invocations: [invocation('InProgress', 1, 1)],
      status: 'RUNNING',
    };
    await view(
      [
        running,
        running,
        { ...running, history: [...running.history, succeeded(3)], invocations: [invocation('Success', 1, 1, 3)], status: 'SUCCEEDED' },
      ],
      {
        status: (line) => statuses.push(line),
        liveOutput: (commandId, instanceId) => (commandId === 'cmd-1' && instanceId === 'i-0123456789abcdef0' ? 'downloading\n45%\n\n' : undefined),
      },
    );
    const shown = statuses.filter((s): s is string => s !== undefined);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown[0]).toMatch(/i-0123456789abcdef0: running \d+ s · 45%$/);
    expect(statuses.at(-1)).toBeUndefined();
  });
});
