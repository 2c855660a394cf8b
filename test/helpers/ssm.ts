/** Builds a local SSM service on a virtual clock with a recording AwsApi, and loads runbooks into it. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../src/engine/clock.js';
import { sequentialIds } from '../../src/engine/ids.js';
import { InstanceRegistry } from '../../src/engine/instances/instance-registry.js';
import { SsmService } from '../../src/engine/ssm-service.js';
import type { AutomationExecution } from '../../src/model/ssm.js';
import { fixturePath, RecordingAwsApi, REPO_ROOT, waitUntil } from './fixtures.js';

export interface SsmRig {
  readonly clock: VirtualClock;
  readonly awsApi: RecordingAwsApi;
  readonly instances: InstanceRegistry;
  readonly ssm: SsmService;
}

export interface SsmRigOptions {
  readonly concurrentAutomationQuota?: number;
}

export function ssmRig(options: SsmRigOptions = {}): SsmRig {
  const clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
  const ids = sequentialIds();
  const awsApi = new RecordingAwsApi();
  const instances = new InstanceRegistry({ baseDir: mkdtempSync(join(tmpdir(), 'shellstep-ssm-')), clock, ids });
  const ssm = new SsmService({ clock, ids, awsApi, instances, region: 'us-east-1', accountId: '123456789012', ...options });
  return { clock, awsApi, instances, ssm };
}

/** The project's generated runbook `runbooks/<name>.json`, as text. */
export function generatedRunbook(name: 'SfnRunCommandByInstanceIds' | 'SfnRunCommandByTargets'): string {
  return readFileSync(join(REPO_ROOT, 'runbooks', `${name}.json`), 'utf8');
}

/** The original sample's runbook (assumeRole replaced by a plain ARN), as text. */
export function originalRunbook(name: 'SfnRunCommandByInstanceIds' | 'SfnRunCommandByTargets'): string {
  return readFileSync(fixturePath(`runbooks/original-sample-${name}.json`), 'utf8');
}

export async function createRunbook(rig: SsmRig, name: string, content: string, format: 'JSON' | 'YAML' = 'JSON'): Promise<void> {
  await rig.ssm.CreateDocument({ Name: name, Content: content, DocumentType: 'Automation', DocumentFormat: format });
}

const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

/** Waits in real time (the virtual clock does not move) until the execution is terminal. */
export async function untilDone(rig: SsmRig, id: string): Promise<AutomationExecution> {
  let execution: AutomationExecution | undefined;
  await waitUntil(async () => {
    execution = (await rig.ssm.GetAutomationExecution({ AutomationExecutionId: id })).AutomationExecution;
    return TERMINAL.has(execution.AutomationExecutionStatus);
  }, `automation ${id} to end`);
  return execution!;
}

/** Waits until a step of the execution has the status. */
export async function untilStep(rig: SsmRig, id: string, step: string, status: string): Promise<void> {
  await waitUntil(async () => {
    const { StepExecutions } = await rig.ssm.DescribeAutomationStepExecutions({ AutomationExecutionId: id });
    return StepExecutions.some((s) => s.StepName === step && s.StepStatus === status);
  }, `step ${step} to be ${status}`);
}

/** Waits until the (single) command of the automation has an invocation InProgress on every target. */
export async function untilCommandRunning(rig: SsmRig): Promise<string> {
  let commandId = '';
  await waitUntil(async () => {
    const { Commands } = await rig.ssm.ListCommands();
    if (Commands.length === 0) return false;
    commandId = Commands[0]!.CommandId;
    const { CommandInvocations } = await rig.ssm.ListCommandInvocations({ CommandId: commandId });
    return CommandInvocations.length > 0 && CommandInvocations.every((i) => i.Status === 'InProgress');
  }, 'the command to run');
  return commandId;
}
