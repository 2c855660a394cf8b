import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { LocalEngine } from '../../../src/engine/local-engine.js';
import { checkCapabilities, requiredCapability, templateSummaryOutput, validateTemplateOutput } from '../../../src/engine/cloudformation/template-summary.js';
import { parseJsonOrYaml } from '../../../src/validate/cfn-yaml.js';
import type { JsonObject } from '../../../src/model/json.js';

const root = new URL('../../../', import.meta.url).pathname;
const sample = parseJsonOrYaml(readFileSync(`${root}cloudformation/sample-state-machine.cfn.json`, 'utf8')) as JsonObject;
const original = parseJsonOrYaml(readFileSync(`${root}test/fixtures/original-sample/original-sample.cfn.json`, 'utf8')) as JsonObject;

describe('capabilities', () => {
  test('should need CAPABILITY_IAM for unnamed IAM resources and CAPABILITY_NAMED_IAM once one is named, with the reason GetTemplateSummary gives', () => {
    expect(requiredCapability(sample)).toEqual({ capability: 'CAPABILITY_IAM', reason: 'The following resource(s) require capabilities: [AWS::IAM::Role]' });
    expect(requiredCapability(original)?.capability).toBe('CAPABILITY_NAMED_IAM');
    expect(requiredCapability({ Resources: { U: { Type: 'AWS::IAM::User', Properties: { UserName: 'bob' } }, P: { Type: 'AWS::IAM::Policy' } } })).toEqual({
      capability: 'CAPABILITY_NAMED_IAM',
      reason: 'The following resource(s) require capabilities: [AWS::IAM::User, AWS::IAM::Policy]',
    });
    expect(requiredCapability({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } })).toBeUndefined();
    expect(() => checkCapabilities(original, ['CAPABILITY_IAM'])).toThrow('Requires capabilities : [CAPABILITY_NAMED_IAM]');
    expect(() => checkCapabilities(sample, ['CAPABILITY_NAMED_IAM'])).not.toThrow();
  });
});

describe('ValidateTemplate and GetTemplateSummary outputs', () => {
  const template: JsonObject = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'demo',
    Metadata: { Owner: 'team' },
    Transform: 'AWS::Serverless-2016-10-31',
    Parameters: {
      Env: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'prod'], Description: 'where' },
      Secret: { Type: 'String', NoEcho: true },
      Count: { Type: 'Number', Default: 3 },
    },
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      Doc: { Type: 'AWS::SSM::Document', Properties: { Content: {} } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
      Other: { Type: 'AWS::SSM::Document', Properties: { Content: {} } },
      Bucket: { Type: 'AWS::S3::Bucket' },
    },
  };

  test('should list parameters, description, capabilities and transforms for ValidateTemplate, leaving out empty lists', () => {
    expect(validateTemplateOutput(template)).toEqual({
      Parameters: [
        { ParameterKey: 'Env', DefaultValue: 'dev', NoEcho: false, Description: 'where' },
        { ParameterKey: 'Secret', NoEcho: true },
        { ParameterKey: 'Count', DefaultValue: '3', NoEcho: false },
      ],
      Description: 'demo',
      Capabilities: ['CAPABILITY_IAM'],
      CapabilitiesReason: 'The following resource(s) require capabilities: [AWS::IAM::Role]',
      DeclaredTransforms: ['AWS::Serverless-2016-10-31'],
    });
    expect(validateTemplateOutput({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } })).toEqual({ Parameters: [] });
  });

  test('should summarise resource types in template order, with the identifiers the specification names for import', () => {
    expect(templateSummaryOutput(template)).toEqual({
      Parameters: [
        { ParameterKey: 'Env', DefaultValue: 'dev', ParameterType: 'String', NoEcho: false, Description: 'where', ParameterConstraints: { AllowedValues: ['dev', 'prod'] } },
        { ParameterKey: 'Secret', ParameterType: 'String', NoEcho: true, ParameterConstraints: {} },
        { ParameterKey: 'Count', DefaultValue: '3', ParameterType: 'Number', NoEcho: false, ParameterConstraints: {} },
      ],
      Description: 'demo',
      Capabilities: ['CAPABILITY_IAM'],
      CapabilitiesReason: 'The following resource(s) require capabilities: [AWS::IAM::Role]',
      ResourceTypes: ['AWS::IAM::Role', 'AWS::SSM::Document', 'AWS::StepFunctions::StateMachine', 'AWS::S3::Bucket'],
      Version: '2010-09-09',
      Metadata: '{"Owner":"team"}',
      DeclaredTransforms: ['AWS::Serverless-2016-10-31'],
      ResourceIdentifierSummaries: [
        { ResourceType: 'AWS::IAM::Role', LogicalResourceIds: ['Role'], ResourceIdentifiers: ['RoleName'] },
        { ResourceType: 'AWS::SSM::Document', LogicalResourceIds: ['Doc', 'Other'], ResourceIdentifiers: ['Name'] },
        // The state machine's identifier, its Arn, is not a property a template can set.
        { ResourceType: 'AWS::StepFunctions::StateMachine', LogicalResourceIds: ['Machine'] },
        { ResourceType: 'AWS::S3::Bucket', LogicalResourceIds: ['Bucket'] },
      ],
    });
  });
});

