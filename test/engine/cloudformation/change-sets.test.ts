import { afterEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { LocalEngine } from '../../../src/engine/local-engine.js';
import { NO_CHANGES_REASON } from '../../../src/engine/cloudformation/change-sets.js';
import type { CreateChangeSetInput } from '../../../src/engine/cloudformation/cloudformation-service.js';
import type { JsonObject } from '../../../src/model/json.js';

const root = new URL('../../../', import.meta.url).pathname;
const runbooksTemplate = readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8');
const sampleTemplate = readFileSync(`${root}cloudformation/sample-state-machine.cfn.json`, 'utf8');

const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

/** A role and a state machine that reads the role's Arn and a parameter; `edit` changes the template. */
function machineTemplate(edit: (t: any) => void = () => undefined): string {
  const template: any = {
    Parameters: { Greeting: { Type: 'String', Default: 'hello' }, WithQueue: { Type: 'String', Default: 'yes' } },
    Conditions: { Queued: { 'Fn::Equals': [{ Ref: 'WithQueue' }, 'yes'] } },
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Definition: { StartAt: 'P', States: { P: { Type: 'Pass', Result: '${Greeting}', End: true } } },
          DefinitionSubstitutions: { Greeting: { Ref: 'Greeting' } },
        },
      },
      Extra: { Type: 'AWS::IAM::Role', Condition: 'Queued', Properties: { AssumeRolePolicyDocument: trust } },
    },
    Outputs: { MachineArn: { Value: { Ref: 'Machine' } } },
  };
  edit(template);
  return JSON.stringify(template);
}

let engine: LocalEngine;
afterEach(async () => {
  await engine?.close();
});

function start() {
  engine = new LocalEngine({ clock: 'fast' });
  return engine.cloudformation;
}

async function createChangeSet(input: CreateChangeSetInput) {
  const cfn = engine.cloudformation;
  const out = await cfn.CreateChangeSet({ Capabilities: ['CAPABILITY_IAM'], ...input });
  await cfn.waitForChangeSet(out.Id);
  return { ...out, described: await cfn.DescribeChangeSet({ ChangeSetName: out.Id }) };
}

async function deployed(template = machineTemplate(), parameters: CreateChangeSetInput['Parameters'] = []) {
  const cfn = start();
  const created = await createChangeSet({ StackName: 'app', ChangeSetName: 'initial', ChangeSetType: 'CREATE', TemplateBody: template, Parameters: parameters });
  await cfn.ExecuteChangeSet({ ChangeSetName: created.Id });
  expect((await cfn.waitForStack('app'))['StackStatus']).toBe('CREATE_COMPLETE');
  return cfn;
}

const changes = (described: JsonObject) => (described['Changes'] as Array<{ ResourceChange: JsonObject }>).map((c) => c.ResourceChange);

