/** `aws:runCommand` with Command documents of your own: the step waits for every step of the document. */
import { describe, expect, test } from 'vitest';
import { createRunbook, ssmRig, untilDone } from '../../../helpers/ssm.js';

const twoSteps = (second: string) =>
  JSON.stringify({
    schemaVersion: '2.2',
    description: 'Two steps',
    parameters: { name: { type: 'String', default: 'world' } },
    mainSteps: [
      { action: 'aws:runShellScript', name: 'greet', inputs: { runCommand: ['echo hello {{ name }}'] } },
      { action: 'aws:runShellScript', name: 'check', inputs: { runCommand: [second] } },
    ],
  });

const runbook = (document: string) =>
  JSON.stringify({
    schemaVersion: '0.3',
    parameters: { InstanceId: { type: 'String' } },
    mainSteps: [
      {
        name: 'Run',
        action: 'aws:runCommand',
        inputs: { DocumentName: document, InstanceIds: ['{{ InstanceId }}'], Parameters: { name: 'runbook' } },
        outputs: [],
      },
    ],
  });

describe('aws:runCommand with a Command document of your own', () => {
  test('should succeed when every step succeeds, reporting the last step', async () => {
    const rig = ssmRig();
    await rig.ssm.CreateDocument({ Name: 'Mine', Content: twoSteps('echo checked'), DocumentType: 'Command' });
    await createRunbook(rig, 'UsesMine', runbook('Mine'));
    const node = rig.instances.add();
    const { AutomationExecutionId } = await rig.ssm.StartAutomationExecution({ DocumentName: 'UsesMine', Parameters: { InstanceId: [node.instanceId] } });
    const execution = await untilDone(rig, AutomationExecutionId);
    expect(execution.AutomationExecutionStatus).toBe('Success');
    expect(execution.StepExecutions[0]!.Outputs).toMatchObject({ Status: ['Success'], ResponseCode: ['0'], Output: ['checked\n'] });
    const commandId = execution.StepExecutions[0]!.Outputs!['CommandId']![0]!;
    const plugins = (await rig.ssm.ListCommandInvocations({ CommandId: commandId, Details: true })).CommandInvocations[0]!.CommandPlugins;
    expect(plugins.map((p) => [p.Name, p.Output])).toEqual([
      ['greet', 'hello runbook\n'],
      ['check', 'checked\n'],
    ]);
  });

  test('should fail the step when the second step fails, reporting the failed step', async () => {
    const rig = ssmRig();
    await rig.ssm.CreateDocument({ Name: 'Mine', Content: twoSteps('echo nope >&2; exit 4'), DocumentType: 'Command' });
    await createRunbook(rig, 'UsesMine', runbook('Mine'));
    const node = rig.instances.add();
    const { AutomationExecutionId } = await rig.ssm.StartAutomationExecution({ DocumentName: 'UsesMine', Parameters: { InstanceId: [node.instanceId] } });
    const execution = await untilDone(rig, AutomationExecutionId);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    const step = execution.StepExecutions[0]!;
    expect(step).toMatchObject({ StepStatus: 'Failed', FailureDetails: { FailureStage: 'Invocation', FailureType: 'Action' } });
    expect(step.Outputs).toMatchObject({ Status: ['Failed'], ResponseCode: ['4'], Output: ['\n----------ERROR-------\nnope\n'] });
  });

  test('should fail the step at SendCommand when the document is not a Command document', async () => {
    const rig = ssmRig();
    await createRunbook(rig, 'UsesItself', runbook('UsesItself'));
    const node = rig.instances.add();
    const { AutomationExecutionId } = await rig.ssm.StartAutomationExecution({ DocumentName: 'UsesItself', Parameters: { InstanceId: [node.instanceId] } });
    const execution = await untilDone(rig, AutomationExecutionId);
    expect(execution.StepExecutions[0]!.FailureMessage).toContain('InvalidDocument');
  });
});
