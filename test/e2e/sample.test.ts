import { afterEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { runbookTask } from '../../src/definitions/state-machines.js';
import type { JsonObject } from '../../src/model/json.js';

const root = new URL('../../', import.meta.url).pathname;
const RUNBOOKS = readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8');
const SAMPLE = readFileSync(`${root}cloudformation/sample-state-machine.cfn.json`, 'utf8');
const ORIGINAL = readFileSync(`${root}test/fixtures/original-sample/original-sample.cfn.json`, 'utf8');

let engine: LocalEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function deployed(options: { runbooks?: string } = {}) {
  engine = new LocalEngine({ clock: 'fast' });
  const instance = engine.instances.add({ tags: { Env: 'dev' } });
  await engine.deploy(options.runbooks ?? RUNBOOKS, { stackName: 'shellstep-runbooks' });
  const sample = await engine.deploy(SAMPLE, { stackName: 'sample', parameters: { InstanceId: instance.instanceId, SleepSeconds: '0' } });
  return { engine, instance, sample };
}

async function run(engine: LocalEngine, stateMachineArn: string, input: JsonObject = {}) {
  const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: JSON.stringify(input) });
  const result = await engine.sfn.waitForExecution(executionArn);
  const history = await engine.sfn.GetExecutionHistory({ executionArn });
  return { executionArn, result, events: history.events.map((e: { type: string }) => e.type) };
}

/** A state machine that runs `commands` through a runbook, as a user would write one (its own role is not under test). */
function runbookMachine(documentName: string, instanceId: string, commands: string[], timeoutSeconds = 4500): string {
  return JSON.stringify({
    StartAt: 'Run',
    States: {
      Run: {
        ...runbookTask({ documentName, parameters: { InstanceIds: [instanceId], Commands: commands }, timeoutSeconds }),
        Catch: [{ ErrorEquals: ['RunCommand.Failed'], ResultPath: '$.error', Next: 'Caught' }],
        End: true,
      },
      Caught: { Type: 'Pass', End: true },
    },
  });
}

async function machine(engine: LocalEngine, definition: string): Promise<string> {
  // The machine's own role allows everything: only the runbook's role is under test.
  const roleArn = engine.roles.define('arn:aws:iam::123456789012:role/unchecked').arn;
  const out = await engine.sfn.CreateStateMachine({ name: `m-${Math.random().toString(36).slice(2, 8)}`, definition, roleArn });
  return out.stateMachineArn;
}

