import { describe, expect, test } from 'vitest';
import { loadFixtureText } from '../../helpers/fixtures.js';
import { createRunbook, ssmRig, untilDone, untilStep } from '../../helpers/ssm.js';

const sleepy = loadFixtureText('runbooks/sleep-then-call.yaml');

describe('automation executions', () => {
  test('should queue executions beyond the concurrency quota as Pending and start them as others end', async () => {
    const rig = ssmRig({ concurrentAutomationQuota: 2 });
    await createRunbook(rig, 'Sleepy', sleepy, 'YAML');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await rig.ssm.StartAutomationExecution({ DocumentName: 'Sleepy' })).AutomationExecutionId);
    await untilStep(rig, ids[1]!, 'Wait', 'InProgress');
    const statuses = async () => (await rig.ssm.DescribeAutomationExecutions()).AutomationExecutionMetadataList.map((m) => m.AutomationExecutionStatus);
    expect(await statuses()).toEqual(['InProgress', 'InProgress', 'Pending']);
    await rig.clock.advance(600_000);
    await untilStep(rig, ids[2]!, 'Wait', 'InProgress');
    await rig.clock.advance(600_000);
    expect((await untilDone(rig, ids[2]!)).AutomationExecutionStatus).toBe('Success');
    expect(await statuses()).toEqual(['Success', 'Success', 'Success']);
  });

  test("should return AWS's empty defaults: Targets, ResolvedTargets, LogFile and each step's OverriddenParameters", async () => {
    const rig = ssmRig();
    await createRunbook(rig, 'Sleepy', sleepy, 'YAML');
    const { AutomationExecutionId } = await rig.ssm.StartAutomationExecution({ DocumentName: 'Sleepy' });
    await untilStep(rig, AutomationExecutionId, 'Wait', 'InProgress');
    const execution = (await rig.ssm.GetAutomationExecution({ AutomationExecutionId })).AutomationExecution;
    expect(execution).toMatchObject({ Targets: [], ResolvedTargets: { ParameterValues: [], Truncated: false } });
    expect(execution.StepExecutions.map((s) => s.OverriddenParameters)).toEqual([{}]);
    const [metadata] = (await rig.ssm.DescribeAutomationExecutions({ Filters: [{ Key: 'ExecutionId', Values: [AutomationExecutionId] }] })).AutomationExecutionMetadataList;
    expect(metadata).toMatchObject({ LogFile: '', Targets: [], ResolvedTargets: { ParameterValues: [], Truncated: false }, AutomationType: 'Local' });
    // Each view is a copy: changing one changes nothing in the engine.
    execution.StepExecutions[0]!.OverriddenParameters['x'] = ['y'];
    execution.ResolvedTargets.ParameterValues.push('z');
    const again = (await rig.ssm.GetAutomationExecution({ AutomationExecutionId })).AutomationExecution;
    expect([again.StepExecutions[0]!.OverriddenParameters, again.ResolvedTargets.ParameterValues]).toEqual([{}, []]);
    await rig.ssm.StopAutomationExecution({ AutomationExecutionId });
  });

  test('should cancel a Pending execution at once', async () => {
    const rig = ssmRig({ concurrentAutomationQuota: 1 });
    await createRunbook(rig, 'Sleepy', sleepy, 'YAML');
    await rig.ssm.StartAutomationExecution({ DocumentName: 'Sleepy' });
    const { AutomationExecutionId } = await rig.ssm.StartAutomationExecution({ DocumentName: 'Sleepy' });
    await rig.ssm.StopAutomationExecution({ AutomationExecutionId });
    const execution = await untilDone(rig, AutomationExecutionId);
    expect(execution).toMatchObject({ AutomationExecutionStatus: 'Cancelled', StepExecutions: [] });
  });

  test('should name errors as AWS does for unknown documents, versions and executions', async () => {
    const rig = ssmRig();
    await createRunbook(rig, 'Sleepy', sleepy, 'YAML');
    await expect(rig.ssm.StartAutomationExecution({ DocumentName: 'Missing' })).rejects.toMatchObject({ name: 'AutomationDefinitionNotFoundException' });
    await expect(rig.ssm.StartAutomationExecution({ DocumentName: 'Sleepy', DocumentVersion: '9' })).rejects.toMatchObject({ name: 'AutomationDefinitionVersionNotFoundException' });
    await expect(rig.ssm.StartAutomationExecution({ DocumentName: 'Sleepy', Parameters: { x: ['y'] } })).rejects.toMatchObject({ name: 'InvalidAutomationExecutionParametersException' });
    await expect(rig.ssm.GetAutomationExecution({ AutomationExecutionId: '00000000-0000-4000-8000-00000000ffff' })).rejects.toMatchObject({ name: 'AutomationExecutionNotFoundException' });
    await expect(rig.ssm.StartAutomationExecution({ DocumentName: 'Sleepy', Mode: 'Interactive' })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('should filter step executions and describe executions by status', async () => {
    const rig = ssmRig();
    await createRunbook(rig, 'Sleepy', sleepy, 'YAML');
    const { AutomationExecutionId } = await rig.ssm.StartAutomationExecution({ DocumentName: 'Sleepy' });
    await untilStep(rig, AutomationExecutionId, 'Wait', 'InProgress');
    await rig.clock.advance(600_000);
    await untilDone(rig, AutomationExecutionId);
    const onlyCall = await rig.ssm.DescribeAutomationStepExecutions({ AutomationExecutionId, Filters: [{ Key: 'StepName', Values: ['Call'] }] });
    expect(onlyCall.StepExecutions.map((s) => s.StepName)).toEqual(['Call']);
    const success = await rig.ssm.DescribeAutomationExecutions({ Filters: [{ Key: 'ExecutionStatus', Values: ['Success'] }] });
    expect(success.AutomationExecutionMetadataList.map((m) => m.AutomationExecutionId)).toEqual([AutomationExecutionId]);
  });
});
