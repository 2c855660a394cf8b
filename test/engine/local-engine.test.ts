import { afterEach, describe, expect, test } from 'vitest';
import { LocalEngine } from '../../src/engine/local-engine.js';

const ASSUMED = 'arn:aws:iam::123456789012:role/automation';
const CALLER = 'arn:aws:iam::123456789012:role/caller';

let engine: LocalEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** An engine with a caller role that may start automations, and may pass roles to SSM only when `passRole` is set. */
async function withCaller(passRole: boolean): Promise<LocalEngine> {
  engine = new LocalEngine({ clock: 'fast' });
  const statements: object[] = [{ Effect: 'Allow', Action: 'ssm:StartAutomationExecution', Resource: '*' }];
  if (passRole) statements.push({ Effect: 'Allow', Action: 'iam:PassRole', Resource: ASSUMED });
  await engine.deploy(
    JSON.stringify({
      Resources: {
        Caller: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'caller',
            AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
            Policies: [{ PolicyName: 'start', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
          },
        },
      },
    }),
    { stackName: 'caller' },
  );
  return engine;
}

const YAML_RUNBOOK = `schemaVersion: '0.3'
assumeRole: '{{ AutomationAssumeRole }}'
parameters:
  AutomationAssumeRole:
    type: String
    default: ${ASSUMED}
mainSteps:
  - name: Wait
    action: aws:sleep
    inputs:
      Duration: PT1S
`;

describe('LocalEngine IAM checks on calls between services', () => {
  test('should check iam:PassRole for the role a YAML runbook assumes when a role starts it', async () => {
    const engine = await withCaller(false);
    await engine.ssm.CreateDocument({ Name: 'Yaml', DocumentType: 'Automation', DocumentFormat: 'YAML', Content: YAML_RUNBOOK });
    await expect(engine.api.call('ssm', 'StartAutomationExecution', { DocumentName: 'Yaml' }, { roleArn: CALLER })).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`is not authorized to perform: iam:PassRole on resource: ${ASSUMED}`),
    });
  });

  test('should resolve the assumed role from the parameters given, and start when the caller may pass it', async () => {
    const engine = await withCaller(true);
    await engine.ssm.CreateDocument({ Name: 'Yaml', DocumentType: 'Automation', DocumentFormat: 'YAML', Content: YAML_RUNBOOK });
    const other = 'arn:aws:iam::123456789012:role/other';
    await expect(
      engine.api.call('ssm', 'StartAutomationExecution', { DocumentName: 'Yaml', Parameters: { AutomationAssumeRole: [other] } }, { roleArn: CALLER }),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining(`iam:PassRole on resource: ${other}`) });
    const started = await engine.api.call('ssm', 'StartAutomationExecution', { DocumentName: 'Yaml' }, { roleArn: CALLER });
    expect(started).toMatchObject({ AutomationExecutionId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });
});

describe('LocalEngine calls between services', () => {
  test('should let a first Task describe its own execution: the execution exists before its first state calls out', async () => {
    engine = new LocalEngine({ clock: 'fast' });
    const { stateMachineArn } = await engine.sfn.CreateStateMachine({
      name: 'self',
      roleArn: engine.roles.define('arn:aws:iam::123456789012:role/unchecked').arn,
      definition: JSON.stringify({
        StartAt: 'Describe',
        States: { Describe: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:describeExecution', Parameters: { 'ExecutionArn.$': '$$.Execution.Id' }, End: true } },
      }),
    });
    const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
    expect(await engine.sfn.waitForExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: { ExecutionArn: executionArn, Status: 'RUNNING' } });
  });
});
