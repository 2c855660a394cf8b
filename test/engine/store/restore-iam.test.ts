import { afterEach, describe, expect, test } from 'vitest';
import { persistentEngines } from '../../helpers/data-dir.js';

const { dataDir, engineOn, crash, cleanup } = persistentEngines('fast');
afterEach(cleanup);

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const ALLOW = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'states:*', Resource: '*' }] });
const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

describe('restoring the roles made through the IAM API', () => {
  test('brings back the roles with their ids, policies and trust, and forgets deleted ones', async () => {
    const dir = dataDir();
    const first = engineOn(dir);
    const kept = (await first.iam.CreateRole({ RoleName: 'kept', Path: '/app/', AssumeRolePolicyDocument: TRUST, Description: 'd', Tags: [{ Key: 'k', Value: 'v' }] })).Role;
    await first.iam.PutRolePolicy({ RoleName: 'kept', PolicyName: 'sfn', PolicyDocument: ALLOW });
    await first.iam.PutRolePolicy({ RoleName: 'kept', PolicyName: 'dropped', PolicyDocument: ALLOW });
    await first.iam.DeleteRolePolicy({ RoleName: 'kept', PolicyName: 'dropped' });
    await first.iam.CreateRole({ RoleName: 'gone', AssumeRolePolicyDocument: TRUST });
    await first.iam.DeleteRole({ RoleName: 'gone' });
    const { stateMachineArn } = await first.sfn.CreateStateMachine({ name: 'm', definition: PASS, roleArn: String(kept['Arn']) });
    await crash(first);

    const second = engineOn(dir);
    expect((await second.iam.GetRole({ RoleName: 'kept' })).Role).toEqual(kept);
    expect((await second.iam.ListRolePolicies({ RoleName: 'kept' })).PolicyNames).toEqual(['sfn']);
    await expect(second.iam.GetRole({ RoleName: 'gone' })).rejects.toMatchObject({ name: 'NoSuchEntity' });
    // The restored state machine runs with its restored role, whose policy is evaluated as before.
    const { executionArn } = await second.sfn.StartExecution({ stateMachineArn });
    await second.sfn.waitForExecution(executionArn);
    expect((await second.sfn.DescribeExecution({ executionArn })).status).toBe('SUCCEEDED');
    expect(() => second.authorize('sfn', 'ListStateMachines', {}, String(kept['Arn']))).not.toThrow();
    expect(() => second.authorize('ssm', 'SendCommand', {}, String(kept['Arn']))).toThrow(/because no identity-based policy allows the ssm:SendCommand action/);
  });
});
