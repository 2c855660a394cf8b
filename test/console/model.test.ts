/** The console's pure parts: a definition as a graph, its layout, and what a history says about each state. */
import { describe, expect, test } from 'vitest';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { allStates, buildWorkflow, END_ID, START_ID } from '../../src/console/model/asl-graph.js';
import { readHistory, type HistoryEvent } from '../../src/console/model/execution-state.js';
import { layoutWorkflow } from '../../src/console/model/layout.js';

const EVERY_TYPE = {
  StartAt: 'Choose',
  States: {
    Choose: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Both' }], Default: 'Wait' },
    Wait: { Type: 'Wait', Seconds: 1, Next: 'Both' },
    Both: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
        { StartAt: 'B', States: { B: { Type: 'Fail', Error: 'Boom', Cause: 'bad' } } },
      ],
      Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Each' }],
      Next: 'Each',
    },
    Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } }, Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

describe('asl-graph', () => {
  test('draws every state type with Start and End, Choice rules and Default, Catch and Retry edges, and the insides of Parallel and Map', () => {
    const w = buildWorkflow(EVERY_TYPE);
    expect(w.nodes.map((n) => n.id)).toEqual([START_ID, 'Choose', 'Wait', 'Both', 'Each', 'Done', END_ID]);
    expect(w.edges).toEqual([
      { from: START_ID, to: 'Choose', kind: 'next' },
      { from: 'Choose', to: 'Both', kind: 'choice', label: 'Rule #1: $.go BooleanEquals true' },
      { from: 'Choose', to: 'Wait', kind: 'default', label: 'Default' },
      { from: 'Wait', to: 'Both', kind: 'next' },
      { from: 'Both', to: 'Each', kind: 'next' },
      { from: 'Both', to: 'Both', kind: 'retry', label: 'Retry States.TaskFailed ×2' },
      { from: 'Both', to: 'Each', kind: 'catch', label: 'Catch States.ALL' },
      { from: 'Each', to: 'Done', kind: 'next' },
      { from: 'Done', to: END_ID, kind: 'next' },
    ]);
    const both = w.nodes.find((n) => n.id === 'Both')!;
    expect(both.branches!.map((b) => b.graph.nodes.map((n) => n.id))).toEqual([['Both/0/A'], ['Both/1/B']]);
    expect(w.nodes.find((n) => n.id === 'Each')!.branches![0]!.graph.nodes.map((n) => n.name)).toEqual(['Item']);
    expect(allStates(w).map((n) => n.name)).toEqual(['Choose', 'Wait', 'Both', 'A', 'B', 'Each', 'Item', 'Done']);
  });

  test('reads a hostile definition without throwing: unknown targets, wrong types, no States', () => {
    for (const definition of [null, 1, 'x', [], {}, { States: [] }, { StartAt: 'Z', States: { A: null, B: { Type: 7, Next: 'nowhere', Catch: [null, { Next: 5 }], Retry: 'x' } } }]) {
      const w = buildWorkflow(definition);
      expect(() => layoutWorkflow(w)).not.toThrow();
    }
  });

  test('lays containers out around their insides, and every edge has points', () => {
    const layout = layoutWorkflow(buildWorkflow(EVERY_TYPE));
    const at = (id: string) => layout.nodes.find((n) => n.node.id === id)!;
    const both = at('Both');
    for (const inner of ['Both/0/A', 'Both/1/B']) {
      const n = at(inner);
      expect(n.x).toBeGreaterThanOrEqual(both.x);
      expect(n.x + n.width).toBeLessThanOrEqual(both.x + both.width);
      expect(n.y + n.height).toBeLessThanOrEqual(both.y + both.height);
    }
    expect(at('Choose').y).toBeLessThan(at('Both').y);
    expect(layout.edges.every((e) => e.points.length >= 2)).toBe(true);
    expect(layout.width).toBeGreaterThan(0);
  });
});