describe('a CREATE change set', () => {
  test('should make the stack in REVIEW_IN_PROGRESS, list every resource as Add, and create them when executed', async () => {
    const cfn = start();
    const out = await cfn.CreateChangeSet({ StackName: 'app', ChangeSetName: 'first', ChangeSetType: 'CREATE', TemplateBody: machineTemplate(), Capabilities: ['CAPABILITY_IAM'], Description: 'initial' });
    expect(out.Id).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:changeSet\/first\/[0-9a-f-]{36}$/);
    expect(out.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/app\/[0-9a-f-]{36}$/);
    // CreateChangeSet answers before the change set is worked out.
    const pending = await cfn.DescribeChangeSet({ ChangeSetName: 'first', StackName: 'app' });
    expect([pending['Status'], pending['ExecutionStatus']]).toEqual(['CREATE_PENDING', 'UNAVAILABLE']);
    const [review] = (await cfn.DescribeStacks({ StackName: 'app' })).Stacks;
    expect(review).toMatchObject({ StackStatus: 'REVIEW_IN_PROGRESS', StackStatusReason: 'User Initiated' });
    expect(review).not.toHaveProperty('Parameters');
    expect((await cfn.DescribeStackEvents({ StackName: 'app' })).StackEvents.map((e) => [e.ResourceStatus, e.ResourceStatusReason])).toEqual([['REVIEW_IN_PROGRESS', 'User Initiated']]);
    await expect(cfn.GetTemplateSummary({ StackName: 'app' })).rejects.toThrow('GetTemplateSummary cannot be called on REVIEW_IN_PROGRESS stacks.');

    await cfn.waitForChangeSet(out.Id);
    const described = await cfn.DescribeChangeSet({ ChangeSetName: 'first', StackName: 'app' });
    expect(described).toMatchObject({
      ChangeSetName: 'first',
      ChangeSetId: out.Id,
      StackId: out.StackId,
      StackName: 'app',
      Description: 'initial',
      Parameters: [
        { ParameterKey: 'Greeting', ParameterValue: 'hello' },
        { ParameterKey: 'WithQueue', ParameterValue: 'yes' },
      ],
      ExecutionStatus: 'AVAILABLE',
      Status: 'CREATE_COMPLETE',
      NotificationARNs: [],
      RollbackConfiguration: {},
      Capabilities: ['CAPABILITY_IAM'],
      IncludeNestedStacks: false,
    });
    expect(described).not.toHaveProperty('StatusReason');
    // Sorted by logical id; an addition has no physical id, replacement, scope or details.
    expect(described['Changes']).toEqual([
      { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Extra', ResourceType: 'AWS::IAM::Role', Scope: [], Details: [] } },
      { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Machine', ResourceType: 'AWS::StepFunctions::StateMachine', Scope: [], Details: [] } },
      { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Role', ResourceType: 'AWS::IAM::Role', Scope: [], Details: [] } },
    ]);
    expect((await cfn.ListChangeSets({ StackName: 'app' })).Summaries).toEqual([
      { StackId: out.StackId, StackName: 'app', ChangeSetId: out.Id, ChangeSetName: 'first', ExecutionStatus: 'AVAILABLE', Status: 'CREATE_COMPLETE', CreationTime: expect.any(Date), Description: 'initial', IncludeNestedStacks: false },
    ]);

    await cfn.ExecuteChangeSet({ ChangeSetName: 'first', StackName: 'app' });
    const stack = await cfn.waitForStack('app');
    expect(stack).toMatchObject({ StackStatus: 'CREATE_COMPLETE', ChangeSetId: out.Id, StackId: out.StackId });
    expect(stack).toHaveProperty('LastUpdatedTime');
    expect(stack).not.toHaveProperty('StackStatusReason');
    const statuses = (await cfn.DescribeStackEvents({ StackName: 'app' })).StackEvents.filter((e) => e.LogicalResourceId === 'app').map((e) => e.ResourceStatus);
    expect(statuses).toEqual(['CREATE_COMPLETE', 'CREATE_IN_PROGRESS', 'REVIEW_IN_PROGRESS']);
    expect((await cfn.DescribeChangeSet({ ChangeSetName: out.Id }))['ExecutionStatus']).toBe('EXECUTE_COMPLETE');
    const machineArn = cfn.physicalId('app', 'Machine')!;
    expect((await engine.sfn.DescribeStateMachine({ stateMachineArn: machineArn })).definition).toContain('"Result":"hello"');
  });

  test('should refuse a stack that exists, a bad name, IMPORT, and IAM resources without the capability', async () => {
    const cfn = await deployed();
    await expect(cfn.CreateChangeSet({ StackName: 'app', ChangeSetName: 'again', ChangeSetType: 'CREATE', TemplateBody: machineTemplate(), Capabilities: ['CAPABILITY_IAM'] })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack [app] already exists and cannot be created again with the changeSet [again].',
    });
    await expect(cfn.CreateChangeSet({ StackName: 'app', ChangeSetName: '1bad', TemplateBody: machineTemplate() })).rejects.toThrow(
      "1 validation error detected: Value '1bad' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*",
    );
    await expect(cfn.CreateChangeSet({ StackName: 'app', ChangeSetName: 'imp', ChangeSetType: 'IMPORT', TemplateBody: machineTemplate() })).rejects.toThrow('ChangeSetType IMPORT');
    await expect(cfn.CreateChangeSet({ StackName: 'app', ChangeSetName: 'x', ChangeSetType: 'MERGE', TemplateBody: machineTemplate() })).rejects.toThrow(
      "Value 'MERGE' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]",
    );
    await expect(cfn.CreateChangeSet({ StackName: 'new', ChangeSetName: 'x', ChangeSetType: 'CREATE', TemplateBody: machineTemplate() })).rejects.toMatchObject({
      name: 'InsufficientCapabilitiesException',
      message: 'Requires capabilities : [CAPABILITY_IAM]',
    });
    // Nothing was made for the refused request.
    await expect(cfn.DescribeStacks({ StackName: 'new' })).rejects.toThrow('Stack with id new does not exist');
    await expect(cfn.CreateChangeSet({ StackName: 'new', ChangeSetName: 'x', ChangeSetType: 'CREATE', TemplateURL: 'https://s3.amazonaws.com/b/t.json' })).rejects.toThrow('TemplateURL is not supported');
  });

  test('should roll the stack back and report EXECUTE_FAILED when a resource fails, or leave it CREATE_FAILED or delete it as OnStackFailure says', async () => {
    const broken = machineTemplate((t) => (t.Resources.Machine.Properties.Definition = { StartAt: 'Missing', States: { P: { Type: 'Pass', End: true } } }));
    const cfn = start();
    const rollback = await createChangeSet({ StackName: 'rb', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: broken });
    await cfn.ExecuteChangeSet({ ChangeSetName: rollback.Id });
    expect((await cfn.waitForStack('rb'))['StackStatus']).toBe('ROLLBACK_COMPLETE');
    expect((await cfn.DescribeChangeSet({ ChangeSetName: rollback.Id }))['ExecutionStatus']).toBe('EXECUTE_FAILED');
    expect((await cfn.ListStackResources({ StackName: 'rb' })).StackResourceSummaries).toEqual([]);

    const keep = await createChangeSet({ StackName: 'keep', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: broken, OnStackFailure: 'DO_NOTHING' });
    expect(keep.described['OnStackFailure']).toBe('DO_NOTHING');
    await cfn.ExecuteChangeSet({ ChangeSetName: keep.Id });
    expect(await cfn.waitForStack('keep')).toMatchObject({ StackStatus: 'CREATE_FAILED', DisableRollback: true });
    const failed = (await cfn.ListStackResources({ StackName: 'keep' })).StackResourceSummaries.find((r) => r['LogicalResourceId'] === 'Machine');
    expect(failed).toMatchObject({ ResourceStatus: 'CREATE_FAILED', ResourceType: 'AWS::StepFunctions::StateMachine' });

    const gone = await createChangeSet({ StackName: 'gone', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: broken, OnStackFailure: 'DELETE' });
    await cfn.ExecuteChangeSet({ ChangeSetName: gone.Id });
    expect((await cfn.waitForStack(gone.StackId))['StackStatus']).toBe('DELETE_COMPLETE');
    await expect(cfn.DescribeStacks({ StackName: 'gone' })).rejects.toThrow('Stack with id gone does not exist');
  });
});

describe('an UPDATE change set', () => {
  test('should report a parameter change as AWS does: ParameterReference, then a dynamic direct modification', async () => {
    const cfn = await deployed();
    const { described, Id } = await createChangeSet({ StackName: 'app', ChangeSetName: 'greet', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'Greeting', ParameterValue: 'hi' }] });
    const machineArn = cfn.physicalId('app', 'Machine');
    expect(changes(described)).toEqual([
      {
        Action: 'Modify',
        LogicalResourceId: 'Machine',
        PhysicalResourceId: machineArn,
        ResourceType: 'AWS::StepFunctions::StateMachine',
        Replacement: 'False',
        Scope: ['Properties'],
        Details: [
          { Target: { Attribute: 'Properties', Name: 'DefinitionSubstitutions', RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'ParameterReference', CausingEntity: 'Greeting' },
          { Target: { Attribute: 'Properties', Name: 'DefinitionSubstitutions', RequiresRecreation: 'Never' }, Evaluation: 'Dynamic', ChangeSource: 'DirectModification' },
        ],
      },
    ]);
    await cfn.ExecuteChangeSet({ ChangeSetName: Id });
    expect((await cfn.waitForStack('app'))['StackStatus']).toBe('UPDATE_COMPLETE');
    expect(cfn.physicalId('app', 'Machine')).toBe(machineArn);
    expect((await engine.sfn.DescribeStateMachine({ stateMachineArn: machineArn! })).definition).toContain('"Result":"hi"');
  });

  test('should replace a resource whose replacing property changed, and show its dependents through the attribute they read', async () => {
    const cfn = await deployed();
    const oldRole = cfn.physicalId('app', 'Role');
    const { described, Id } = await createChangeSet({ StackName: 'app', ChangeSetName: 'path', TemplateBody: machineTemplate((t) => (t.Resources.Role.Properties.Path = '/apps/')) });
    expect(changes(described)).toEqual([
      {
        Action: 'Modify',
        LogicalResourceId: 'Machine',
        PhysicalResourceId: cfn.physicalId('app', 'Machine'),
        ResourceType: 'AWS::StepFunctions::StateMachine',
        Replacement: 'False',
        Scope: ['Properties'],
        Details: [{ Target: { Attribute: 'Properties', Name: 'RoleArn', RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'ResourceAttribute', CausingEntity: 'Role.Arn' }],
      },
      {
        Action: 'Modify',
        LogicalResourceId: 'Role',
        PhysicalResourceId: oldRole,
        ResourceType: 'AWS::IAM::Role',
        Replacement: 'True',
        Scope: ['Properties'],
        Details: [{ Target: { Attribute: 'Properties', Name: 'Path', RequiresRecreation: 'Always' }, Evaluation: 'Static', ChangeSource: 'DirectModification' }],
        PolicyAction: 'ReplaceAndDelete',
      },
    ]);
    const withValues = await cfn.DescribeChangeSet({ ChangeSetName: Id, IncludePropertyValues: true });
    const machine = changes(withValues).find((c) => c['LogicalResourceId'] === 'Machine')!;
    expect(JSON.parse(String(machine['AfterContext'])).Properties.RoleArn).toBe('{{changeSet:KNOWN_AFTER_APPLY}}');
    expect((machine['Details'] as JsonObject[])[0]!['Target']).toMatchObject({ Path: '/Properties/RoleArn', AfterValue: '{{changeSet:KNOWN_AFTER_APPLY}}', AttributeChangeType: 'Modify' });

    await cfn.ExecuteChangeSet({ ChangeSetName: Id });
    expect((await cfn.waitForStack('app'))['StackStatus']).toBe('UPDATE_COMPLETE');
    expect(cfn.physicalId('app', 'Role')).not.toBe(oldRole);
    const roleArn = engine.roles.byName(cfn.physicalId('app', 'Role')!)!.arn;
    expect(roleArn).toContain(':role/apps/');
    expect((await engine.sfn.DescribeStateMachine({ stateMachineArn: cfn.physicalId('app', 'Machine')! })).roleArn).toBe(roleArn);
  });

  test('should mark an attribute of a resource updated in place as known only at run time (Dynamic), and not touch the reader when it stays the same', async () => {
    const cfn = await deployed();
    const { described, Id } = await createChangeSet({ StackName: 'app', ChangeSetName: 'desc', TemplateBody: machineTemplate((t) => (t.Resources.Role.Properties.Description = 'described')) });
    expect(changes(described).map((c) => [c['LogicalResourceId'], c['Replacement'], (c['Details'] as JsonObject[]).map((d) => [d['ChangeSource'], d['Evaluation'], d['CausingEntity'] ?? null])])).toEqual([
      ['Machine', 'False', [['ResourceAttribute', 'Dynamic', 'Role.Arn']]],
      ['Role', 'False', [['DirectModification', 'Static', null]]],
    ]);
    await cfn.ExecuteChangeSet({ ChangeSetName: Id });
    expect((await cfn.waitForStack('app'))['StackStatus']).toBe('UPDATE_COMPLETE');
    const machineEvents = (await cfn.DescribeStackEvents({ StackName: 'app' })).StackEvents.filter((e) => e.LogicalResourceId === 'Machine');
    expect(machineEvents.map((e) => e.ResourceStatus)).toEqual(['CREATE_COMPLETE', 'CREATE_IN_PROGRESS']);
  });

  test('should report a resource a condition turns off as Remove, and delete it when executed', async () => {
    const cfn = await deployed();
    const extra = cfn.physicalId('app', 'Extra');
    const { described, Id } = await createChangeSet({ StackName: 'app', ChangeSetName: 'noq', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'WithQueue', ParameterValue: 'no' }] });
    expect(changes(described)).toEqual([
      { Action: 'Remove', LogicalResourceId: 'Extra', PhysicalResourceId: extra, ResourceType: 'AWS::IAM::Role', Scope: [], Details: [], PolicyAction: 'Delete' },
    ]);
    await cfn.ExecuteChangeSet({ ChangeSetName: Id });
    await cfn.waitForStack('app');
    expect(engine.roles.byName(extra!)).toBeUndefined();
    expect((await cfn.ListStackResources({ StackName: 'app' })).StackResourceSummaries.map((r) => r['LogicalResourceId'])).toEqual(['Machine', 'Role']);
    await expect(cfn.DescribeStackResource({ StackName: 'app', LogicalResourceId: 'Extra' })).rejects.toThrow('Resource Extra does not exist for stack app');
  });

  test('should call an SSM document content change Conditional (the specification says maybe: UpdateMethod decides)', async () => {
    const template = (description: string, method?: string) =>
      JSON.stringify({
        Resources: {
          Doc: {
            Type: 'AWS::SSM::Document',
            Properties: {
              DocumentType: 'Automation',
              ...(method === undefined ? {} : { UpdateMethod: method }),
              Content: { schemaVersion: '0.3', description, mainSteps: [{ name: 'Wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }] },
            },
          },
        },
      });
    const cfn = await deployed(template('one', 'NewVersion'));
    const name = cfn.physicalId('app', 'Doc');
    const { described, Id } = await createChangeSet({ StackName: 'app', ChangeSetName: 'two', TemplateBody: template('two', 'NewVersion') });
    expect(changes(described)[0]).toMatchObject({
      Action: 'Modify',
      Replacement: 'Conditional',
      Details: [{ Target: { Attribute: 'Properties', Name: 'Content', RequiresRecreation: 'Conditionally' }, Evaluation: 'Static', ChangeSource: 'DirectModification' }],
    });
    expect(changes(described)[0]).not.toHaveProperty('PolicyAction');
    // UpdateMethod NewVersion: executed in place, as a new default version of the same document.
    await cfn.ExecuteChangeSet({ ChangeSetName: Id });
    expect((await cfn.waitForStack('app'))['StackStatus']).toBe('UPDATE_COMPLETE');
    expect(cfn.physicalId('app', 'Doc')).toBe(name);
    expect((await engine.ssm.DescribeDocument({ Name: name! })).Document?.DefaultVersion).toBe('2');
  });

  test('should fail a change set that changes nothing with the reason `aws cloudformation deploy` looks for, and refuse to execute it', async () => {
    const cfn = await deployed();
    const { described, Id } = await createChangeSet({ StackName: 'app', ChangeSetName: 'same', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'Greeting', UsePreviousValue: true }] });
    expect(described).toMatchObject({ Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', StatusReason: NO_CHANGES_REASON, Changes: [] });
    expect(NO_CHANGES_REASON).toBe("The submitted information didn't contain changes. Submit different information to create a change set.");
    await expect(cfn.ExecuteChangeSet({ ChangeSetName: Id })).rejects.toMatchObject({
      name: 'InvalidChangeSetStatus',
      message: `ChangeSet [${Id}] cannot be executed in its current status of [FAILED]`,
    });
  });

  test('should create an executable change set with no resource changes when only the outputs change', async () => {
    const cfn = await deployed();
    const { described, Id } = await createChangeSet({ StackName: 'app', ChangeSetName: 'outs', TemplateBody: machineTemplate((t) => (t.Outputs.Greeting = { Value: { Ref: 'Greeting' } })) });
    expect(described).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [] });
    await cfn.ExecuteChangeSet({ ChangeSetName: Id });
    const stack = await cfn.waitForStack('app');
    expect(stack['StackStatus']).toBe('UPDATE_COMPLETE');
    expect(stack['Outputs']).toContainEqual({ OutputKey: 'Greeting', OutputValue: 'hello' });
  });

  test('should fail the change set with the resolver error when an import is missing', async () => {
    const cfn = start();
    const { described } = await createChangeSet({ StackName: 'sample', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: sampleTemplate, Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: 'i-0123456789abcdef0' }] });
    expect(described).toMatchObject({ Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', StatusReason: 'No export named shellstep-runbooks-ByInstanceIdsDocumentName found.' });
    expect((await cfn.DescribeStacks({ StackName: 'sample' })).Stacks[0]!['StackStatus']).toBe('REVIEW_IN_PROGRESS');
  });

  test('should refuse an update of a stack that does not exist or is still in review, and a resource type change', async () => {
    const cfn = await deployed();
    await expect(cfn.CreateChangeSet({ StackName: 'nope', ChangeSetName: 'c', TemplateBody: machineTemplate() })).rejects.toThrow('Stack [nope] does not exist');
    await cfn.CreateChangeSet({ StackName: 'review', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: machineTemplate(), Capabilities: ['CAPABILITY_IAM'] });
    await expect(cfn.CreateChangeSet({ StackName: 'review', ChangeSetName: 'd', TemplateBody: machineTemplate(), Capabilities: ['CAPABILITY_IAM'] })).rejects.toThrow('Stack [review] does not exist');
    const retyped = machineTemplate((t) => (t.Resources.Extra = { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [] } } }));
    await expect(cfn.CreateChangeSet({ StackName: 'app', ChangeSetName: 'retype', TemplateBody: retyped, Capabilities: ['CAPABILITY_IAM'] })).rejects.toThrow(
      'Update of resource type is not permitted. The new template modifies resource type of the following resources: [Extra]',
    );
  });
});

