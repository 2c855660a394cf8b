import { describe, expect, test } from 'vitest';
import { loadFixtureText } from '../../helpers/fixtures.js';
import type { SsmRig } from '../../helpers/ssm.js';
import { createRunbook, ssmRig, untilDone, untilStep } from '../../helpers/ssm.js';

async function runFixture(rig: SsmRig, fixture: string, parameters: Record<string, string[]> = {}): Promise<string> {
  await createRunbook(rig, 'Doc', loadFixtureText(`runbooks/${fixture}`), 'YAML');
  return (await rig.ssm.StartAutomationExecution({ DocumentName: 'Doc', Parameters: parameters })).AutomationExecutionId;
}

const steps = async (rig: SsmRig, id: string) =>
  (await rig.ssm.DescribeAutomationStepExecutions({ AutomationExecutionId: id })).StepExecutions.map((s) => [s.StepName, s.StepStatus]);

describe('automation execution', () => {
  test('should retry a failing step maxAttempts times and continue when onFailure is Continue', async () => {
    const rig = ssmRig();
    rig.awsApi.fail('sfn', 'DescribeExecution', 'ExecutionDoesNotExist', 'Execution Does Not Exist');
    const id = await runFixture(rig, 'retry-then-continue.yaml');
    const execution = await untilDone(rig, id);
    expect(rig.awsApi.calls.map((c) => c.operation)).toEqual(['DescribeExecution', 'DescribeExecution', 'DescribeExecution', 'DescribeStateMachine']);
    // onFailure: Continue makes isCritical default to false, so the execution succeeds.
    expect(execution.AutomationExecutionStatus).toBe('Success');
    expect(execution.StepExecutions[0]).toMatchObject({
      StepStatus: 'Failed',
      MaxAttempts: 3,
      IsCritical: false,
      OnFailure: 'Continue',
      FailureMessage: 'An error occurred (ExecutionDoesNotExist) when calling the DescribeExecution operation: Execution Does Not Exist',
      FailureDetails: { FailureStage: 'Invocation', FailureType: 'Action' },
    });
  });

  test('should stop at the failing step and end Failed when onFailure is the default Abort', async () => {
    const rig = ssmRig();
    rig.awsApi.fail('sfn', 'DescribeExecution', 'ExecutionDoesNotExist', 'nope');
    const id = await runFixture(rig, 'abort-on-failure.yaml');
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect(execution.FailureMessage).toContain('ExecutionDoesNotExist');
    expect(await steps(rig, id)).toEqual([['Fails', 'Failed']]);
  });

  test('should go to the onFailure step, skip nextStep, and end Failed when the failed step is critical', async () => {
    const rig = ssmRig();
    rig.awsApi.fail('sfn', 'DescribeExecution', 'ExecutionDoesNotExist', 'nope');
    const id = await runFixture(rig, 'on-failure-step-critical.yaml');
    const execution = await untilDone(rig, id);
    expect(await steps(rig, id)).toEqual([['Fails', 'Failed'], ['Handler', 'Success']]);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect(execution.StepExecutions[0]!.ValidNextSteps).toEqual(['Skipped', 'Handler']);
  });

  test('should follow nextStep when the step succeeds', async () => {
    const rig = ssmRig();
    const id = await runFixture(rig, 'on-failure-step-critical.yaml');
    await untilStep(rig, id, 'Skipped', 'InProgress');
    await rig.clock.advance(1000);
    const execution = await untilDone(rig, id);
    expect(await steps(rig, id)).toEqual([['Fails', 'Success'], ['Skipped', 'Success']]);
    expect(execution.AutomationExecutionStatus).toBe('Success');
  });

  test('should end Success when only a non-critical step failed', async () => {
    const rig = ssmRig();
    rig.awsApi.fail('sfn', 'DescribeExecution', 'ExecutionDoesNotExist', 'nope');
    const id = await runFixture(rig, 'on-failure-step-not-critical.yaml');
    expect((await untilDone(rig, id)).AutomationExecutionStatus).toBe('Success');
  });

  test('should sleep on the injected clock', async () => {
    const rig = ssmRig();
    const id = await runFixture(rig, 'sleep-then-call.yaml');
    await untilStep(rig, id, 'Wait', 'InProgress');
    await rig.clock.advance(599_000);
    expect(rig.awsApi.calls).toEqual([]);
    await rig.clock.advance(1_000);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Success');
    expect(execution.ExecutionEndTime!.getTime() - execution.ExecutionStartTime!.getTime()).toBe(600_000);
  });

  test('should time the step and the execution out when timeoutSeconds passes', async () => {
    const rig = ssmRig();
    const id = await runFixture(rig, 'step-timeout-sleep.yaml');
    await untilStep(rig, id, 'LongSleep', 'InProgress');
    await rig.clock.advance(60_000);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('TimedOut');
    expect(execution.StepExecutions[0]).toMatchObject({ StepStatus: 'TimedOut', TimeoutSeconds: 60 });
  });

  test('should time executeAwsApi out after 25 seconds whatever timeoutSeconds says', async () => {
    const rig = ssmRig();
    rig.awsApi.respond('sfn', 'DescribeExecution', () => new Promise(() => undefined));
    const id = await runFixture(rig, 'abort-on-failure.yaml');
    await untilStep(rig, id, 'Fails', 'InProgress');
    await rig.clock.advance(24_999);
    expect((await rig.ssm.GetAutomationExecution({ AutomationExecutionId: id })).AutomationExecution.AutomationExecutionStatus).toBe('InProgress');
    await rig.clock.advance(1);
    expect((await untilDone(rig, id)).AutomationExecutionStatus).toBe('TimedOut');
  });

  test('should select typed outputs, branch on them, interpolate variables and publish runbook outputs', async () => {
    const rig = ssmRig();
    rig.instances.add();
    rig.instances.add();
    const id = await runFixture(rig, 'outputs-selector-and-branch.yaml');
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Success');
    expect(await steps(rig, id)).toEqual([['Describe', 'Success'], ['Choose', 'Success'], ['TwoNodes', 'Success']]);
    const ids = rig.instances.list().map((i) => i.instanceId);
    const output = JSON.parse(rig.awsApi.calls[0]!.input['output'] as string);
    expect(output).toEqual({ ids, count: 2, execution: id, region: 'us-east-1', account: '123456789012' });
    expect(execution.Outputs).toEqual({ 'Describe.Count': ['2'], 'Describe.FirstId': [ids[0]] });
    expect(execution.StepExecutions[0]!.Outputs).toMatchObject({ Ids: ids, Count: ['2'], Ping: ['Online'] });
  });

  test('should take the Default branch when no choice matches', async () => {
    const rig = ssmRig();
    rig.instances.add();
    const id = await runFixture(rig, 'outputs-selector-and-branch.yaml');
    await untilStep(rig, id, 'OtherCount', 'InProgress');
    await rig.clock.advance(60_000);
    expect((await untilDone(rig, id)).AutomationExecutionStatus).toBe('Success');
    expect(rig.awsApi.calls).toEqual([]);
  });

  test('should preserve parameter types in whole-value placeholders and JSON-encode them inside strings', async () => {
    const rig = ssmRig();
    const id = await runFixture(rig, 'typed-parameters.yaml', {
      Name: ['abc'],
      Names: ['x', 'y'],
      Count: ['42'],
      Flag: ['true'],
      Map: ['{"k":"v"}'],
      Targets: ['{"Key":"tag:role","Values":["web"]}', '{"Key":"InstanceIds","Values":["i-1"]}'],
    });
    expect((await untilDone(rig, id)).AutomationExecutionStatus).toBe('Success');
    const input = rig.awsApi.calls[0]!.input;
    expect(input['taskToken']).toBe('abc');
    expect(JSON.parse(input['output'] as string)).toEqual({
      names: ['x', 'y'],
      count: 42,
      flag: true,
      map: { k: 'v' },
      targets: [{ Key: 'tag:role', Values: ['web'] }, { Key: 'InstanceIds', Values: ['i-1'] }],
      shell: 'Shell',
    });
    const execution = (await rig.ssm.GetAutomationExecution({ AutomationExecutionId: id })).AutomationExecution;
    expect(execution.Parameters).toMatchObject({ Count: ['42'], Flag: ['true'], Targets: ['{"Key":"tag:role","Values":["web"]}', '{"Key":"InstanceIds","Values":["i-1"]}'] });
    expect(execution.StepExecutions[0]!.Inputs!['taskToken']).toBe('"abc"');
  });

  test('should resolve the automation variables, with the date and time of the step in UTC', async () => {
    const rig = ssmRig();
    const runbook = `schemaVersion: '0.3'
mainSteps:
  - name: Describe
    action: aws:executeAwsApi
    inputs:
      Service: sfn
      Api: DescribeExecution
      executionArn: '{{global:DATE}}|{{global:DATE_TIME}}|{{automation:EXECUTION_ID}}|{{global:ACCOUNT_ID}}|{{global:REGION}}|{{global:AWS_PARTITION}}'
`;
    await createRunbook(rig, 'Vars', runbook, 'YAML');
    await rig.clock.advance(Date.parse('2026-03-04T05:06:07.890Z') - rig.clock.now());
    const first = (await rig.ssm.StartAutomationExecution({ DocumentName: 'Vars' })).AutomationExecutionId;
    await untilDone(rig, first);
    // A second later, the shared date variables must follow the clock.
    await rig.clock.advance(1000);
    const second = (await rig.ssm.StartAutomationExecution({ DocumentName: 'Vars' })).AutomationExecutionId;
    await untilDone(rig, second);
    expect(rig.awsApi.calls.map((c) => c.input['executionArn'])).toEqual([
      `2026-03-04|2026-03-04_05.06.07|${first}|123456789012|us-east-1|aws`,
      `2026-03-04|2026-03-04_05.06.08|${second}|123456789012|us-east-1|aws`,
    ]);
  });

  test('should run the onCancel step for at most two minutes and end Cancelled', async () => {
    const rig = ssmRig();
    rig.awsApi.respond('sfn', 'DescribeExecution', () => ({ status: 'RUNNING' }));
    const id = await runFixture(rig, 'cancel-with-slow-handler.yaml');
    await untilStep(rig, id, 'Nap', 'InProgress');
    await rig.ssm.StopAutomationExecution({ AutomationExecutionId: id });
    await untilStep(rig, id, 'SlowCleanup', 'InProgress');
    expect((await rig.ssm.GetAutomationExecution({ AutomationExecutionId: id })).AutomationExecution.AutomationExecutionStatus).toBe('Cancelling');
    await rig.clock.advance(119_000);
    expect((await rig.ssm.GetAutomationExecution({ AutomationExecutionId: id })).AutomationExecution.AutomationExecutionStatus).toBe('Cancelling');
    await rig.clock.advance(1_000);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Cancelled');
    expect(await steps(rig, id)).toEqual([['Nap', 'Cancelled'], ['SlowCleanup', 'TimedOut']]);
    await expect(rig.ssm.StopAutomationExecution({ AutomationExecutionId: id })).rejects.toMatchObject({ name: 'InvalidAutomationStatusUpdateException' });
  });

  test('should cancel the command and time the step out when a runCommand step timeout passes', async () => {
    const rig = ssmRig();
    const node = rig.instances.add();
    const id = await runFixture(rig, 'run-command-step-timeout.yaml', { InstanceIds: [node.instanceId], Commands: ['sleep 30'] });
    await untilStep(rig, id, 'Run', 'InProgress');
    const { waitUntil } = await import('../../helpers/fixtures.js');
    await waitUntil(async () => (await rig.ssm.ListCommandInvocations()).CommandInvocations[0]?.Status === 'InProgress');
    await rig.clock.advance(60_000);
    const execution = await untilDone(rig, id);
    // onFailure Continue with an explicit isCritical: true → the execution reports the timeout.
    expect(execution.AutomationExecutionStatus).toBe('TimedOut');
    expect(execution.StepExecutions[0]).toMatchObject({ StepStatus: 'TimedOut' });
    await waitUntil(async () => (await rig.ssm.ListCommands()).Commands[0]!.Status === 'Cancelled', 'the command to be cancelled');
    const report = rig.awsApi.calls[0]!.input;
    expect(report['cause']).toBe((await rig.ssm.ListCommands()).Commands[0]!.CommandId);
  });

  test('should set runCommand outputs also when the command fails', async () => {
    const rig = ssmRig();
    const node = rig.instances.add();
    const id = await runFixture(rig, 'run-command-outputs.yaml', { InstanceIds: [node.instanceId], Commands: ['echo partial', 'exit 4'] });
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect(rig.awsApi.calls[0]!.input).toMatchObject({ error: 'Failed/4', cause: 'partial\n' });
    expect(execution.StepExecutions[0]!.Outputs).toMatchObject({ Status: ['Failed'], ResponseCode: ['4'], Output: ['partial\n'] });
    const command = (await rig.ssm.ListCommands()).Commands[0]!;
    expect(command).toMatchObject({ Comment: 'from a runbook', InstanceIds: [node.instanceId], Parameters: { commands: ['echo partial', 'exit 4'], executionTimeout: ['600'] } });
  });
});
