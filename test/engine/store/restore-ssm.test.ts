import { afterEach, describe, expect, test } from 'vitest';
import { persistentEngines } from '../../helpers/data-dir.js';

const { dataDir, engineOn, crash, cleanup } = persistentEngines('fast');
afterEach(cleanup);

const RUNBOOK = JSON.stringify({
  schemaVersion: '0.3',
  parameters: { Message: { type: 'String', default: 'hello' } },
  mainSteps: [{ name: 'Run', action: 'aws:runCommand', inputs: { DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'], Parameters: { commands: ['{{ Message }}'] } } }],
});

describe('restoring SSM records from the store', () => {
  test('brings back instances, documents, commands with their output and automations, and ends work in flight', async () => {
    const dir = dataDir();
    const first = engineOn(dir);
    first.instances.add({ instanceId: 'i-0123456789abcdef0', tags: { Role: 'web' } });
    await first.ssm.CreateDocument({ Name: 'Echo', DocumentType: 'Automation', Content: RUNBOOK });
    await first.ssm.UpdateDocument({ Name: 'Echo', DocumentVersion: '$LATEST', Content: RUNBOOK.replace('hello', 'hello again') });
    await first.ssm.UpdateDocumentDefaultVersion({ Name: 'Echo', DocumentVersion: '2' });
    await first.ssm.ModifyDocumentPermission({ Name: 'Echo', PermissionType: 'Share', AccountIdsToAdd: ['111122223333'] });

    const done = (await first.ssm.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'], Parameters: { commands: ['echo out; echo err >&2'] } })).Command;
    await new Promise<void>((resolve) => first.ssm.runCommand.onCommandDone(done.CommandId, () => resolve()));
    const finished = await first.ssm.StartAutomationExecution({ DocumentName: 'Echo', Parameters: { Message: ['echo automated'] } });
    await first.ssm.automation.waitForExecution(finished.AutomationExecutionId);

    // In flight when the process stops: a command that sleeps, and an automation waiting on one.
    const sleeping = (await first.ssm.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'], Parameters: { commands: ['sleep 30'] } })).Command;
    const waiting = await first.ssm.StartAutomationExecution({ DocumentName: 'Echo', Parameters: { Message: ['sleep 30'] } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await first.ssm.GetAutomationExecution(waiting)).AutomationExecution.AutomationExecutionStatus).toBe('InProgress');
    await crash(first);

    const second = engineOn(dir);
    const instance = second.instances.get('i-0123456789abcdef0');
    expect(instance?.tags).toEqual({ Role: 'web' });
    expect(instance?.pingStatus).toBe('Online');

    const described = (await second.ssm.DescribeDocument({ Name: 'Echo' })).Document;
    expect(described).toMatchObject({ DefaultVersion: '2', LatestVersion: '2', DocumentType: 'Automation' });
    expect((await second.ssm.GetDocument({ Name: 'Echo', DocumentVersion: '1' })).Content).toBe(RUNBOOK);
    expect((await second.ssm.DescribeDocumentPermission({ Name: 'Echo', PermissionType: 'Share' })).AccountIds).toEqual(['111122223333']);

    const output = await second.ssm.GetCommandInvocation({ CommandId: done.CommandId, InstanceId: 'i-0123456789abcdef0' });
    expect(output).toMatchObject({ Status: 'Success', ResponseCode: 0, StandardOutputContent: 'out\n', StandardErrorContent: 'err\n' });

    const interrupted = await second.ssm.GetCommandInvocation({ CommandId: sleeping.CommandId, InstanceId: 'i-0123456789abcdef0' });
    expect(interrupted).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', ResponseCode: -1 });
    expect((await second.ssm.ListCommands({ CommandId: sleeping.CommandId })).Commands[0]).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out' });

    const ok = (await second.ssm.GetAutomationExecution(finished)).AutomationExecution;
    expect(ok.AutomationExecutionStatus).toBe('Success');
    expect(ok.ExecutionStartTime).toBeInstanceOf(Date);
    expect(ok.StepExecutions?.[0]).toMatchObject({ StepName: 'Run', StepStatus: 'Success' });

    const ended = (await second.ssm.GetAutomationExecution(waiting)).AutomationExecution;
    expect(ended.AutomationExecutionStatus).toBe('TimedOut');
    expect(ended.CurrentStepName).toBeUndefined();
    expect(ended.StepExecutions?.[0]).toMatchObject({ StepName: 'Run', StepStatus: 'TimedOut' });
    await expect(second.ssm.StopAutomationExecution(waiting)).rejects.toMatchObject({ name: 'InvalidAutomationStatusUpdateException' });

    // The restored engine keeps working: the document runs again, on the restored instance.
    const again = await second.ssm.StartAutomationExecution({ DocumentName: 'Echo', Parameters: { Message: ['echo again'] } });
    expect((await second.ssm.automation.waitForExecution(again.AutomationExecutionId)).AutomationExecutionStatus).toBe('Success');
    const listed = (await second.ssm.DescribeAutomationExecutions({})).AutomationExecutionMetadataList.map((m) => m.AutomationExecutionId);
    expect(listed).toEqual([finished.AutomationExecutionId, waiting.AutomationExecutionId, again.AutomationExecutionId]);
  });
});