describe('change set names, statuses and lifetimes', () => {
  test('should return the same change set for the same request, and refuse a different one under the same name', async () => {
    const cfn = await deployed();
    const request = { StackName: 'app', ChangeSetName: 'greet', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'Greeting', ParameterValue: 'hi' }], Capabilities: ['CAPABILITY_IAM'] };
    const first = await cfn.CreateChangeSet(request);
    expect(await cfn.CreateChangeSet(request)).toEqual(first);
    await expect(cfn.CreateChangeSet({ ...request, TemplateBody: machineTemplate((t) => (t.Outputs = {})) })).rejects.toMatchObject({
      name: 'AlreadyExistsException',
      message: 'ChangeSet greet cannot be created due to a mismatch with existing attribute Template',
    });
    await expect(cfn.CreateChangeSet({ ...request, Parameters: [{ ParameterKey: 'Greeting', ParameterValue: 'hey' }] })).rejects.toThrow('mismatch with existing attribute Parameters');
  });

  test('should make change sets obsolete when the stack is updated directly, and delete the others when one is executed', async () => {
    const cfn = await deployed();
    const a = await createChangeSet({ StackName: 'app', ChangeSetName: 'a', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'Greeting', ParameterValue: 'a' }] });
    await cfn.UpdateStack({ StackName: 'app', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'Greeting', ParameterValue: 'direct' }], Capabilities: ['CAPABILITY_IAM'] });
    await cfn.waitForStack('app');
    expect((await cfn.DescribeChangeSet({ ChangeSetName: a.Id }))['ExecutionStatus']).toBe('OBSOLETE');
    await expect(cfn.ExecuteChangeSet({ ChangeSetName: a.Id })).rejects.toMatchObject({
      name: 'InvalidChangeSetStatus',
      message: `ChangeSet [${a.Id}] cannot be executed in its current execution status of [OBSOLETE]`,
    });

    const b = await createChangeSet({ StackName: 'app', ChangeSetName: 'b', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'Greeting', ParameterValue: 'b' }] });
    await createChangeSet({ StackName: 'app', ChangeSetName: 'c', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'Greeting', ParameterValue: 'c' }] });
    await cfn.ExecuteChangeSet({ ChangeSetName: 'b', StackName: 'app' });
    await cfn.waitForStack('app');
    expect((await cfn.ListChangeSets({ StackName: 'app' })).Summaries.map((s) => [s['ChangeSetName'], s['ExecutionStatus']])).toEqual([['b', 'EXECUTE_COMPLETE']]);
    await expect(cfn.DescribeChangeSet({ ChangeSetName: 'c', StackName: 'app' })).rejects.toMatchObject({ name: 'ChangeSetNotFound', message: 'ChangeSet [c] does not exist', httpStatusCode: 404 });
    await expect(cfn.ExecuteChangeSet({ ChangeSetName: b.Id })).rejects.toThrow('current execution status of [EXECUTE_COMPLETE]');
  });

  test('should find change sets by ARN or by name and stack, with AWS errors for everything else', async () => {
    const cfn = await deployed();
    const { Id } = await createChangeSet({ StackName: 'app', ChangeSetName: 'greet', TemplateBody: machineTemplate(), Parameters: [{ ParameterKey: 'Greeting', ParameterValue: 'hi' }] });
    expect((await cfn.DescribeChangeSet({ ChangeSetName: 'greet', StackName: 'app' }))['ChangeSetId']).toBe(Id);
    expect((await cfn.DescribeChangeSet({ ChangeSetName: 'greet', StackName: (await cfn.DescribeStacks({ StackName: 'app' })).Stacks[0]!['StackId'] as string }))['ChangeSetId']).toBe(Id);
    await expect(cfn.DescribeChangeSet({ ChangeSetName: 'greet' })).rejects.toThrow('StackName must be specified if ChangeSetName is not specified as an ARN.');
    await expect(cfn.DescribeChangeSet({ ChangeSetName: 'greet', StackName: 'somestack' })).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack [somestack] does not exist' });
    const missing = Id.replace(/[0-9a-f]{8}$/, '00000000');
    await expect(cfn.DescribeChangeSet({ ChangeSetName: missing })).rejects.toMatchObject({ name: 'ChangeSetNotFound', message: `ChangeSet [${missing}] does not exist` });

    // Deleting a name the stack does not have succeeds (the AWS CDK relies on it); an unknown ARN does not.
    await expect(cfn.DeleteChangeSet({ ChangeSetName: 'other', StackName: 'app' })).resolves.toEqual({});
    await expect(cfn.DeleteChangeSet({ ChangeSetName: missing })).rejects.toMatchObject({ name: 'ChangeSetNotFound' });
    await expect(cfn.DeleteChangeSet({ ChangeSetName: 'greet', StackName: 'nostack' })).rejects.toThrow('Stack [nostack] does not exist');
    await expect(cfn.DeleteChangeSet({ ChangeSetName: 'greet' })).rejects.toThrow('StackName must be specified if ChangeSetName is not specified as an ARN.');
    await cfn.DeleteChangeSet({ ChangeSetName: 'greet', StackName: 'app' });
    await expect(cfn.DescribeChangeSet({ ChangeSetName: Id })).rejects.toMatchObject({ name: 'ChangeSetNotFound', message: `ChangeSet [${Id}] does not exist` });
    expect((await cfn.ListChangeSets({ StackName: 'app' })).Summaries.map((s) => s['ChangeSetName'])).toEqual(['initial']);
  });

  test('should keep an executed change set readable by ARN after its stack is deleted', async () => {
    const cfn = await deployed();
    const ChangeSetId = String((await cfn.ListChangeSets({ StackName: 'app' })).Summaries[0]!['ChangeSetId']);
    await cfn.DeleteStack({ StackName: 'app' });
    await cfn.waitForStack('app');
    expect(await cfn.DescribeChangeSet({ ChangeSetName: ChangeSetId })).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'EXECUTE_COMPLETE' });
    // A new stack of the same name starts again with a CREATE change set.
    const again = await createChangeSet({ StackName: 'app', ChangeSetName: 'initial', ChangeSetType: 'CREATE', TemplateBody: machineTemplate() });
    expect(again.described['ExecutionStatus']).toBe('AVAILABLE');
  });

  test('should let CreateStack take over a stack in review, its change sets then obsolete', async () => {
    const cfn = start();
    const review = await createChangeSet({ StackName: 'app', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: machineTemplate() });
    const created = await cfn.CreateStack({ StackName: 'app', TemplateBody: machineTemplate(), Capabilities: ['CAPABILITY_IAM'] });
    expect(created.StackId).toBe(review.StackId);
    expect((await cfn.waitForStack('app'))['StackStatus']).toBe('CREATE_COMPLETE');
    expect((await cfn.DescribeChangeSet({ ChangeSetName: review.Id }))['ExecutionStatus']).toBe('OBSOLETE');
  });
});

