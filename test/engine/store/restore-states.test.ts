import { afterEach, describe, expect, test } from 'vitest';
import { persistentEngines } from '../../helpers/data-dir.js';

const { dataDir, engineOn, crash, cleanup } = persistentEngines('real');
afterEach(cleanup);

const ROLE = 'arn:aws:iam::123456789012:role/states';
const PASS = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Result: { ok: true }, Next: 'B' }, B: { Type: 'Pass', End: true } } });
const WAIT_FOR_TOKEN = JSON.stringify({
  StartAt: 'Wait',
  States: { Wait: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:describeStateMachine.waitForTaskToken', Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id' }, End: true } },
});

describe('restoring Step Functions records from the store', () => {
  test('brings back state machines, executions and histories, and ends running executions ABORTED', async () => {
    const dir = dataDir();
    const first = engineOn(dir);
    const pass = await first.sfn.CreateStateMachine({ name: 'pass', roleArn: ROLE, definition: PASS });
    await first.sfn.UpdateStateMachine({ stateMachineArn: pass.stateMachineArn, definition: PASS.replace('"ok":true', '"ok":"updated"') });
    const done = await first.sfn.StartExecution({ stateMachineArn: pass.stateMachineArn, name: 'done', input: '{"n":1}' });
    await first.sfn.waitForExecution(done.executionArn);
    const doneHistory = (await first.sfn.GetExecutionHistory({ executionArn: done.executionArn })).events;

    const gone = await first.sfn.CreateStateMachine({ name: 'gone', roleArn: ROLE, definition: PASS });
    const ofGone = await first.sfn.StartExecution({ stateMachineArn: gone.stateMachineArn, name: 'of-gone' });
    await first.sfn.waitForExecution(ofGone.executionArn);
    await first.sfn.DeleteStateMachine({ stateMachineArn: gone.stateMachineArn });

    const waiting = await first.sfn.CreateStateMachine({ name: 'waiting', roleArn: ROLE, definition: WAIT_FOR_TOKEN });
    const running = await first.sfn.StartExecution({ stateMachineArn: waiting.stateMachineArn, name: 'running' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await first.sfn.DescribeExecution(running)).status).toBe('RUNNING');
    await crash(first);

    const second = engineOn(dir);
    expect((await second.sfn.ListStateMachines()).stateMachines.map((m) => m.name)).toEqual(['pass', 'waiting']);
    const machine = await second.sfn.DescribeStateMachine({ stateMachineArn: pass.stateMachineArn });
    expect(machine.definition).toContain('"ok":"updated"');
    expect(machine.revisionId).toBeDefined();

    const described = await second.sfn.DescribeExecution(done);
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'done', input: '{"n":1}', output: '{"ok":"updated"}' });
    expect(described.startDate).toBeInstanceOf(Date);
    expect((await second.sfn.GetExecutionHistory({ executionArn: done.executionArn })).events).toEqual(doneHistory);
    expect((await second.sfn.DescribeExecution(ofGone)).stateMachineArn).toBe(gone.stateMachineArn);

    const aborted = await second.sfn.DescribeExecution(running);
    expect(aborted.status).toBe('ABORTED');
    expect(aborted.stopDate).toBeInstanceOf(Date);
    const events = (await second.sfn.GetExecutionHistory({ executionArn: running.executionArn })).events;
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'ExecutionAborted']);
    expect(events.at(-1)).toMatchObject({ id: 6, previousEventId: 5 });
    expect((await second.sfn.ListExecutions({ stateMachineArn: waiting.stateMachineArn, statusFilter: 'RUNNING' })).executions).toEqual([]);
    expect(second.sfn.runningExecutions).toBe(0);

    // Names stay taken, and the restored machines run.
    await expect(second.sfn.StartExecution({ stateMachineArn: pass.stateMachineArn, name: 'done', input: '{}' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    const next = await second.sfn.StartExecution({ stateMachineArn: pass.stateMachineArn, name: 'next' });
    expect((await second.sfn.waitForExecution(next.executionArn)).status).toBe('SUCCEEDED');
    expect((await second.sfn.ListExecutions({ stateMachineArn: pass.stateMachineArn })).executions.map((e) => e.name)).toEqual(['next', 'done']);
    await crash(second);

    // The ABORTED end written at the second start is kept as written: a third start changes nothing.
    const third = engineOn(dir);
    const again = (await third.sfn.GetExecutionHistory({ executionArn: running.executionArn })).events;
    expect(again.map((e) => e.type).filter((t) => t === 'ExecutionAborted')).toHaveLength(1);
    expect((await third.sfn.DescribeExecution(next)).status).toBe('SUCCEEDED');
  });
});