describe('the sample stack on the local engine', () => {
  test.each(['JsonPathStateMachineArn', 'JsonataStateMachineArn'])('should succeed end to end and return per-node results (%s)', async (output) => {
    const { engine, instance, sample } = await deployed();
    const { result, events } = await run(engine, sample.outputs[output]!);
    expect(result.status).toBe('SUCCEEDED');
    const out = result.output as { command: Record<string, string>; results: { Invocations: Array<Record<string, unknown>> } };
    expect(out.command).toMatchObject({ Status: 'Success', DocumentName: 'AWS-RunShellScript' });
    expect(out.command['CommandId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.results.Invocations).toHaveLength(1);
    expect(out.results.Invocations[0]).toMatchObject({ InstanceId: instance.instanceId, Status: 'Success' });
    expect(events).toEqual(expect.arrayContaining(['TaskSubmitted', 'TaskSucceeded', 'ExecutionSucceeded']));
    // The seed's command really ran in the instance's own folder.
    expect(readFileSync(`${instance.rootDir}/automation.log`, 'utf8')).toContain('This is a test running automation waitForTaskToken');
  });

  test('should fail a non-zero exit with RunCommand.Failed, catchable by name', async () => {
    const { engine, instance } = await deployed();
    const arn = await machine(engine, runbookMachine('SfnRunCommandByInstanceIds', instance.instanceId, ['echo oops >&2', 'exit 3']));
    const { result } = await run(engine, arn);
    expect(result.status).toBe('SUCCEEDED');
    const error = (result.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('RunCommand.Failed');
    expect(error.Cause).toMatch(/^Command [0-9a-f-]{36} \(AWS-RunShellScript\) ended with status Failed in automation [0-9a-f-]{36}\. Per-node exit codes and output: aws ssm list-command-invocations --details --command-id [0-9a-f-]{36}$/);
  });
});

describe('IAM enforcement', () => {
  function withoutSendTaskSuccess(template: string, logicalRole = 'SSMSyncRole'): string {
    const t = JSON.parse(template);
    for (const policy of t.Resources[logicalRole].Properties.Policies) {
      for (const s of policy.PolicyDocument.Statement) {
        const actions = [s.Action].flat().filter((a: string) => a !== 'states:SendTaskSuccess');
        s.Action = actions;
      }
    }
    return JSON.stringify(t);
  }

  test('should end our runbook with Automation.CallbackFailed at once when the role may not call SendTaskSuccess', async () => {
    const { engine, instance } = await deployed({ runbooks: withoutSendTaskSuccess(RUNBOOKS) });
    const arn = await machine(engine, runbookMachine('SfnRunCommandByInstanceIds', instance.instanceId, ['true']));
    const { result } = await run(engine, arn);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Automation.CallbackFailed');
    const automations = await engine.ssm.DescribeAutomationExecutions({});
    const failed = automations.AutomationExecutionMetadataList[0]!;
    const steps = await engine.ssm.DescribeAutomationStepExecutions({ AutomationExecutionId: failed.AutomationExecutionId! });
    const success = steps.StepExecutions.find((s) => s.StepName === 'NotifySuccess_RunShellScript')!;
    expect(success.StepStatus).toBe('Failed');
    expect(success.FailureMessage).toContain('AccessDeniedException');
    expect(success.FailureMessage).toContain('is not authorized to perform: states:SendTaskSuccess');
  });

  test('should fail the command step with AccessDenied and report Automation.StepFailed when the role may not send commands', async () => {
    const template = JSON.parse(RUNBOOKS);
    const statements = template.Resources.SSMSyncRole.Properties.Policies[0].PolicyDocument.Statement;
    template.Resources.SSMSyncRole.Properties.Policies[0].PolicyDocument.Statement = statements.filter((s: { Sid: string }) => s.Sid !== 'SendCommand');
    const { engine, instance } = await deployed({ runbooks: JSON.stringify(template) });
    const arn = await machine(engine, runbookMachine('SfnRunCommandByInstanceIds', instance.instanceId, ['true']));
    const { result } = await run(engine, arn);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Automation.StepFailed');
    const automation = (await engine.ssm.DescribeAutomationExecutions({})).AutomationExecutionMetadataList[0]!;
    const steps = (await engine.ssm.DescribeAutomationStepExecutions({ AutomationExecutionId: automation.AutomationExecutionId! })).StepExecutions;
    const send = steps.find((s) => s.StepName === 'RunShellScript')!;
    expect(send.StepStatus).toBe('Failed');
    expect(send.FailureMessage).toMatch(/AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/shellstep-runbooks-SSMSyncRole-[0-9A-F]{12}\/shellstep is not authorized to perform: ssm:SendCommand on resource: arn:aws:ssm:us-east-1::document\/AWS-RunShellScript/);
  });

  test('should not enforce IAM when enforcement is off', async () => {
    engine = new LocalEngine({ clock: 'fast', enforceIam: false });
    const instance = engine.instances.add();
    const template = JSON.parse(RUNBOOKS);
    template.Resources.SSMSyncRole.Properties.Policies[0].PolicyDocument.Statement = [{ Effect: 'Deny', Action: '*', Resource: '*' }];
    await engine.deploy(JSON.stringify(template), { stackName: 'shellstep-runbooks' });
    const arn = await machine(engine, runbookMachine('SfnRunCommandByInstanceIds', instance.instanceId, ['true']));
    expect((await run(engine, arn)).result.status).toBe('SUCCEEDED');
  });

  test('should run the original sample on its success path with IAM enforced (SendTask* scoped to stateMachine:*)', async () => {
    engine = new LocalEngine({ clock: 'fast' });
    const instance = engine.instances.add();
    await engine.deploy(ORIGINAL, { stackName: 'original' });
    const arn = await machine(engine, runbookMachine('SfnRunCommandByInstanceIds', instance.instanceId, ['true'], 600));
    const { result } = await run(engine, arn);
    // The original's callback is authorized against the state machine ARN, as AWS does, and its output is "{}" (D9).
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({});
  });

  test('should leave the original sample waiting until the Task timeout when its role may not call SendTaskSuccess', async () => {
    engine = new LocalEngine({ clock: 'fast' });
    const instance = engine.instances.add();
    await engine.deploy(withoutSendTaskSuccess(ORIGINAL), { stackName: 'original' });
    const arn = await machine(engine, runbookMachine('SfnRunCommandByInstanceIds', instance.instanceId, ['true'], 600));
    const started = engine.clock.now();
    const { result } = await run(engine, arn);
    // The automation fails with AccessDenied and nothing calls the token back (D11a): only the Task timeout ends it.
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Timeout');
    expect(engine.clock.now() - started).toBeGreaterThanOrEqual(600_000);
    const automation = (await engine.ssm.DescribeAutomationExecutions({})).AutomationExecutionMetadataList[0]!;
    expect(automation.AutomationExecutionStatus).toBe('Failed');
  });
});
