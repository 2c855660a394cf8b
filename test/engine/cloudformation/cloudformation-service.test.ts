import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { CloudFormationService } from '../../../src/engine/cloudformation/cloudformation-service.js';
import { VirtualClock } from '../../../src/engine/clock.js';
import { RoleRegistry } from '../../../src/engine/iam/roles.js';
import { sequentialIds } from '../../../src/engine/ids.js';
import type { AwsApi } from '../../../src/engine/aws-api.js';
import type { JsonObject, JsonValue } from '../../../src/model/json.js';
import { ServiceError } from '../../../src/errors/service-error.js';

const root = new URL('../../../', import.meta.url).pathname;
const runbooksTemplate = readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8');
const sampleTemplate = readFileSync(`${root}cloudformation/sample-state-machine.cfn.json`, 'utf8');
const originalTemplate = readFileSync(`${root}test/fixtures/original-sample/original-sample.cfn.json`, 'utf8');

/** Records every call into the local services and answers like them. */
function fakeServices(options: { failOn?: string } = {}) {
  const calls: Array<{ service: string; operation: string; input: JsonObject }> = [];
  const documents = new Map<string, number>();
  const api: AwsApi = {
    async call(service, operation, input): Promise<JsonValue> {
      calls.push({ service, operation, input });
      if (options.failOn === operation) throw new ServiceError('InvalidDocumentContent', 'planted failure');
      if (operation === 'CreateDocument') documents.set(String(input['Name']), 1);
      if (operation === 'UpdateDocument') {
        const v = (documents.get(String(input['Name'])) ?? 1) + 1;
        documents.set(String(input['Name']), v);
        return { DocumentDescription: { DocumentVersion: String(v) } };
      }
      if (operation === 'CreateStateMachine') return { stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${String(input['name'])}` };
      return {};
    },
  };
  return { api, calls, documents };
}

function service(options: { failOn?: string } = {}) {
  const fake = fakeServices(options);
  const roles = new RoleRegistry();
  const cfn = new CloudFormationService({ api: fake.api, roles, clock: new VirtualClock({ start: 0 }), ids: sequentialIds() });
  return { cfn, roles, ...fake };
}

describe('CloudFormationService', () => {
  test('should deploy the runbooks template: both documents, the role with its policy, and exported outputs', async () => {
    const { cfn, calls, roles } = service();
    await cfn.CreateStack({ StackName: 'shellstep-runbooks', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] });
    const stack = await cfn.waitForStack('shellstep-runbooks');
    expect(stack['StackStatus']).toBe('CREATE_COMPLETE');
    const created = calls.filter((c) => c.operation === 'CreateDocument');
    expect(created.map((c) => c.input['Name'])).toEqual(['SfnRunCommandByInstanceIds', 'SfnRunCommandByTargets']);
    const content = JSON.parse(String(created[0]!.input['Content']));
    // The role ARN was resolved into the runbook's AutomationAssumeRole default.
    expect(content.parameters.AutomationAssumeRole.default).toMatch(/^arn:aws:iam::123456789012:role\/shellstep-runbooks-SSMSyncRole-[0-9A-F]{12}$/);
    const role = roles.get(content.parameters.AutomationAssumeRole.default)!;
    expect([...role.inline.keys()]).toEqual(['RunCommandAndCallBack']);
    const outputs = stack['Outputs'] as Array<{ OutputKey: string; OutputValue: string; ExportName?: string }>;
    expect(outputs.map((o) => [o.OutputKey, o.ExportName])).toEqual([
      ['ByInstanceIdsDocumentName', 'shellstep-runbooks-ByInstanceIdsDocumentName'],
      ['ByTargetsDocumentName', 'shellstep-runbooks-ByTargetsDocumentName'],
      ['RunbookRoleArn', 'shellstep-runbooks-RunbookRoleArn'],
    ]);
  });

  test('should deploy the sample stack against the runbooks stack exports, with definition substitutions applied', async () => {
    const { cfn, calls } = service();
    await cfn.CreateStack({ StackName: 'shellstep-runbooks', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] });
    await cfn.waitForStack('shellstep-runbooks');
    await cfn.CreateStack({
      StackName: 'sample',
      TemplateBody: sampleTemplate,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: 'i-0123456789abcdef0' }, { ParameterKey: 'SleepSeconds', ParameterValue: '1' }],
    });
    expect((await cfn.waitForStack('sample'))['StackStatus']).toBe('CREATE_COMPLETE');
    const machines = calls.filter((c) => c.operation === 'CreateStateMachine');
    expect(machines).toHaveLength(2);
    const definition = JSON.parse(String(machines[0]!.input['definition']));
    const task = definition.States.RunShellCommand.Parameters;
    expect(task.DocumentName).toBe('SfnRunCommandByInstanceIds');
    expect(task.Parameters.InstanceIds).toEqual(['i-0123456789abcdef0']);
    expect(task.Parameters.Commands[1]).toBe('sleep 1');
    expect(machines[0]!.input['roleArn']).toMatch(/:role\/sample-StateMachineRole-/);
  });

  test('should refuse IAM resources without the capability, as CloudFormation does', async () => {
    const { cfn } = service();
    await expect(cfn.CreateStack({ StackName: 'x', TemplateBody: runbooksTemplate })).rejects.toThrow('Requires capabilities : [CAPABILITY_IAM]');
    // The original names its role (D5), so it needs CAPABILITY_NAMED_IAM.
    const error = await cfn.CreateStack({ StackName: 'o', TemplateBody: originalTemplate, Capabilities: ['CAPABILITY_IAM'] }).catch((e: unknown) => e);
    expect((error as ServiceError).name).toBe('InsufficientCapabilitiesException');
    expect((error as Error).message).toBe('Requires capabilities : [CAPABILITY_NAMED_IAM]');
  });

  test('should reject a missing parameter and an unsupported resource type by name', async () => {
    const { cfn } = service();
    await expect(cfn.CreateStack({ StackName: 's', TemplateBody: sampleTemplate, Capabilities: ['CAPABILITY_IAM'] })).rejects.toThrow('Parameters: [InstanceId] must have values');
    const queue = JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
    await expect(cfn.CreateStack({ StackName: 'q', TemplateBody: queue })).rejects.toThrow('Q (AWS::SQS::Queue)');
  });

  test('should fail the import when the exporting stack does not exist, and roll back', async () => {
    const { cfn } = service();
    await cfn.CreateStack({
      StackName: 'sample',
      TemplateBody: sampleTemplate,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: 'i-0123456789abcdef0' }],
    });
    const stack = await cfn.waitForStack('sample');
    expect(stack['StackStatus']).toBe('ROLLBACK_COMPLETE');
    const events = (await cfn.DescribeStackEvents({ StackName: 'sample' })).StackEvents;
    expect(events[0]!.ResourceStatus).toBe('ROLLBACK_COMPLETE');
    expect(events.some((e) => e.ResourceStatus === 'CREATE_FAILED' && /No export named shellstep-runbooks-ByInstanceIdsDocumentName found/.test(e.ResourceStatusReason ?? ''))).toBe(true);
  });

  test('should roll back created resources when a later one fails', async () => {
    const { cfn, calls } = service({ failOn: 'CreateStateMachine' });
    await cfn.CreateStack({ StackName: 'shellstep-runbooks', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] });
    await cfn.waitForStack('shellstep-runbooks');
    await cfn.CreateStack({
      StackName: 'sample',
      TemplateBody: sampleTemplate,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: 'i-0123456789abcdef0' }],
    });
    const stack = await cfn.waitForStack('sample');
    expect(stack['StackStatus']).toBe('ROLLBACK_COMPLETE');
    expect(stack['StackStatusReason']).toBe('The following resource(s) failed to create: [RunShellCommandJsonPath]. Rollback requested by user.');
    expect(calls.filter((c) => c.operation === 'DeleteStateMachine')).toHaveLength(0);
  });

  test('should update a NewVersion document in place and promote the new version', async () => {
    const { cfn, calls } = service();
    await cfn.CreateStack({ StackName: 'rb', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] });
    await cfn.waitForStack('rb');
    const changed = JSON.parse(runbooksTemplate);
    changed.Resources.SfnRunCommandByInstanceIds.Properties.Content.description = 'changed';
    await cfn.UpdateStack({ StackName: 'rb', TemplateBody: JSON.stringify(changed), Capabilities: ['CAPABILITY_IAM'] });
    expect((await cfn.waitForStack('rb'))['StackStatus']).toBe('UPDATE_COMPLETE');
    expect(calls.filter((c) => c.operation === 'UpdateDocument').map((c) => c.input['Name'])).toEqual(['SfnRunCommandByInstanceIds']);
    expect(calls.at(-1)).toMatchObject({ operation: 'UpdateDocumentDefaultVersion', input: { Name: 'SfnRunCommandByInstanceIds', DocumentVersion: '2' } });
    await expect(cfn.UpdateStack({ StackName: 'rb', TemplateBody: JSON.stringify(changed), Capabilities: ['CAPABILITY_IAM'] })).rejects.toThrow('No updates are to be performed.');
  });

  test('should fail an update that needs to replace a custom-named document (D6)', async () => {
    const { cfn } = service();
    const original = JSON.parse(originalTemplate);
    delete original.Resources.SSMSyncRole.Properties.RoleName;
    await cfn.CreateStack({ StackName: 'orig', TemplateBody: JSON.stringify(original), Capabilities: ['CAPABILITY_IAM'] });
    expect((await cfn.waitForStack('orig'))['StackStatus']).toBe('CREATE_COMPLETE');
    original.Resources.SfnRunCommandByInstanceIds.Properties.Content.description = 'changed';
    await cfn.UpdateStack({ StackName: 'orig', TemplateBody: JSON.stringify(original), Capabilities: ['CAPABILITY_IAM'] });
    const stack = await cfn.waitForStack('orig');
    expect(stack['StackStatus']).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(String(stack['StackStatusReason'])).toContain('Rename SfnRunCommandByInstanceIds and update the stack again.');
  });

  test('should refuse to delete a stack whose export another stack imports, then delete in order', async () => {
    const { cfn, calls } = service();
    await cfn.CreateStack({ StackName: 'shellstep-runbooks', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] });
    await cfn.waitForStack('shellstep-runbooks');
    await cfn.CreateStack({ StackName: 'sample', TemplateBody: sampleTemplate, Capabilities: ['CAPABILITY_IAM'], Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: 'i-0123456789abcdef0' }] });
    await cfn.waitForStack('sample');
    await cfn.DeleteStack({ StackName: 'shellstep-runbooks' });
    const blocked = await cfn.waitForStack('shellstep-runbooks');
    expect(blocked['StackStatus']).toBe('DELETE_FAILED');
    expect(blocked['StackStatusReason']).toBe('Export shellstep-runbooks-ByInstanceIdsDocumentName cannot be deleted as it is in use by sample');
    await cfn.DeleteStack({ StackName: 'sample' });
    await cfn.waitForStack('sample');
    expect(calls.filter((c) => c.operation === 'DeleteStateMachine')).toHaveLength(2);
    await expect(cfn.DescribeStacks({ StackName: 'sample' })).rejects.toThrow('Stack with id sample does not exist');
  });
});

describe('CloudFormation responses as AWS shapes them', () => {
  test('should give every stack event a PhysicalResourceId, "" before the resource exists', async () => {
    const { cfn } = service();
    await cfn.CreateStack({ StackName: 'events', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] });
    await cfn.waitForStack('events');
    const events = (await cfn.DescribeStackEvents({ StackName: 'events' })).StackEvents;
    expect(events.every((e) => typeof e.PhysicalResourceId === 'string')).toBe(true);
    const resourceStarts = events.filter((e) => e.ResourceStatus === 'CREATE_IN_PROGRESS' && e.ResourceType !== 'AWS::CloudFormation::Stack');
    expect(resourceStarts.length).toBeGreaterThan(0);
    expect(resourceStarts.every((e) => e.PhysicalResourceId === '')).toBe(true);
    const done = events.filter((e) => e.ResourceStatus === 'CREATE_COMPLETE' && e.ResourceType !== 'AWS::CloudFormation::Stack');
    expect(done.every((e) => e.PhysicalResourceId !== '')).toBe(true);
  });

  test("should list stacks with their template's description, filtered by status", async () => {
    const { cfn } = service();
    await cfn.CreateStack({ StackName: 'described', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] });
    await cfn.waitForStack('described');
    const description = JSON.parse(runbooksTemplate).Description as string;
    const [summary] = (await cfn.ListStacks({ StackStatusFilter: ['CREATE_COMPLETE'] })).StackSummaries;
    expect(summary).toMatchObject({ StackName: 'described', TemplateDescription: description, StackStatus: 'CREATE_COMPLETE', DriftInformation: { StackDriftStatus: 'NOT_CHECKED' } });
    expect((await cfn.ListStacks({ StackStatusFilter: ['DELETE_COMPLETE'] })).StackSummaries).toEqual([]);
    expect((await cfn.DescribeStacks({ StackName: 'described' })).Stacks[0]).toMatchObject({
      NotificationARNs: [],
      RollbackConfiguration: {},
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    });
  });
});

describe('GetTemplate, ListExports, ListImports', () => {
  test('should return the template as submitted (Original) or as the engine read it (Processed), for a stack or a change set', async () => {
    const { cfn } = service();
    const yaml = 'Description: yaml stack\nResources:\n  Doc:\n    Type: AWS::SSM::Document\n    Properties:\n      DocumentType: Automation\n      Content:\n        schemaVersion: "0.3"\n        description: !Sub "in ${AWS::Region}"\n        mainSteps: [{name: W, action: "aws:sleep", inputs: {Duration: PT1S}}]\n';
    await cfn.CreateStack({ StackName: 'y', TemplateBody: yaml });
    await cfn.waitForStack('y');
    expect(await cfn.GetTemplate({ StackName: 'y' })).toEqual({ TemplateBody: yaml, StagesAvailable: ['Original', 'Processed'] });
    const processed = JSON.parse((await cfn.GetTemplate({ StackName: 'y', TemplateStage: 'Processed' })).TemplateBody);
    expect(processed.Resources.Doc.Properties.Content.description).toEqual({ 'Fn::Sub': 'in ${AWS::Region}' });
    const changed = yaml.replace('yaml stack', 'changed');
    const { Id } = await cfn.CreateChangeSet({ StackName: 'y', ChangeSetName: 'cs', TemplateBody: changed });
    expect((await cfn.GetTemplate({ ChangeSetName: Id })).TemplateBody).toBe(changed);
    expect((await cfn.GetTemplate({ ChangeSetName: 'cs', StackName: 'y' })).TemplateBody).toBe(changed);
    await expect(cfn.GetTemplate({ ChangeSetName: 'cs' })).rejects.toThrow('StackName is a required parameter.');
    await expect(cfn.GetTemplate({})).rejects.toThrow('StackName is required if ChangeSetName is not specified.');
    await expect(cfn.GetTemplate({ StackName: 'does-not-exist' })).rejects.toThrow('Stack with id does-not-exist does not exist');
    await expect(cfn.GetTemplate({ StackName: 'y', TemplateStage: 'Final' })).rejects.toThrow("Value 'Final' at 'templateStage'");
  });

  test('should list exports with their stacks, and the stacks that import one', async () => {
    const { cfn } = service();
    await cfn.CreateStack({ StackName: 'shellstep-runbooks', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] });
    const { StackId } = (await cfn.DescribeStacks({ StackName: 'shellstep-runbooks' })).Stacks[0] as { StackId: string };
    await cfn.waitForStack('shellstep-runbooks');
    const { Exports } = await cfn.ListExports();
    expect(Exports.map((e) => e['Name'])).toEqual(['shellstep-runbooks-ByInstanceIdsDocumentName', 'shellstep-runbooks-ByTargetsDocumentName', 'shellstep-runbooks-RunbookRoleArn']);
    expect(Exports[0]).toEqual({ ExportingStackId: StackId, Name: 'shellstep-runbooks-ByInstanceIdsDocumentName', Value: 'SfnRunCommandByInstanceIds' });
    await expect(cfn.ListImports({ ExportName: 'shellstep-runbooks-ByTargetsDocumentName' })).rejects.toThrow("Export 'shellstep-runbooks-ByTargetsDocumentName' is not imported by any stack.");
    await cfn.CreateStack({ StackName: 'sample', TemplateBody: sampleTemplate, Capabilities: ['CAPABILITY_IAM'], Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: 'i-0123456789abcdef0' }] });
    await cfn.waitForStack('sample');
    expect(await cfn.ListImports({ ExportName: 'shellstep-runbooks-ByInstanceIdsDocumentName' })).toEqual({ Imports: ['sample'] });
    await cfn.DeleteStack({ StackName: 'sample' });
    await cfn.waitForStack('sample');
    await expect(cfn.ListImports({ ExportName: 'shellstep-runbooks-ByInstanceIdsDocumentName' })).rejects.toThrow('is not imported by any stack.');
  });
});
