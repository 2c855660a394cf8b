/** The roles the services assume (a state machine's, a runbook's assumeRole, a Task's Credentials) must exist and trust them. */
import { afterEach, describe, expect, test } from 'vitest';
import { LocalEngine } from '../../../src/engine/local-engine.js';
import { CANNOT_ASSUME_ROLE } from '../../../src/engine/automation/automation-execution.js';
import { waitUntil } from '../../helpers/fixtures.js';

const CANNOT_ASSUME = 'Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.';
const ROLE = 'arn:aws:iam::123456789012:role/app';
const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

let engine: LocalEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function start(options: ConstructorParameters<typeof LocalEngine>[0] = {}): LocalEngine {
  engine = new LocalEngine({ clock: 'fast', ...options });
  return engine;
}

const trustOf = (statement: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }] });

describe('state machine roles', () => {
  test('should refuse CreateStateMachine with a role nobody defined, as AWS does, and create nothing', async () => {
    const e = start();
    await expect(e.sfn.CreateStateMachine({ name: 'm', definition: PASS, roleArn: ROLE })).rejects.toMatchObject({ name: 'AccessDeniedException', message: CANNOT_ASSUME });
    expect((await e.sfn.ListStateMachines({})).stateMachines).toEqual([]);
  });

  test('should accept a role once IAM CreateRole, roles.define or a template defines it', async () => {
    const e = start();
    await e.iam.CreateRole({ RoleName: 'app', AssumeRolePolicyDocument: JSON.stringify(trustOf({ Principal: { Service: 'states.amazonaws.com' } })) });
    await expect(e.sfn.CreateStateMachine({ name: 'by-iam', definition: PASS, roleArn: ROLE })).resolves.toMatchObject({ stateMachineArn: expect.stringContaining(':by-iam') });
    const defined = e.roles.define('arn:aws:iam::123456789012:role/defined').arn;
    await expect(e.sfn.CreateStateMachine({ name: 'by-define', definition: PASS, roleArn: defined })).resolves.toBeDefined();
    const stack = await e.deploy(
      {
        Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trustOf({ Principal: { Service: 'states.amazonaws.com' } }) } } },
        Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
      },
      { stackName: 'roles' },
    );
    await expect(e.sfn.CreateStateMachine({ name: 'by-template', definition: PASS, roleArn: stack.outputs['Arn']! })).resolves.toBeDefined();
  });

  test.each([
    ['trusts only EC2', trustOf({ Principal: { Service: 'ec2.amazonaws.com' } }), false],
    ['trusts the regional principal', trustOf({ Principal: { Service: 'states.us-east-1.amazonaws.com' } }), true],
    ['trusts another region only', trustOf({ Principal: { Service: 'states.eu-west-1.amazonaws.com' } }), false],
    ['requires this account as aws:SourceAccount', trustOf({ Principal: { Service: 'states.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }), true],
    ['requires another account', trustOf({ Principal: { Service: 'states.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } }), false],
    ['requires the machine as aws:SourceArn', trustOf({ Principal: { Service: 'states.amazonaws.com' }, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:states:us-east-1:123456789012:stateMachine:m' } } }), true],
    ['requires another machine', trustOf({ Principal: { Service: 'states.amazonaws.com' }, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:states:us-east-1:123456789012:stateMachine:other' } } }), false],
  ])('should evaluate the trust policy: a role that %s', async (_what, trust, accepted) => {
    const e = start();
    e.roles.define(ROLE, { trustPolicy: trust });
    const created = e.sfn.CreateStateMachine({ name: 'm', definition: PASS, roleArn: ROLE });
    if (accepted) await expect(created).resolves.toBeDefined();
    else await expect(created).rejects.toMatchObject({ name: 'AccessDeniedException', message: CANNOT_ASSUME });
  });

  test('should refuse by name a trust policy the local evaluator cannot read, never trust it', async () => {
    const e = start();
    e.roles.define(ROLE, { trustPolicy: trustOf({ Principal: { Service: 'states.amazonaws.com' }, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }) });
    await expect(e.sfn.CreateStateMachine({ name: 'm', definition: PASS, roleArn: ROLE })).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining("cannot be evaluated by shellstep's local IAM evaluator: Condition operator 'IpAddress' is not supported"),
    });
  });

  test('should refuse UpdateStateMachine to a role nobody defined and keep the old role', async () => {
    const e = start();
    const { stateMachineArn } = await e.sfn.CreateStateMachine({ name: 'm', definition: PASS, roleArn: e.roles.define(ROLE).arn });
    await expect(e.sfn.UpdateStateMachine({ stateMachineArn, roleArn: 'arn:aws:iam::123456789012:role/missing' })).rejects.toMatchObject({ name: 'AccessDeniedException', message: CANNOT_ASSUME });
    expect((await e.sfn.DescribeStateMachine({ stateMachineArn })).roleArn).toBe(ROLE);
  });

  test('should accept any role with enforceIam: false (serve --no-iam)', async () => {
    const e = start({ enforceIam: false });
    await expect(e.sfn.CreateStateMachine({ name: 'm', definition: PASS, roleArn: ROLE })).resolves.toBeDefined();
  });

  test("should define the CLI's and the instances' default roles, and no other", async () => {
    const e = start();
    expect((await e.iam.ListRoles({})).Roles.map((r) => r['Arn'])).toEqual([
      'arn:aws:iam::123456789012:role/shellstep-local-instance',
      'arn:aws:iam::123456789012:role/shellstep-local',
    ]);
  });
});

describe('roles assumed while running', () => {
  test('should fail a Task whose Credentials name a role nobody defined, and run it once the role exists', async () => {
    const e = start();
    const definition = JSON.stringify({
      StartAt: 'Describe',
      States: {
        Describe: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:sfn:listStateMachines',
          Credentials: { RoleArn: 'arn:aws:iam::123456789012:role/target' },
          Parameters: {},
          End: true,
        },
      },
    });
    const { stateMachineArn } = await e.sfn.CreateStateMachine({ name: 'm', definition, roleArn: e.roles.define(ROLE).arn });
    const run = async () => {
      const { executionArn } = await e.sfn.StartExecution({ stateMachineArn });
      await waitUntil(async () => (await e.sfn.DescribeExecution({ executionArn })).status !== 'RUNNING', 'execution to end');
      return e.sfn.DescribeExecution({ executionArn });
    };
    expect(await run()).toMatchObject({
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: `User: ${ROLE} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/target`,
    });
    e.roles.define('arn:aws:iam::123456789012:role/target');
    expect(await run()).toMatchObject({ status: 'SUCCEEDED' });
  });

  test("should fail an automation before its first step when its assumeRole cannot be assumed, as AWS's message says", async () => {
    const e = start();
    const content = JSON.stringify({
      schemaVersion: '0.3',
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: { AutomationAssumeRole: { type: 'String' } },
      mainSteps: [{ name: 'Sleep', action: 'aws:sleep', inputs: { Duration: 'PT0S' } }],
    });
    await e.ssm.CreateDocument({ Name: 'Assumes', Content: content, DocumentType: 'Automation', DocumentFormat: 'JSON' });
    const runWith = async (role: string) => {
      const { AutomationExecutionId } = await e.ssm.StartAutomationExecution({ DocumentName: 'Assumes', Parameters: { AutomationAssumeRole: [role] } });
      let execution = (await e.ssm.GetAutomationExecution({ AutomationExecutionId })).AutomationExecution;
      await waitUntil(async () => {
        execution = (await e.ssm.GetAutomationExecution({ AutomationExecutionId })).AutomationExecution;
        return execution.AutomationExecutionStatus !== 'InProgress' && execution.AutomationExecutionStatus !== 'Pending';
      }, 'automation to end');
      return execution;
    };
    const refused = await runWith('arn:aws:iam::123456789012:role/automation-missing');
    expect(refused).toMatchObject({ AutomationExecutionStatus: 'Failed', FailureMessage: CANNOT_ASSUME_ROLE, StepExecutions: [] });
    // Trusted by EC2 only: Systems Manager cannot assume it either.
    e.roles.define('arn:aws:iam::123456789012:role/ec2-only', { trustPolicy: trustOf({ Principal: { Service: 'ec2.amazonaws.com' } }) });
    expect(await runWith('arn:aws:iam::123456789012:role/ec2-only')).toMatchObject({ AutomationExecutionStatus: 'Failed', FailureMessage: CANNOT_ASSUME_ROLE });
    e.roles.define('arn:aws:iam::123456789012:role/automation');
    expect(await runWith('arn:aws:iam::123456789012:role/automation')).toMatchObject({ AutomationExecutionStatus: 'Success' });
  });

  test('should refuse calls made with a session of a role that no longer exists', async () => {
    const e = start();
    await e.iam.CreateRole({ RoleName: 'gone', AssumeRolePolicyDocument: JSON.stringify(trustOf({ Principal: { Service: 'ec2.amazonaws.com' } })) });
    await e.iam.DeleteRole({ RoleName: 'gone' });
    expect(() => e.authorize('sfn', 'ListStateMachines', {}, 'arn:aws:iam::123456789012:role/gone', 'i-0123456789abcdef0')).toThrow(
      expect.objectContaining({
        name: 'AccessDeniedException',
        message: expect.stringMatching(/^User: arn:aws:sts::123456789012:assumed-role\/gone\/i-0123456789abcdef0 is not authorized to perform: states:ListStateMachines because the role/),
      }),
    );
  });
});
