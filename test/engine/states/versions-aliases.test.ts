import { describe, expect, test } from 'vitest';
import { harness, ROLE_ARN } from './run-machine.js';
import { StepFunctionsService } from '../../../src/engine/states/service.js';
import { VirtualClock } from '../../../src/engine/clock.js';
import { sequentialIds } from '../../../src/engine/ids.js';
import { RecordingAwsApi } from '../../helpers/fixtures.js';

const def = (comment: string): string => JSON.stringify({ Comment: comment, StartAt: 'P', States: { P: { Type: 'Pass', Result: comment, End: true } } });

describe('state machine revisions and versions', () => {
  test('should publish versions of revisions, idempotently, with numbers never reused', async () => {
    const { service } = harness();
    const created = await service.CreateStateMachine({ name: 'v', definition: def('r0'), roleArn: ROLE_ARN, publish: true, versionDescription: 'first' });
    const arn = created.stateMachineArn;
    expect(created.stateMachineVersionArn).toBe(`${arn}:1`);
    // The first revision has no id; publishing it again returns version 1.
    expect((await service.PublishStateMachineVersion({ stateMachineArn: arn })).stateMachineVersionArn).toBe(`${arn}:1`);
    expect(await service.DescribeStateMachine({ stateMachineArn: `${arn}:1` })).toMatchObject({ stateMachineArn: `${arn}:1`, description: 'first', definition: def('r0') });
    expect(await service.DescribeStateMachine({ stateMachineArn: arn })).not.toHaveProperty('revisionId');

    const updated = await service.UpdateStateMachine({ stateMachineArn: arn, definition: def('r1'), publish: true });
    expect(updated).toMatchObject({ stateMachineVersionArn: `${arn}:2` });
    expect(updated.revisionId).toMatch(/\S/);
    // An update that changes nothing keeps the revision (and the version of it).
    expect(await service.UpdateStateMachine({ stateMachineArn: arn, definition: def('r1'), publish: true })).toMatchObject({ revisionId: updated.revisionId, stateMachineVersionArn: `${arn}:2` });
    await expect(service.PublishStateMachineVersion({ stateMachineArn: arn, revisionId: 'stale' })).rejects.toMatchObject({
      name: 'ConflictException',
      message: `Failed to publish the State Machine version for revision stale. The current State Machine revision is ${updated.revisionId}.`,
    });
    await service.DeleteStateMachineVersion({ stateMachineVersionArn: `${arn}:2` });
    await service.DeleteStateMachineVersion({ stateMachineVersionArn: `${arn}:2` });
    expect((await service.PublishStateMachineVersion({ stateMachineArn: arn })).stateMachineVersionArn).toBe(`${arn}:3`);
    expect((await service.ListStateMachineVersions({ stateMachineArn: arn })).stateMachineVersions.map((v) => v.stateMachineVersionArn)).toEqual([`${arn}:3`, `${arn}:1`]);
    // A version is not a state machine that can be updated.
    await expect(service.UpdateStateMachine({ stateMachineArn: `${arn}:1`, definition: def('x') })).rejects.toMatchObject({ name: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${arn}:1'` });
  });

  test('should run versions, and show which version an execution ran', async () => {
    const h = harness();
    const { stateMachineArn } = await h.service.CreateStateMachine({ name: 'run', definition: def('one'), roleArn: ROLE_ARN, publish: true });
    await h.service.UpdateStateMachine({ stateMachineArn, definition: def('two') });
    const viaVersion = await h.service.StartExecution({ stateMachineArn: `${stateMachineArn}:1` });
    const latest = await h.service.StartExecution({ stateMachineArn });
    expect(await h.result(viaVersion.executionArn)).toMatchObject({ output: 'one' });
    expect(await h.result(latest.executionArn)).toMatchObject({ output: 'two' });
    expect(await h.service.DescribeExecution({ executionArn: viaVersion.executionArn })).toMatchObject({ stateMachineArn, stateMachineVersionArn: `${stateMachineArn}:1` });
    expect(await h.service.DescribeExecution({ executionArn: latest.executionArn })).not.toHaveProperty('stateMachineVersionArn');
    const forExecution = await h.service.DescribeStateMachineForExecution({ executionArn: viaVersion.executionArn });
    expect(forExecution).toMatchObject({ stateMachineArn, definition: def('one'), encryptionConfiguration: { type: 'AWS_OWNED_KEY' } });
    expect((await h.service.ListExecutions({ stateMachineArn: `${stateMachineArn}:1` })).executions.map((e) => e.executionArn)).toEqual([viaVersion.executionArn]);
    expect((await h.service.ListExecutions({ stateMachineArn })).executions).toHaveLength(2);
    await expect(h.service.StartExecution({ stateMachineArn: `${stateMachineArn}:9` })).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});

describe('state machine aliases', () => {
  function service(random: () => number): StepFunctionsService {
    return new StepFunctionsService({ clock: new VirtualClock({ autoAdvance: true }), ids: sequentialIds(), awsApi: new RecordingAwsApi(), random });
  }

  test('should route executions between two versions by weight, and keep the alias on the execution', async () => {
    let roll = 0.1;
    const sfn = service(() => roll);
    const { stateMachineArn: arn } = await sfn.CreateStateMachine({ name: 'a', definition: def('one'), roleArn: ROLE_ARN, publish: true });
    await sfn.UpdateStateMachine({ stateMachineArn: arn, definition: def('two'), publish: true });
    const routing = [
      { stateMachineVersionArn: `${arn}:1`, weight: 30 },
      { stateMachineVersionArn: `${arn}:2`, weight: 70 },
    ];
    const { stateMachineAliasArn } = await sfn.CreateStateMachineAlias({ name: 'PROD', routingConfiguration: routing, description: 'd' });
    expect(stateMachineAliasArn).toBe(`${arn}:PROD`);
    // Idempotent with the same description and routing; a conflict otherwise.
    await sfn.CreateStateMachineAlias({ name: 'PROD', routingConfiguration: [...routing].reverse(), description: 'd' });
    await expect(sfn.CreateStateMachineAlias({ name: 'PROD', routingConfiguration: routing })).rejects.toMatchObject({ name: 'ConflictException' });
    const low = await sfn.StartExecution({ stateMachineArn: stateMachineAliasArn });
    roll = 0.9;
    const high = await sfn.StartExecution({ stateMachineArn: stateMachineAliasArn });
    expect(await sfn.DescribeExecution({ executionArn: low.executionArn })).toMatchObject({ stateMachineAliasArn, stateMachineVersionArn: `${arn}:1` });
    expect(await sfn.DescribeExecution({ executionArn: high.executionArn })).toMatchObject({ stateMachineAliasArn, stateMachineVersionArn: `${arn}:2` });
    expect((await sfn.ListExecutions({ stateMachineArn: stateMachineAliasArn })).executions).toHaveLength(2);
    // A version an alias routes to cannot be deleted.
    await expect(sfn.DeleteStateMachineVersion({ stateMachineVersionArn: `${arn}:1` })).rejects.toMatchObject({
      name: 'ConflictException',
      message: 'Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [PROD]',
    });
    expect((await sfn.ListStateMachineAliases({ stateMachineArn: `${arn}:2` })).stateMachineAliases.map((a) => a.stateMachineAliasArn)).toEqual([stateMachineAliasArn]);
    await sfn.UpdateStateMachineAlias({ stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: `${arn}:2`, weight: 100 }] });
    await sfn.DeleteStateMachineVersion({ stateMachineVersionArn: `${arn}:1` });
    await sfn.DeleteStateMachineAlias({ stateMachineAliasArn });
    await sfn.DeleteStateMachineAlias({ stateMachineAliasArn });
    await expect(sfn.DescribeStateMachineAlias({ stateMachineAliasArn })).rejects.toMatchObject({ name: 'ResourceNotFound', message: 'Request references a resource that does not exist.' });
  });

  test('should refuse routing configurations as AWS words it', async () => {
    const sfn = service(() => 0.5);
    const { stateMachineArn: arn } = await sfn.CreateStateMachine({ name: 'r', definition: def('one'), roleArn: ROLE_ARN, publish: true });
    await sfn.UpdateStateMachine({ stateMachineArn: arn, definition: def('two'), publish: true });
    const alias = (routingConfiguration: { stateMachineVersionArn: string; weight: number }[]) => sfn.CreateStateMachineAlias({ name: 'x', routingConfiguration });
    await expect(alias([{ stateMachineVersionArn: arn, weight: 100 }])).rejects.toMatchObject({ message: `Routing configuration must contain state machine version ARNs. Received: [${arn}]` });
    await expect(alias([{ stateMachineVersionArn: `${arn}:1`, weight: 50 }, { stateMachineVersionArn: `${arn}:1`, weight: 50 }])).rejects.toMatchObject({
      message: `Routing configuration must contain distinct state machine version ARNs. Received: [${arn}:1, ${arn}:1]`,
    });
    await expect(alias([{ stateMachineVersionArn: `${arn}:1`, weight: 70 }, { stateMachineVersionArn: `${arn}:2`, weight: 29 }])).rejects.toMatchObject({
      message: 'Sum of routing configuration weights must equal 100. Received: [70, 29]',
    });
    await expect(alias([{ stateMachineVersionArn: `${arn}:7`, weight: 100 }])).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });
});