describe('the shipped templates through change sets', () => {
  test('should deploy the runbooks and the sample with exports and imports, and update a NewVersion document in place', async () => {
    const cfn = start();
    const runbooks = await createChangeSet({ StackName: 'shellstep-runbooks', ChangeSetName: 'c1', ChangeSetType: 'CREATE', TemplateBody: runbooksTemplate });
    await cfn.ExecuteChangeSet({ ChangeSetName: runbooks.Id });
    expect((await cfn.waitForStack('shellstep-runbooks'))['StackStatus']).toBe('CREATE_COMPLETE');
    const sample = await createChangeSet({
      StackName: 'sample',
      ChangeSetName: 'c1',
      ChangeSetType: 'CREATE',
      TemplateBody: sampleTemplate,
      Parameters: [{ ParameterKey: 'InstanceId', ParameterValue: 'i-0123456789abcdef0' }],
    });
    await cfn.ExecuteChangeSet({ ChangeSetName: sample.Id });
    expect((await cfn.waitForStack('sample'))['StackStatus']).toBe('CREATE_COMPLETE');
    expect((await cfn.ListImports({ ExportName: 'shellstep-runbooks-ByInstanceIdsDocumentName' })).Imports).toEqual(['sample']);

    const changed = JSON.parse(runbooksTemplate);
    changed.Resources.SfnRunCommandByInstanceIds.Properties.Content.description = 'changed';
    const update = await createChangeSet({ StackName: 'shellstep-runbooks', ChangeSetName: 'c2', TemplateBody: JSON.stringify(changed) });
    expect(changes(update.described).map((c) => [c['LogicalResourceId'], c['Replacement']])).toEqual([['SfnRunCommandByInstanceIds', 'Conditional']]);
    await cfn.ExecuteChangeSet({ ChangeSetName: update.Id });
    expect((await cfn.waitForStack('shellstep-runbooks'))['StackStatus']).toBe('UPDATE_COMPLETE');
    expect((await engine.ssm.DescribeDocument({ Name: 'SfnRunCommandByInstanceIds' })).Document?.DefaultVersion).toBe('2');
    // The importer keeps the stack from being deleted, as before.
    await cfn.DeleteStack({ StackName: 'shellstep-runbooks' });
    expect((await cfn.waitForStack('shellstep-runbooks'))['StackStatus']).toBe('DELETE_FAILED');
  });
});
