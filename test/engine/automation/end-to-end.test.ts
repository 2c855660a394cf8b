/**
 * The project's generated runbooks and the original sample's runbooks, run end to end on local instances with a
 * fake Step Functions callback port (issue 3, Tests). For every path: the callback made (name, error, output JSON)
 * and the final automation status; for the original sample, which paths leave the task token uncalled.
 */
import { describe, expect, test } from 'vitest';
import type { RecordedCall } from '../../helpers/fixtures.js';
import { waitUntil } from '../../helpers/fixtures.js';
import type { SsmRig } from '../../helpers/ssm.js';
import {
  createRunbook,
  generatedRunbook,
  originalRunbook,
  ssmRig,
  untilCommandRunning,
  untilDone,
} from '../../helpers/ssm.js';

const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAe2Etoken';

type Flavour = 'generated' | 'original';
type Selection = 'InstanceIds' | 'Targets';

interface Case {
  readonly flavour: Flavour;
  readonly selection: Selection;
}

const CASES: Case[] = [
  { flavour: 'generated', selection: 'InstanceIds' },
  { flavour: 'generated', selection: 'Targets' },
  { flavour: 'original', selection: 'InstanceIds' },
  { flavour: 'original', selection: 'Targets' },
];

const docName = (c: Case): 'SfnRunCommandByInstanceIds' | 'SfnRunCommandByTargets' => (c.selection === 'InstanceIds' ? 'SfnRunCommandByInstanceIds' : 'SfnRunCommandByTargets');

async function setUp(c: Case, nodes = 1): Promise<{ rig: SsmRig; ids: string[] }> {
  // The engine accepts the original sample's documents as AWS did (its defects are advice, not errors).
  const rig = ssmRig();
  await createRunbook(rig, docName(c), c.flavour === 'generated' ? generatedRunbook(docName(c)) : originalRunbook(docName(c)));
  const ids = Array.from({ length: nodes }, () => rig.instances.add().instanceId);
  return { rig, ids };
}

/** StartAutomationExecution as the state machine's Task sends it (every value a list of strings). */
async function start(rig: SsmRig, c: Case, ids: string[], commands: string[], extra: Record<string, string[]> = {}): Promise<string> {
  const selection = c.selection === 'InstanceIds' ? { InstanceIds: ids } : { Targets: [JSON.stringify({ Key: 'InstanceIds', Values: ids })] };
  const delivery = c.flavour === 'generated' ? { deliveryTimeout: ['30'] } : {};
  const { AutomationExecutionId } = await rig.ssm.StartAutomationExecution({
    DocumentName: docName(c),
    Parameters: { ...selection, Commands: commands, taskToken: [TOKEN], ...delivery, ...extra },
  });
  return AutomationExecutionId;
}

/** What the callback port saw, compactly: name, error, parsed output; and whether Step Functions accepted it. */
function calls(rig: SsmRig): { op: string; ok: boolean; error?: unknown; output?: unknown }[] {
  return rig.awsApi.callbacks.map((c: RecordedCall) => ({
    op: c.operation,
    ok: c.ok,
    ...(c.input['error'] === undefined ? {} : { error: c.input['error'] }),
    ...(c.input['output'] === undefined ? {} : { output: JSON.parse(c.input['output'] as string) as unknown }),
  }));
}

function expectTokenOnEveryCall(rig: SsmRig): void {
  for (const call of rig.awsApi.callbacks) expect(call.input['taskToken']).toBe(TOKEN);
}

/** Delivery timeout used by each flavour: the generated runbooks pass 30 s; the original leaves the API default. */
const deliverySeconds = (c: Case): number => (c.flavour === 'generated' ? 30 : 3600);

