import { describe, expect, test } from 'vitest';
import { harness, ROLE_ARN } from './run-machine.js';

const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

describe('tags', () => {
  test('should tag state machines and activities, not versions, and keep AWS quota and character rules', async () => {
    const { service } = harness();
    const { stateMachineArn, stateMachineVersionArn } = await service.CreateStateMachine({ name: 't', definition: PASS, roleArn: ROLE_ARN, publish: true, tags: [{ key: 'a', value: '1' }] });
    await service.TagResource({ resourceArn: stateMachineArn, tags: [{ key: 'b', value: '2' }, { key: 'a', value: '3' }] });
    expect((await service.ListTagsForResource({ resourceArn: stateMachineArn })).tags).toEqual([
      { key: 'a', value: '3' },
      { key: 'b', value: '2' },
    ]);
    await service.UntagResource({ resourceArn: stateMachineArn, tagKeys: ['a', 'missing'] });
    expect((await service.ListTagsForResource({ resourceArn: stateMachineArn })).tags).toEqual([{ key: 'b', value: '2' }]);
    await expect(service.TagResource({ resourceArn: stateMachineVersionArn!, tags: [{ key: 'k', value: 'v' }] })).rejects.toMatchObject({
      name: 'ResourceNotFound',
      message: `Resource not found: '${stateMachineVersionArn}'`,
    });
    await expect(service.ListTagsForResource({ resourceArn: `${stateMachineArn}-gone` })).rejects.toMatchObject({ name: 'ResourceNotFound' });
    await expect(service.TagResource({ resourceArn: 'nope', tags: [] })).rejects.toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: nope'" });
    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await expect(service.TagResource({ resourceArn: stateMachineArn, tags: many })).rejects.toMatchObject({ name: 'TooManyTags' });
    await expect(service.TagResource({ resourceArn: stateMachineArn, tags: [{ key: 'bad*key', value: 'v' }] })).rejects.toMatchObject({ name: 'ValidationException' });
    const { activityArn } = await service.CreateActivity({ name: 'act', tags: [{ key: 'x', value: 'y' }] });
    expect((await service.ListTagsForResource({ resourceArn: activityArn })).tags).toEqual([{ key: 'x', value: 'y' }]);
    // Deleting a resource forgets its tags.
    await service.DeleteStateMachine({ stateMachineArn });
    await service.CreateStateMachine({ name: 't', definition: PASS, roleArn: ROLE_ARN });
    expect((await service.ListTagsForResource({ resourceArn: stateMachineArn })).tags).toEqual([]);
  });
});

describe('execution descriptions', () => {
  test('should describe a TIMED_OUT execution without error, as AWS does, and mark it redrivable', async () => {
    const h = harness();
    const arn = await h.start({ TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, End: true } } });
    await h.result(arn);
    const described = await h.service.DescribeExecution({ executionArn: arn });
    expect(described).toMatchObject({ status: 'TIMED_OUT', redriveStatus: 'REDRIVABLE', redriveCount: 0 });
    expect(described).not.toHaveProperty('error');
    expect(described).not.toHaveProperty('redriveStatusReason');
    expect((await h.history(arn)).at(-1)).toMatchObject({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } });
  });

  test('should give a synchronous Express execution a context without RedriveCount, and bill it', async () => {
    const { service } = harness();
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'execution.$': '$$.Execution' }, End: true } } });
    const express = await service.CreateStateMachine({ name: 'x', definition, roleArn: ROLE_ARN, type: 'EXPRESS' });
    const sync = await service.StartSyncExecution({ stateMachineArn: express.stateMachineArn, input: '{}' });
    expect(JSON.parse(sync.output!).execution).not.toHaveProperty('RedriveCount');
    expect(sync).toMatchObject({ status: 'SUCCEEDED', inputDetails: { included: true }, outputDetails: { included: true }, billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 } });
    const standard = await service.CreateStateMachine({ name: 's', definition, roleArn: ROLE_ARN });
    const { executionArn } = await service.StartExecution({ stateMachineArn: standard.stateMachineArn });
    expect(JSON.parse((await service.waitForExecution(executionArn)) && (await service.DescribeExecution({ executionArn })).output!).execution.RedriveCount).toBe(0);
  });
});
