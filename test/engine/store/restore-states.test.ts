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
    first.roles.define(ROLE);
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

describe('restoring Step Functions versions, aliases, activities and tags', () => {
  test('brings back versions (numbering goes on), aliases, activities, tags, and what each execution ran', async () => {
    const dir = dataDir();
    const first = engineOn(dir);
    first.roles.define(ROLE);
    const { stateMachineArn, stateMachineVersionArn: v1 } = await first.sfn.CreateStateMachine({ name: 'versioned', roleArn: ROLE, definition: PASS, publish: true, tags: [{ key: 'team', value: 'ops' }] });
    await first.sfn.UpdateStateMachine({ stateMachineArn, definition: PASS.replace('"ok":true', '"ok":2'), publish: true, versionDescription: 'second' });
    await first.sfn.UpdateStateMachine({ stateMachineArn, definition: PASS.replace('"ok":true', '"ok":3'), publish: true });
    await first.sfn.DeleteStateMachineVersion({ stateMachineVersionArn: `${stateMachineArn}:3` });
    await first.sfn.UpdateStateMachine({ stateMachineArn, definition: PASS.replace('"ok":true', '"ok":"unpublished"') });
    const { stateMachineAliasArn } = await first.sfn.CreateStateMachineAlias({ name: 'live', description: 'the live one', routingConfiguration: [{ stateMachineVersionArn: v1!, weight: 100 }] });
    const viaAlias = await first.sfn.StartExecution({ stateMachineArn: stateMachineAliasArn, name: 'via-alias' });
    await first.sfn.waitForExecution(viaAlias.executionArn);
    const current = await first.sfn.StartExecution({ stateMachineArn, name: 'current' });
    await first.sfn.waitForExecution(current.executionArn);
    const { activityArn } = await first.sfn.CreateActivity({ name: 'work', tags: [{ key: 'kind', value: 'activity' }] });
    await first.sfn.TagResource({ resourceArn: stateMachineArn, tags: [{ key: 'stage', value: 'dev' }] });
    await first.sfn.UntagResource({ resourceArn: stateMachineArn, tagKeys: ['team'] });
    await crash(first);

    const second = engineOn(dir);
    expect((await second.sfn.ListStateMachineVersions({ stateMachineArn })).stateMachineVersions.map((v) => v.stateMachineVersionArn)).toEqual([`${stateMachineArn}:2`, v1]);
    expect(await second.sfn.DescribeStateMachine({ stateMachineArn: `${stateMachineArn}:2` })).toMatchObject({ description: 'second', definition: PASS.replace('"ok":true', '"ok":2') });
    expect((await second.sfn.DescribeStateMachine({ stateMachineArn })).definition).toContain('unpublished');
    expect(await second.sfn.DescribeStateMachineAlias({ stateMachineAliasArn })).toMatchObject({ name: 'live', description: 'the live one', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }] });
    expect(await second.sfn.DescribeExecution(viaAlias)).toMatchObject({ status: 'SUCCEEDED', stateMachineAliasArn, stateMachineVersionArn: v1 });
    expect((await second.sfn.DescribeStateMachineForExecution({ executionArn: current.executionArn })).definition).toContain('unpublished');
    expect((await second.sfn.DescribeStateMachineForExecution({ executionArn: viaAlias.executionArn })).definition).toBe(PASS);
    expect((await second.sfn.DescribeActivity({ activityArn })).name).toBe('work');
    expect((await second.sfn.ListTagsForResource({ resourceArn: activityArn })).tags).toEqual([{ key: 'kind', value: 'activity' }]);
    expect((await second.sfn.ListTagsForResource({ resourceArn: stateMachineArn })).tags).toEqual([{ key: 'stage', value: 'dev' }]);
    // Version numbers are never reused: the next one is 4, after the deleted 3.
    const published = await second.sfn.PublishStateMachineVersion({ stateMachineArn });
    expect(published.stateMachineVersionArn).toBe(`${stateMachineArn}:4`);
  });
});
