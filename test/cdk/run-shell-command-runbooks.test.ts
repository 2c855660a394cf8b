import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, test } from 'vitest';
import { RunShellCommandRunbooks } from '../../src/cdk/index.js';
import { RUNBOOK_NAMES } from '../../src/definitions/runbooks.js';
import { runbooksTemplate } from '../../src/definitions/templates.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

type Json = Record<string, unknown>;

function newStack(): Stack {
  return new Stack(new App(), 'Stack');
}

function resourcesOfType(template: Template, type: string): Array<[string, Json]> {
  return Object.entries(template.findResources(type)) as Array<[string, Json]>;
}

function documentContent(template: Template, name: string): Json {
  const found = resourcesOfType(template, 'AWS::SSM::Document').find(([, r]) => (r['Properties'] as Json)['Name'] === name);
  if (found === undefined) throw new Error(`no document named ${name}`);
  return (found[1]['Properties'] as Json)['Content'] as Json;
}

function committedRunbook(name: string): Json {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'runbooks', `${name}.json`), 'utf8')) as Json;
}

function roleLogicalId(stack: Stack, runbooks: RunShellCommandRunbooks): string {
  return stack.getLogicalId(runbooks.role.node.defaultChild as iam.CfnRole);
}

function withParameterDefault(runbook: Json, parameter: string, value: unknown): Json {
  const parameters = runbook['parameters'] as Record<string, Json>;
  return { ...runbook, parameters: { ...parameters, [parameter]: { ...parameters[parameter], default: value } } };
}

