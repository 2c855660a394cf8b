/** The CloudFormation operations through the query protocol, with the AWS SDK v3 client as the caller. */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  AlreadyExistsException,
  ChangeSetNotFoundException,
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  InsufficientCapabilitiesException,
  InvalidChangeSetStatusException,
  ListChangeSetsCommand,
  ListExportsCommand,
  ListImportsCommand,
  ListStackResourcesCommand,
  ValidateTemplateCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import { useLocalEndpoint } from '../../helpers/local-endpoint.js';
import { sigv4FormHeaders } from '../../helpers/sigv4.js';

const root = new URL('../../../', import.meta.url).pathname;
const runbooksTemplate = readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8');
const sampleTemplate = readFileSync(`${root}cloudformation/sample-state-machine.cfn.json`, 'utf8');

const local = useLocalEndpoint();

function client(): CloudFormationClient {
  return new CloudFormationClient({ endpoint: local.endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'any', secretAccessKey: 'any' } });
}

async function raw(body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(local.endpoint.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sigv4FormHeaders('cloudformation') }, body });
  return { status: response.status, text: await response.text() };
}

describe('CloudFormation change sets and read APIs through the SDK v3 client', () => {
  test('should deploy with change sets, with waiters that see the final status on their first poll', async () => {
    const cfn = client();
    // The waiters below wait 30 s between polls by default: this test passing in its time budget shows the
    // endpoint answered the operations that start work after the work had ended.
    const created = await cfn.send(new CreateChangeSetCommand({ StackName: 'shellstep-runbooks', ChangeSetName: 'first', ChangeSetType: 'CREATE', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'], Tags: [] }));
    await waitUntilChangeSetCreateComplete({ client: cfn, maxWaitTime: 120 }, { ChangeSetName: created.Id! });
    const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: 'first', StackName: 'shellstep-runbooks' }));
    expect(described).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', NotificationARNs: [], RollbackConfiguration: {}, Capabilities: ['CAPABILITY_IAM'], IncludeNestedStacks: false });
    expect(described.Changes?.map((c) => [c.Type, c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId, c.ResourceChange?.Scope, c.ResourceChange?.Details])).toEqual([
      ['Resource', 'Add', 'SSMSyncRole', [], []],
      ['Resource', 'Add', 'SfnRunCommandByInstanceIds', [], []],
      ['Resource', 'Add', 'SfnRunCommandByTargets', [], []],
    ]);
    expect((await cfn.send(new DescribeStacksCommand({ StackName: 'shellstep-runbooks' }))).Stacks?.[0]?.StackStatus).toBe('REVIEW_IN_PROGRESS');
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: created.Id }));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 120 }, { StackName: 'shellstep-runbooks' });

    const sample = await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'sample',
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: sampleTemplate,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: local.instanceId }],
      }),
    );
    await waitUntilChangeSetCreateComplete({ client: cfn, maxWaitTime: 120 }, { ChangeSetName: sample.Id! });
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: 'first', StackName: 'sample' }));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 120 }, { StackName: 'sample' });

    const update = await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'sample',
        ChangeSetName: 'sleep-less',
        UsePreviousTemplate: true,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [{ ParameterKey: 'InstanceId', UsePreviousValue: true }, { ParameterKey: 'SleepSeconds', ParameterValue: '1' }],
      }),
    );
    await waitUntilChangeSetCreateComplete({ client: cfn, maxWaitTime: 120 }, { ChangeSetName: update.Id! });
    const updateChanges = (await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: update.Id, IncludePropertyValues: true }))).Changes ?? [];
    expect(updateChanges.map((c) => c.ResourceChange?.Details?.map((d) => [d.ChangeSource, d.Evaluation, d.CausingEntity, d.Target?.Name, d.Target?.RequiresRecreation]))).toEqual([
      [
        ['ParameterReference', 'Static', 'SleepSeconds', 'DefinitionSubstitutions', 'Never'],
        ['DirectModification', 'Dynamic', undefined, 'DefinitionSubstitutions', 'Never'],
      ],
      [
        ['ParameterReference', 'Static', 'SleepSeconds', 'DefinitionSubstitutions', 'Never'],
        ['DirectModification', 'Dynamic', undefined, 'DefinitionSubstitutions', 'Never'],
      ],
    ]);
    expect(JSON.parse(updateChanges[0]!.ResourceChange!.AfterContext!).Properties.DefinitionSubstitutions.SleepSeconds).toBe('1');
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: update.Id }));
    await waitUntilStackUpdateComplete({ client: cfn, maxWaitTime: 120 }, { StackName: 'sample' });
    expect((await cfn.send(new ListChangeSetsCommand({ StackName: 'sample' }))).Summaries?.map((s) => [s.ChangeSetName, s.ExecutionStatus, s.Status])).toEqual([['sleep-less', 'EXECUTE_COMPLETE', 'CREATE_COMPLETE']]);

    const resources = await cfn.send(new ListStackResourcesCommand({ StackName: 'sample' }));
    expect(resources.StackResourceSummaries?.map((r) => [r.LogicalResourceId, r.ResourceStatus, r.DriftInformation?.StackResourceDriftStatus])).toEqual([
      ['RunShellCommandJsonPath', 'UPDATE_COMPLETE', 'NOT_CHECKED'],
      ['RunShellCommandJsonata', 'UPDATE_COMPLETE', 'NOT_CHECKED'],
      ['StateMachineRole', 'CREATE_COMPLETE', 'NOT_CHECKED'],
    ]);
    expect(resources.StackResourceSummaries?.[0]?.LastUpdatedTimestamp).toBeInstanceOf(Date);
    const detail = (await cfn.send(new DescribeStackResourceCommand({ StackName: 'sample', LogicalResourceId: 'StateMachineRole' }))).StackResourceDetail;
    expect(detail).toMatchObject({ StackName: 'sample', ResourceType: 'AWS::IAM::Role', Metadata: '{}' });
    const all = await cfn.send(new DescribeStackResourcesCommand({ PhysicalResourceId: detail!.PhysicalResourceId }));
    expect(all.StackResources?.map((r) => r.LogicalResourceId)).toEqual(['RunShellCommandJsonPath', 'RunShellCommandJsonata', 'StateMachineRole']);

    const template = await cfn.send(new GetTemplateCommand({ StackName: 'sample' }));
    expect(template).toMatchObject({ TemplateBody: sampleTemplate, StagesAvailable: ['Original', 'Processed'] });
    const summary = await cfn.send(new GetTemplateSummaryCommand({ StackName: 'sample' }));
    expect(summary).toMatchObject({ Capabilities: ['CAPABILITY_IAM'], ResourceTypes: ['AWS::IAM::Role', 'AWS::StepFunctions::StateMachine'], Version: '2010-09-09' });
    expect(summary.Parameters?.map((p) => [p.ParameterKey, p.DefaultValue, p.NoEcho])).toEqual([
      ['InstanceId', undefined, false],
      ['RunbooksStackName', 'shellstep-runbooks', false],
      ['SleepSeconds', '100', false],
    ]);
    const validated = await cfn.send(new ValidateTemplateCommand({ TemplateBody: runbooksTemplate }));
    expect(validated).toMatchObject({ Capabilities: ['CAPABILITY_IAM'], Parameters: [{ ParameterKey: 'DocumentNamePrefix', DefaultValue: '', NoEcho: false }] });
    expect((await cfn.send(new ListExportsCommand({}))).Exports?.map((e) => e.Name)).toEqual([
      'shellstep-runbooks-ByInstanceIdsDocumentName',
      'shellstep-runbooks-ByTargetsDocumentName',
      'shellstep-runbooks-RunbookRoleArn',
    ]);
    expect((await cfn.send(new ListImportsCommand({ ExportName: 'shellstep-runbooks-ByInstanceIdsDocumentName' }))).Imports).toEqual(['sample']);
    cfn.destroy();
  });

  test('should surface each AWS error as the SDK error class of that name', async () => {
    const cfn = client();
    const noCapability = await cfn.send(new CreateChangeSetCommand({ StackName: 'errors', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: runbooksTemplate })).catch((e: unknown) => e);
    expect(noCapability).toBeInstanceOf(InsufficientCapabilitiesException);
    const created = await cfn.send(new CreateChangeSetCommand({ StackName: 'errors', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'], Parameters: [{ ParameterKey: 'DocumentNamePrefix', ParameterValue: 'Err' }] }));
    const mismatch = await cfn.send(new CreateChangeSetCommand({ StackName: 'errors', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] })).catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(AlreadyExistsException);
    expect((mismatch as Error).message).toBe('ChangeSet c cannot be created due to a mismatch with existing attribute Parameters');
    const missing = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: 'nope', StackName: 'errors' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ChangeSetNotFoundException);
    expect(missing).toMatchObject({ message: 'ChangeSet [nope] does not exist', $metadata: { httpStatusCode: 404 } });
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: created.Id }));
    const again = await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: created.Id })).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(InvalidChangeSetStatusException);
    const noStack = await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: 'c', StackName: 'nostack' })).catch((e: unknown) => e);
    expect(noStack).toMatchObject({ name: 'ValidationError', message: 'Stack [nostack] does not exist', $metadata: { httpStatusCode: 400 } });
    const taken = await cfn.send(new CreateStackCommand({ StackName: 'errors', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'] })).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(AlreadyExistsException);
    cfn.destroy();
  });

  test('should refuse hostile query strings with a 400 and keep serving', async () => {
    const polluted = await raw('Action=ListExports&Version=2010-05-15&__proto__.polluted=yes');
    expect(polluted.status).toBe(400);
    expect(polluted.text).toContain('<Code>ValidationError</Code>');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const constructor = await raw('Action=ListExports&Version=2010-05-15&NextToken.constructor.prototype.x=1');
    expect(constructor.status).toBe(400);
    const sparse = await raw('Action=CreateStack&Version=2010-05-15&StackName=s&Parameters.member.4294967295.ParameterKey=A');
    expect(sparse.status).toBe(400);
    const nested = await raw('Action=CreateStack&Version=2010-05-15&StackName=s&Capabilities=x&Capabilities.member.1=y');
    expect(nested.status).toBe(400);
    const unknown = await raw('Action=CreateStackSet&Version=2010-05-15');
    expect(unknown.text).toContain('<Code>InvalidAction</Code>');
    // Characters XML cannot carry come back replaced, in a response the SDK still parses.
    const cfn = client();
    const weird = 'tab\there \u0001 & <b>"quoted"</b> \r\nend';
    const created = await cfn.send(new CreateChangeSetCommand({ StackName: 'weird', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: runbooksTemplate, Capabilities: ['CAPABILITY_IAM'], Description: weird }));
    expect((await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: created.Id }))).Description).toBe('tab\there \uFFFD & <b>"quoted"</b> \r\nend');
    expect((await cfn.send(new ListExportsCommand({}))).Exports).toBeDefined();
    cfn.destroy();
  });
});