describe('ValidateTemplate and GetTemplateSummary on the service', () => {
  test('should accept any valid CloudFormation, refuse malformed templates with ValidationError, and summarise a deployed stack', async () => {
    const engine = new LocalEngine({ clock: 'fast' });
    try {
      const cfn = engine.cloudformation;
      // A type the engine cannot deploy is still a valid template.
      await expect(cfn.ValidateTemplate({ TemplateBody: JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } }) })).resolves.toEqual({ Parameters: [] });
      await expect(cfn.ValidateTemplate({ TemplateBody: '{"Resources": ' })).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/^Template format error: /) });
      await expect(cfn.ValidateTemplate({ TemplateBody: JSON.stringify({ Resources: {} }) })).rejects.toThrow('Template format error: ');
      await expect(cfn.ValidateTemplate({ TemplateBody: JSON.stringify({ Resources: { Q: { Type: 'AWS::Nope::Thing' } } }) })).rejects.toThrow("'AWS::Nope::Thing' is not a CloudFormation resource type.");
      await expect(cfn.ValidateTemplate({})).rejects.toThrow('Either Template URL or Template Body must be specified.');
      await expect(cfn.ValidateTemplate({ TemplateBody: 'x'.repeat(51_201) })).rejects.toThrow('Member must have length less than or equal to 51200');
      // 51,200 characters nest 25,000 deep, which would overflow every recursive reader of the template.
      for (const depth of [300, 20_000]) {
        const deep = `{"Resources":{"A":{"Type":"AWS::SSM::Document","Properties":{"Content":${'['.repeat(depth)}${']'.repeat(depth)}}}}}`;
        await expect(cfn.ValidateTemplate({ TemplateBody: deep })).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/^Template format error: /) });
        await expect(cfn.CreateChangeSet({ StackName: 'deep', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: deep })).rejects.toMatchObject({ name: 'ValidationError' });
      }
      const summary = await cfn.GetTemplateSummary({ TemplateBody: readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8') });
      expect(summary['ResourceTypes']).toEqual(['AWS::IAM::Role', 'AWS::SSM::Document']);
      await expect(cfn.GetTemplateSummary({ StackName: 'none' })).rejects.toThrow('Stack with id none does not exist');
      await expect(cfn.GetTemplateSummary({ StackSetName: 'set' })).rejects.toMatchObject({ name: 'StackSetNotFoundException' });
      await engine.deploy(readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8'), { stackName: 'rb' });
      expect((await cfn.GetTemplateSummary({ StackName: 'rb' }))['Parameters']).toEqual([
        expect.objectContaining({ ParameterKey: 'DocumentNamePrefix', DefaultValue: '', ParameterType: 'String' }),
      ]);
    } finally {
      await engine.close();
    }
  });
});