describe.each(CASES)('$flavour $selection runbook', (c) => {
  test('should call SendTaskSuccess and end Success when the command succeeds', async () => {
    const { rig, ids } = await setUp(c);
    const id = await start(rig, c, ids, ['echo hello']);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Success');
    const commandId = (await rig.ssm.ListCommands()).Commands[0]!.CommandId;
    const output = c.flavour === 'generated' ? { CommandId: commandId, Status: 'Success', DocumentName: 'AWS-RunShellScript', AutomationExecutionId: id } : {};
    expect(calls(rig)).toEqual([{ op: 'SendTaskSuccess', ok: true, output }]);
    expectTokenOnEveryCall(rig);
  });

  test('should call SendTaskFailure and end Failed when one of three nodes exits non-zero', async () => {
    const { rig, ids } = await setUp(c, 3);
    const id = await start(rig, c, ids, [`if [ "$AWS_SSM_INSTANCE_ID" = "${ids[1]}" ]; then exit 3; fi`, 'echo ok']);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    const invs = (await rig.ssm.ListCommandInvocations({ Details: true })).CommandInvocations;
    expect(invs.map((i) => i.CommandPlugins[0]!.ResponseCode).sort()).toEqual([0, 0, 3]);
    expect(calls(rig)).toEqual([{ op: 'SendTaskFailure', ok: true, error: c.flavour === 'generated' ? 'RunCommand.Failed' : 'Automation document failure' }]);
  });

  test('should report a timed-out command when executionTimeout passes', async () => {
    const { rig, ids } = await setUp(c);
    const id = await start(rig, c, ids, ['sleep 30'], { executionTimeout: ['10'] });
    await untilCommandRunning(rig);
    await rig.clock.advance(10_000);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect((await rig.ssm.ListCommands()).Commands[0]).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out' });
    expect(calls(rig)).toEqual([{ op: 'SendTaskFailure', ok: true, error: c.flavour === 'generated' ? 'RunCommand.TimedOut' : 'Automation document failure' }]);
  });

  test('should report Delivery Timed Out when the node is offline for the whole delivery timeout', async () => {
    const { rig, ids } = await setUp(c);
    rig.instances.goOffline(ids[0]!);
    const id = await start(rig, c, ids, ['echo never']);
    await untilCommandDelayed(rig);
    await rig.clock.advance(deliverySeconds(c) * 1000 - 1);
    expect(rig.awsApi.callbacks).toEqual([]);
    await rig.clock.advance(1);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect((await rig.ssm.ListCommands()).Commands[0]).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out' });
    expect(calls(rig)).toEqual([{ op: 'SendTaskFailure', ok: true, error: c.flavour === 'generated' ? 'RunCommand.TimedOut' : 'Automation document failure' }]);
  });

  test('should stay InProgress until the total timeout when the agent is lost mid-command', async () => {
    const { rig, ids } = await setUp(c);
    const id = await start(rig, c, ids, ['sleep 30'], { executionTimeout: ['10'] });
    await untilCommandRunning(rig);
    rig.instances.killAgent(ids[0]!);
    const total = (deliverySeconds(c) + 10) * 1000;
    await rig.clock.advance(total - 1);
    expect((await rig.ssm.GetAutomationExecution({ AutomationExecutionId: id })).AutomationExecution.AutomationExecutionStatus).toBe('InProgress');
    expect((await rig.ssm.ListCommandInvocations()).CommandInvocations[0]!.Status).toBe('InProgress');
    await rig.clock.advance(1);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect((await rig.ssm.ListCommands()).Commands[0]).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out' });
    expect(calls(rig)).toEqual([{ op: 'SendTaskFailure', ok: true, error: c.flavour === 'generated' ? 'RunCommand.TimedOut' : 'Automation document failure' }]);
  });

  test('should handle an unknown instance', async () => {
    const { rig } = await setUp(c);
    const id = await start(rig, c, ['i-0000000000000dead'], ['echo hi']);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    if (c.selection === 'Targets') {
      // A Targets InstanceIds value SSM does not know is Undeliverable; all targets Undeliverable → command Failed.
      expect((await rig.ssm.ListCommands()).Commands[0]).toMatchObject({ Status: 'Failed', StatusDetails: 'Undeliverable' });
      expect(calls(rig)).toEqual([{ op: 'SendTaskFailure', ok: true, error: c.flavour === 'generated' ? 'RunCommand.Failed' : 'Automation document failure' }]);
    } else if (c.flavour === 'generated') {
      // SendCommand rejects the id; no command status exists, so the failure step's {{RunShellScript.Status}} fails
      // input validation and its onFailure reports Automation.StepFailed.
      expect(calls(rig)).toEqual([{ op: 'SendTaskFailure', ok: true, error: 'Automation.StepFailed' }]);
      const steps = execution.StepExecutions.map((s) => [s.StepName, s.StepStatus, s.FailureDetails?.FailureStage]);
      expect(steps).toEqual([
        ['ChooseCommand', 'Success', undefined],
        ['RunShellScript', 'Failed', 'Invocation'],
        ['NotifyFailure_RunShellScript', 'Failed', 'InputValidation'],
        ['NotifyStepFailed', 'Success', undefined],
      ]);
    } else {
      // Original sample (D11c/D13): SendTaskFailure's cause needs {{RunCommand.CommandId}}, which was never produced;
      // the step fails input validation and the token is never called back.
      expect(calls(rig)).toEqual([]);
      expect(execution.StepExecutions.at(-1)).toMatchObject({ StepName: 'SendTaskFailure', StepStatus: 'Failed', FailureDetails: { FailureStage: 'InputValidation' } });
    }
  });

  test('should run the onCancel path and end Cancelled when the automation is cancelled', async () => {
    const { rig, ids } = await setUp(c);
    const id = await start(rig, c, ids, ['sleep 30']);
    const commandId = await untilCommandRunning(rig);
    await rig.ssm.StopAutomationExecution({ AutomationExecutionId: id, Type: 'Cancel' });
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Cancelled');
    // The agent reports the killed process shortly after the automation moved on.
    await waitUntil(async () => (await rig.ssm.ListCommands({ CommandId: commandId })).Commands[0]!.Status === 'Cancelled', 'the command to be Cancelled');
    expect(calls(rig)).toEqual([{ op: 'SendTaskFailure', ok: true, error: c.flavour === 'generated' ? 'Automation.Cancelled' : 'Automation document failure' }]);
  });

  test('should refuse to start when the task token is longer than 512 characters (D11e)', async () => {
    const { rig, ids } = await setUp(c);
    const selection = c.selection === 'InstanceIds' ? { InstanceIds: ids } : { Targets: [JSON.stringify({ Key: 'InstanceIds', Values: ids })] };
    await expect(
      rig.ssm.StartAutomationExecution({ DocumentName: docName(c), Parameters: { ...selection, Commands: ['echo hi'], taskToken: ['t'.repeat(513)] } }),
    ).rejects.toMatchObject({ name: 'InvalidAutomationExecutionParametersException' });
    expect((await rig.ssm.DescribeAutomationExecutions()).AutomationExecutionMetadataList).toEqual([]);
    expect(rig.awsApi.calls).toEqual([]);
  });

  test('should handle a failing SendTaskSuccess callback', async () => {
    const { rig, ids } = await setUp(c);
    rig.awsApi.fail('sfn', 'SendTaskSuccess', 'InvalidOutput', 'Invalid output');
    const id = await start(rig, c, ids, ['echo hello']);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    if (c.flavour === 'generated') {
      // maxAttempts 3, then onFailure step:NotifyCallbackFailed.
      expect(calls(rig).map((x) => [x.op, x.ok, x.error])).toEqual([
        ['SendTaskSuccess', false, undefined],
        ['SendTaskSuccess', false, undefined],
        ['SendTaskSuccess', false, undefined],
        ['SendTaskFailure', true, 'Automation.CallbackFailed'],
      ]);
    } else {
      // Original sample (D11a): SendTaskSuccess has no onFailure, so the automation aborts and the token is never
      // completed; the Task waits until its own timeout.
      expect(rig.awsApi.completedCallbacks).toEqual([]);
      expect(calls(rig)).toEqual([{ op: 'SendTaskSuccess', ok: false, output: {} }]);
      expect(execution.FailureMessage).toContain('An error occurred (InvalidOutput) when calling the SendTaskSuccess operation');
    }
  });
});

