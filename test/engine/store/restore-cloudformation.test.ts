import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { persistentEngines } from '../../helpers/data-dir.js';
import { REPO_ROOT } from '../../helpers/fixtures.js';

const { dataDir, engineOn, crash, cleanup } = persistentEngines('real');
afterEach(cleanup);

const RUNBOOKS = readFileSync(join(REPO_ROOT, 'cloudformation/ssm-automation-documents.cfn.json'), 'utf8');
const SAMPLE = readFileSync(join(REPO_ROOT, 'cloudformation/sample-state-machine.cfn.json'), 'utf8');
const INSTANCE = 'i-0123456789abcdef0';

describe('restoring CloudFormation stacks from the store', () => {
  test('brings back stacks with their events, outputs and IAM roles, and the restored sample runs under its role', async () => {
    const dir = dataDir();
    const first = engineOn(dir);
    first.instances.add({ instanceId: INSTANCE });
    await first.deploy(RUNBOOKS, { stackName: 'shellstep-runbooks' });
    const sample = await first.deploy(SAMPLE, { stackName: 'sample', parameters: { InstanceId: INSTANCE, SleepSeconds: '0' } });
    await first.deploy(RUNBOOKS.replace('"Resources"', '"Description": "gone soon", "Resources"'), { stackName: 'doomed' }).catch(() => undefined);
    await first.cloudformation.DeleteStack({ StackName: 'doomed' });
    await first.cloudformation.waitForStack('doomed').catch(() => undefined);
    const events = (await first.cloudformation.DescribeStackEvents({ StackName: 'sample' })).StackEvents;
    const roleNames = [first.cloudformation.physicalId('shellstep-runbooks', 'SSMSyncRole'), first.cloudformation.physicalId('sample', 'StateMachineRole')];
    const roles = roleNames.map((name) => first.roles.byName(name!)!);
    expect(roles.every((role) => role !== undefined)).toBe(true);
    await crash(first);

    const second = engineOn(dir);
    const stacks = (await second.cloudformation.DescribeStacks({})).Stacks;
    expect(stacks.map((s) => [s['StackName'], s['StackStatus']])).toEqual([
      ['shellstep-runbooks', 'CREATE_COMPLETE'],
      ['sample', 'CREATE_COMPLETE'],
    ]);
    expect((await second.cloudformation.DescribeStackEvents({ StackName: 'sample' })).StackEvents).toEqual(events);
    const summaries = (await second.cloudformation.ListStacks({})).StackSummaries;
    expect(summaries.some((s) => s['StackName'] === 'doomed' && s['StackStatus'] === 'DELETE_COMPLETE')).toBe(true);
    for (const role of roles) expect(second.roles.get(role.arn)).toEqual(role);

    // Deploying the same templates again changes nothing; the restored sample runs, its calls checked against its role.
    expect((await second.deploy(RUNBOOKS, { stackName: 'shellstep-runbooks' })).status).toBe('CREATE_COMPLETE');
    const stateMachineArn = Object.values(sample.outputs).find((v) => v.includes(':stateMachine:'))!;
    const { executionArn } = await second.sfn.StartExecution({ stateMachineArn, input: '{}' });
    const result = await second.sfn.waitForExecution(executionArn);
    expect(result.status).toBe('SUCCEEDED');
  });
});

describe('a stack operation cut short by a restart', () => {
  test('ends as that operation failing, with a stack event saying why, and the stack can be deleted', async () => {
    const dir = dataDir();
    const first = engineOn(dir);
    await first.cloudformation.CreateStack({ StackName: 'cut', TemplateBody: RUNBOOKS, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] });
    expect((await first.cloudformation.DescribeStacks({ StackName: 'cut' })).Stacks[0]!['StackStatus']).toBe('CREATE_IN_PROGRESS');
    // The process dies while the stack is being created: its last write says CREATE_IN_PROGRESS.
    await crash(first);

    const second = engineOn(dir);
    const stack = (await second.cloudformation.DescribeStacks({ StackName: 'cut' })).Stacks[0]!;
    expect(stack['StackStatus']).toBe('CREATE_FAILED');
    expect(stack['StackStatusReason']).toBe('The shellstep endpoint stopped while the stack operation was in progress.');
    const events = (await second.cloudformation.DescribeStackEvents({ StackName: 'cut' })).StackEvents;
    expect(events[0]).toMatchObject({ LogicalResourceId: 'cut', ResourceStatus: 'CREATE_FAILED', ResourceType: 'AWS::CloudFormation::Stack' });
    await second.cloudformation.DeleteStack({ StackName: 'cut' });
    await second.cloudformation.waitForStack('cut').catch(() => undefined);
    expect((await second.cloudformation.ListStacks({})).StackSummaries.find((s) => s['StackName'] === 'cut')?.['StackStatus']).toBe('DELETE_COMPLETE');
  });
});