describe('RunShellCommandRunbooks', () => {
  test.each(Object.values(RUNBOOK_NAMES))(
    'should synthesize %s equal to its runbooks/*.json except the AutomationAssumeRole default when deployed with default props',
    (name) => {
      const stack = newStack();
      const runbooks = new RunShellCommandRunbooks(stack, 'Runbooks');
      const content = documentContent(Template.fromStack(stack), name);
      const expected = withParameterDefault(committedRunbook(name), 'AutomationAssumeRole', {
        'Fn::GetAtt': [roleLogicalId(stack, runbooks), 'Arn'],
      });
      expect(content).toEqual(expected);
    },
  );

  test('should deploy both documents as NewVersion Automation documents for EC2 instances when deployed with a prefix', () => {
    const stack = newStack();
    new RunShellCommandRunbooks(stack, 'Runbooks', { documentNamePrefix: 'Team-' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SSM::Document', 2);
    for (const name of Object.values(RUNBOOK_NAMES)) {
      template.hasResourceProperties('AWS::SSM::Document', {
        Name: `Team-${name}`,
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        TargetType: '/AWS::EC2::Instance',
        UpdateMethod: 'NewVersion',
      });
    }
  });

  test('should give the role the trust policy and inline policy of the CloudFormation template when deployed with default props', () => {
    const stack = newStack();
    new RunShellCommandRunbooks(stack, 'Runbooks');
    const roles = resourcesOfType(Template.fromStack(stack), 'AWS::IAM::Role');
    expect(roles).toHaveLength(1);
    const actual = roles[0]?.[1]['Properties'] as Json;
    const resources = runbooksTemplate()['Resources'] as Record<string, Json>;
    const expected = resources['SSMSyncRole']?.['Properties'] as Json;
    expect(actual['AssumeRolePolicyDocument']).toEqual(expected['AssumeRolePolicyDocument']);
    expect(actual['Policies']).toEqual(expected['Policies']);
    expect(actual['Description']).toEqual(expected['Description']);
    expect(actual['RoleName']).toBeUndefined();
  });

  test('should scope ssm:SendCommand to the given instances when instanceArns is set', () => {
    const stack = newStack();
    const arn = 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0';
    new RunShellCommandRunbooks(stack, 'Runbooks', { instanceArns: [arn] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'RunCommandAndCallBack',
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Sid: 'SendCommand',
                Effect: 'Allow',
                Action: 'ssm:SendCommand',
                Resource: [
                  { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunShellScript' },
                  { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunPowerShellScript' },
                  arn,
                ],
              },
            ]),
          },
        },
      ],
    });
  });

  test('should attach the permissions boundary when permissionsBoundary is set', () => {
    const stack = newStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'Boundary');
    new RunShellCommandRunbooks(stack, 'Runbooks', { permissionsBoundary: boundary });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      PermissionsBoundary: { 'Fn::Join': ['', Match.arrayWith([':policy/Boundary'])] },
    });
  });

  test('should default command output to the log group and bucket when logGroup and outputBucket are set', () => {
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Output');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const runbooks = new RunShellCommandRunbooks(stack, 'Runbooks', { logGroup, outputBucket: bucket, outputKeyPrefix: 'commands/' });
    const content = documentContent(Template.fromStack(stack), RUNBOOK_NAMES.InstanceIds);
    let expected = withParameterDefault(committedRunbook(RUNBOOK_NAMES.InstanceIds), 'AutomationAssumeRole', {
      'Fn::GetAtt': [roleLogicalId(stack, runbooks), 'Arn'],
    });
    expected = withParameterDefault(expected, 'CloudWatchOutputEnabled', true);
    expected = withParameterDefault(expected, 'CloudWatchLogGroupName', { Ref: stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup) });
    expected = withParameterDefault(expected, 'OutputS3BucketName', { Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) });
    expected = withParameterDefault(expected, 'OutputS3KeyPrefix', 'commands/');
    expect(content).toEqual(expected);
  });

  test('should grant StartAutomationExecution on both runbooks and PassRole to SSM only when grantStart is called', () => {
    const stack = newStack();
    const runbooks = new RunShellCommandRunbooks(stack, 'Runbooks');
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    runbooks.grantStart(caller);
    const doc = (id: string) => stack.getLogicalId(runbooks.node.findChild(id) as unknown as iam.CfnRole);
    const arn = (resource: string, name: string, suffix = '') => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/`, { Ref: name }, ...(suffix ? [suffix] : [])]],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(caller.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:StartAutomationExecution',
            Resource: [
              arn('automation-definition', doc('ByInstanceIds'), ':*'),
              arn('document', doc('ByInstanceIds')),
              arn('automation-definition', doc('ByTargets'), ':*'),
              arn('document', doc('ByTargets')),
            ],
          },
          {
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: { 'Fn::GetAtt': [roleLogicalId(stack, runbooks), 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
          },
        ],
      },
    });
  });

  test('should grant only the named runbooks and the given role when the runbooks are imported by attributes', () => {
    const stack = newStack();
    const roleArn = 'arn:aws:iam::123456789012:role/shellstep-runbooks-SSMSyncRole-ABC';
    const runbooks = RunShellCommandRunbooks.fromRunbooksAttributes(stack, 'Runbooks', { documentNamePrefix: 'Ops', roleArn });
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    runbooks.grantStart(caller, ['Targets']);
    expect(runbooks.documentName('Targets')).toBe('OpsSfnRunCommandByTargets');
    const arn = (resource: string, name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/${name}`]],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:StartAutomationExecution',
            Resource: [arn('automation-definition', 'OpsSfnRunCommandByTargets:*'), arn('document', 'OpsSfnRunCommandByTargets')],
          },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: roleArn, Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } },
        ],
      },
    });
  });

  test('should grant no PassRole when imported runbooks have no role', () => {
    const stack = newStack();
    const runbooks = RunShellCommandRunbooks.fromRunbooksAttributes(stack, 'Runbooks', {});
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    runbooks.grantStart(caller);
    const policies = resourcesOfType(Template.fromStack(stack), 'AWS::IAM::Policy');
    const statements = ((policies[0]?.[1]['Properties'] as Json)['PolicyDocument'] as Json)['Statement'] as Json[];
    expect(statements.map((s) => s['Action'])).toEqual(['ssm:StartAutomationExecution']);
  });

  test('should acknowledge the automation-definition wildcard of imported runbooks by name when acknowledgeStartFindings is called', () => {
    const stack = newStack();
    const runbooks = RunShellCommandRunbooks.fromRunbooksAttributes(stack, 'Runbooks', { documentNamePrefix: 'Ops' });
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    runbooks.acknowledgeStartFindings(caller, ['InstanceIds']);
    const acknowledged = caller.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => Object.keys(m.data as object)[0]);
    expect(acknowledged).toEqual([
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/OpsSfnRunCommandByInstanceIds:*]',
    ]);
  });

  describe('construct-time errors', () => {
    test('should throw when documentNamePrefix has characters SSM does not allow', () => {
      expect(() => new RunShellCommandRunbooks(newStack(), 'Runbooks', { documentNamePrefix: 'my prefix/' })).toThrow(
        "documentNamePrefix must be up to 80 characters of a-z, A-Z, 0-9, _, . and -; got 'my prefix/'.",
      );
    });

    test('should throw when documentNamePrefix starts with a reserved word', () => {
      expect(() => new RunShellCommandRunbooks(newStack(), 'Runbooks', { documentNamePrefix: 'AWSTeam' })).toThrow(
        "documentNamePrefix must not start with 'aws', 'amazon' or 'amzn' (reserved by SSM); got 'AWSTeam'.",
      );
    });

    test('should throw when instanceArns is empty', () => {
      expect(() => new RunShellCommandRunbooks(newStack(), 'Runbooks', { instanceArns: [] })).toThrow(
        'instanceArns must list at least one ARN; leave it out to allow every instance and managed node in this account and Region.',
      );
    });

    test('should throw when outputKeyPrefix is longer than 500 characters', () => {
      expect(() => new RunShellCommandRunbooks(newStack(), 'Runbooks', { outputKeyPrefix: 'k'.repeat(501) })).toThrow(
        'outputKeyPrefix must be at most 500 characters; got 501.',
      );
    });
  });
});
