import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { CreateDocumentCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, SSMClient, DescribeAutomationExecutionsCommand } from '@aws-sdk/client-ssm';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { useLocalEndpoint } from '../helpers/local-endpoint.js';

const root = new URL('../../', import.meta.url).pathname;
const config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'any', secretAccessKey: 'any' } });

const local = useLocalEndpoint();

async function waitForExecution(sfn: SFNClient, executionArn: string) {
  for (let i = 0; i < 200; i++) {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (out.status !== 'RUNNING') return out;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('execution did not finish');
}

describe('the local endpoint with AWS SDK v3 clients', () => {
  test('should run the full sample: create the runbook, create the state machine, execute, read history and invocations', async () => {
    const ssm = new SSMClient(config(local.endpoint.url));
    const sfn = new SFNClient(config(local.endpoint.url));
    const content = readFileSync(`${root}runbooks/SfnRunCommandByInstanceIds.json`, 'utf8');
    const created = await ssm.send(new CreateDocumentCommand({ Name: 'SfnRunCommandByInstanceIds', DocumentType: 'Automation', DocumentFormat: 'JSON', Content: content }));
    expect(created.DocumentDescription?.Status).toBe('Creating');
    const definition = readFileSync(`${root}state-machines/run-shell-command.asl.json`, 'utf8')
      .replace('i-1234567890abcdef0', local.instanceId)
      .replace('sleep 100', 'echo done');
    const roleArn = local.engine.roles.define('arn:aws:iam::123456789012:role/any').arn;
    const machine = await sfn.send(new CreateStateMachineCommand({ name: 'sample', definition, roleArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: '{}' }));
    const done = await waitForExecution(sfn, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.events?.map((e) => e.type)).toContain('TaskSubmitted');
    const invocations = await ssm.send(new ListCommandInvocationsCommand({ CommandId: output.command.CommandId, Details: true }));
    expect(invocations.CommandInvocations?.[0]?.Status).toBe('Success');
    const invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: output.command.CommandId, InstanceId: local.instanceId }));
    expect(invocation.StandardOutputContent).toBe('done\n');
    const automations = await ssm.send(new DescribeAutomationExecutionsCommand({}));
    expect(automations.AutomationExecutionMetadataList?.[0]?.AutomationExecutionStatus).toBe('Success');
    ssm.destroy();
    sfn.destroy();
  });

  test('should deploy the runbooks template through the CloudFormation query API', async () => {
    const cfn = new CloudFormationClient(config(local.endpoint.url));
    await cfn.send(new CreateStackCommand({ StackName: 'rb', TemplateBody: readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8'), Capabilities: ['CAPABILITY_IAM'], Parameters: [{ ParameterKey: 'DocumentNamePrefix', ParameterValue: 'Cfn' }] }));
    let status: string | undefined;
    for (let i = 0; i < 100 && status !== 'CREATE_COMPLETE'; i++) {
      status = (await cfn.send(new DescribeStacksCommand({ StackName: 'rb' }))).Stacks?.[0]?.StackStatus;
      if (status !== 'CREATE_COMPLETE') await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe('CREATE_COMPLETE');
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'rb' }))).Stacks![0]!;
    expect(stack.Outputs?.find((o) => o.OutputKey === 'ByInstanceIdsDocumentName')?.OutputValue).toBe('CfnSfnRunCommandByInstanceIds');
    cfn.destroy();
  });

  test('should surface engine errors as the SDK error classes', async () => {
    const sfn = new SFNClient(config(local.endpoint.url));
    const error = await sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:nope' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateMachineDoesNotExist);
    sfn.destroy();
  });
});