describe('execution-state', () => {
  test('colours each state from a real history: caught Parallel, failed Fail state, Map iterations, not reached', async () => {
    const engine = new LocalEngine({ clock: 'fast' });
    try {
      const roleArn = engine.roles.define('arn:aws:iam::123456789012:role/x').arn;
      const machine = await engine.sfn.CreateStateMachine({ name: 'every-type', roleArn, definition: JSON.stringify(EVERY_TYPE) });
      const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn: machine.stateMachineArn, input: JSON.stringify({ go: true, items: [1, 2, 3] }) });
      await engine.sfn.waitForExecution(executionArn);
      const { events } = await engine.sfn.GetExecutionHistory({ executionArn, maxResults: 1000 });
      const view = readHistory(events.map((e) => ({ ...e, timestamp: e.timestamp.getTime() / 1000 })) as unknown as HistoryEvent[]);
      expect(Object.fromEntries(view.statusByName)).toEqual({ Choose: 'succeeded', Both: 'caught', A: 'succeeded', B: 'failed', Each: 'succeeded', Item: 'succeeded', Done: 'succeeded' });
      expect(view.statusByName.get('Wait')).toBeUndefined();
      expect(view.iterations.get('Each')!.map((i) => [i.index, i.status])).toEqual([
        [0, 'succeeded'],
        [1, 'succeeded'],
        [2, 'succeeded'],
      ]);
      expect(view.runsByName.get('Item')!.map((r) => r.iteration?.index)).toEqual([0, 1, 2]);
      expect(view.runsByName.get('Item')!.map((r) => r.input)).toEqual(['1', '2', '3']);
      expect(view.executionStatus).toBe('SUCCEEDED');
      expect(view.failure).toBeUndefined();
    } finally {
      await engine.close();
    }
  });

  test('a Task that failed after a retry, uncaught: running until the end, then failed with its error; the reason names it', () => {
    const t = (id: number, previousEventId: number, type: string, extra: object = {}): HistoryEvent => ({ id, previousEventId, type, timestamp: id, ...extra });
    const events = [
      t(1, 0, 'ExecutionStarted'),
      t(2, 1, 'TaskStateEntered', { stateEnteredEventDetails: { name: 'Run', input: '{}' } }),
      t(3, 2, 'TaskScheduled', { taskScheduledEventDetails: { resourceType: 'aws-sdk', resource: 'ssm:startAutomationExecution.waitForTaskToken' } }),
      t(4, 3, 'TaskSubmitted', { taskSubmittedEventDetails: { output: '{"AutomationExecutionId":"a-1"}' } }),
      t(5, 4, 'TaskFailed', { taskFailedEventDetails: { error: 'RunCommand.Failed', cause: 'first' } }),
      t(6, 5, 'TaskScheduled', { taskScheduledEventDetails: { resourceType: 'aws-sdk', resource: 'ssm:startAutomationExecution.waitForTaskToken' } }),
    ];
    const running = readHistory(events);
    expect(running.statusByName.get('Run')).toBe('running');
    expect(running.runs[0]!.retries).toBe(1);
    expect(running.runs[0]!.automationExecutionId).toBe('a-1');
    const failed = readHistory([
      ...events,
      t(7, 6, 'TaskFailed', { taskFailedEventDetails: { error: 'RunCommand.Failed', cause: 'exit 3' } }),
      t(8, 7, 'ExecutionFailed', { executionFailedEventDetails: { error: 'RunCommand.Failed', cause: 'exit 3' } }),
    ]);
    expect(failed.statusByName.get('Run')).toBe('failed');
    expect(failed.runs[0]).toMatchObject({ error: 'RunCommand.Failed', cause: 'exit 3', resource: 'aws-sdk:ssm:startAutomationExecution.waitForTaskToken' });
    expect(failed.failure).toEqual({ error: 'RunCommand.Failed', cause: 'exit 3', originState: 'Run', endedIn: 'Run' });
  });
});