async function untilCommandDelayed(rig: SsmRig): Promise<void> {
  await waitUntil(async () => (await rig.ssm.ListCommandInvocations()).CommandInvocations[0]?.Status === 'Delayed', 'the invocation to be Delayed');
}

describe('generated runbook with the default clocks', () => {
  test('should finish with the real clock when nothing is injected but the callback port', async () => {
    const { SsmService } = await import('../../../src/engine/ssm-service.js');
    const { RecordingAwsApi } = await import('../../helpers/fixtures.js');
    const awsApi = new RecordingAwsApi();
    const ssm = new SsmService({ awsApi });
    const node = ssm.instances.add();
    await ssm.CreateDocument({ Name: 'SfnRunCommandByInstanceIds', Content: generatedRunbook('SfnRunCommandByInstanceIds'), DocumentType: 'Automation' });
    const started = Date.now();
    const { AutomationExecutionId } = await ssm.StartAutomationExecution({
      DocumentName: 'SfnRunCommandByInstanceIds',
      Parameters: { InstanceIds: [node.instanceId], Commands: ['echo real'], taskToken: [TOKEN] },
    });
    const execution = await ssm.automation.waitForExecution(AutomationExecutionId);
    expect(execution.AutomationExecutionStatus).toBe('Success');
    expect(awsApi.completedCallbacks.map((c) => c.operation)).toEqual(['SendTaskSuccess']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('should jump to the delivery timeout under an auto-advancing virtual clock when no process runs', async () => {
    const { SsmService } = await import('../../../src/engine/ssm-service.js');
    const { VirtualClock } = await import('../../../src/engine/clock.js');
    const { RecordingAwsApi } = await import('../../helpers/fixtures.js');
    const awsApi = new RecordingAwsApi();
    const clock = new VirtualClock({ autoAdvance: true });
    const ssm = new SsmService({ awsApi, clock });
    const node = ssm.instances.add();
    await ssm.CreateDocument({ Name: 'SfnRunCommandByInstanceIds', Content: generatedRunbook('SfnRunCommandByInstanceIds'), DocumentType: 'Automation' });
    ssm.instances.goOffline(node.instanceId);
    const { AutomationExecutionId } = await ssm.StartAutomationExecution({
      DocumentName: 'SfnRunCommandByInstanceIds',
      Parameters: { InstanceIds: [node.instanceId], Commands: ['echo never'], taskToken: [TOKEN], deliveryTimeout: ['600'] },
    });
    // Nothing is held while the node is offline, so the virtual clock jumps straight to the 600 s delivery timeout.
    const execution = await ssm.automation.waitForExecution(AutomationExecutionId);
    expect(execution.AutomationExecutionStatus).toBe('Failed');
    expect(awsApi.completedCallbacks.map((c) => c.input['error'])).toEqual(['RunCommand.TimedOut']);
  });
});

describe('generated SfnRunCommandByTargets with tag targets', () => {
  test('should run only on the nodes whose tag matches', async () => {
    const rig = ssmRig();
    await createRunbook(rig, 'SfnRunCommandByTargets', generatedRunbook('SfnRunCommandByTargets'));
    const web = [rig.instances.add({ tags: { role: 'web' } }), rig.instances.add({ tags: { role: 'web' } })];
    rig.instances.add({ tags: { role: 'db' } });
    const { AutomationExecutionId } = await rig.ssm.StartAutomationExecution({
      DocumentName: 'SfnRunCommandByTargets',
      Parameters: { Targets: [JSON.stringify({ Key: 'tag:role', Values: ['web'] })], Commands: ['echo $AWS_SSM_INSTANCE_ID'], taskToken: [TOKEN] },
    });
    expect((await untilDone(rig, AutomationExecutionId)).AutomationExecutionStatus).toBe('Success');
    const invocations = (await rig.ssm.ListCommandInvocations()).CommandInvocations.map((i) => i.InstanceId).sort();
    expect(invocations).toEqual(web.map((n) => n.instanceId).sort());
    expect(JSON.parse(rig.awsApi.completedCallbacks[0]!.input['output'] as string)).toMatchObject({ Status: 'Success' });
  });
});
