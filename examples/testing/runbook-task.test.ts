// Tests of the shipped runbook Task (state-machines/run-shell-command.asl.json), offline with shellstep:
// TestState with a mocked runbook result, and the real local round trip through the runbook on a local instance.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { LocalEngine } from 'shellstep';

const root = new URL('../../', import.meta.url);
const machine = readFileSync(new URL('state-machines/run-shell-command.asl.json', root), 'utf8');
const runbooks = readFileSync(new URL('cloudformation/ssm-automation-documents.cfn.json', root), 'utf8');

const engine = new LocalEngine({ clock: 'fast' });
afterAll(() => engine.close());

describe('the RunShellCommand Task', () => {
  test('puts the runbook result in $.command and goes on to GetCommandResults (mocked)', async () => {
    const runbookResult = { CommandId: 'c-1', Status: 'Success', DocumentName: 'AWS-RunShellScript', AutomationExecutionId: 'a-1' };
    const response = await engine.sfn.TestState({
      definition: machine,
      stateName: 'RunShellCommand',
      input: JSON.stringify({ requestId: 'r-1' }),
      inspectionLevel: 'DEBUG',
      mock: { result: JSON.stringify(runbookResult) },
    });
    expect(response.status).toBe('SUCCEEDED');
    expect(response.nextState).toBe('GetCommandResults');
    expect(JSON.parse(response.output!)).toEqual({ requestId: 'r-1', command: runbookResult });
    // The runbook gets the task token as a one-element list.
    expect(JSON.parse(response.inspectionData!.afterParameters!).Parameters.taskToken).toHaveLength(1);
  });

  test('sends RunCommand.Failed to CommandFailed (mocked)', async () => {
    const response = await engine.sfn.TestState({
      definition: machine,
      stateName: 'RunShellCommand',
      input: '{}',
      mock: { errorOutput: { error: 'RunCommand.Failed', cause: 'exit 3 on i-1234567890abcdef0' } },
    });
    expect(response.status).toBe('CAUGHT_ERROR');
    expect(response.nextState).toBe('CommandFailed');
    expect(JSON.parse(response.output!)).toEqual({ error: { Error: 'RunCommand.Failed', Cause: 'exit 3 on i-1234567890abcdef0' } });
  });

  test('runs the command on a local instance through the runbook (the real round trip)', async () => {
    const instance = engine.instances.add();
    await engine.deploy(runbooks, { stackName: 'shellstep-runbooks' });
    const definition = machine.replace('i-1234567890abcdef0', instance.instanceId).replace('sleep 100', 'echo hello from the runbook');
    // Roles must exist, as on AWS: this one allows every action (engine.iam.CreateRole makes one with policies).
    const roleArn = engine.roles.define('arn:aws:iam::123456789012:role/run-shell-command').arn;
    const { stateMachineArn } = await engine.sfn.CreateStateMachine({ name: 'run-shell-command', definition, roleArn });
    const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: '{}' });
    const result = await engine.sfn.waitForExecution(executionArn);
    expect(result.status).toBe('SUCCEEDED');
    const { command, results } = result.output as { command: { CommandId: string; Status: string }; results: { Invocations: Array<{ Status: string }> } };
    expect(command.Status).toBe('Success');
    expect(results.Invocations[0]!.Status).toBe('Success');
    const invocation = await engine.ssm.GetCommandInvocation({ CommandId: command.CommandId, InstanceId: instance.instanceId });
    expect(invocation.StandardOutputContent).toBe('hello from the runbook\n');
  });
});
