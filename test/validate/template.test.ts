import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { validateTemplate } from '../../src/validate/template.js';
import { validateFile } from '../../src/validate/index.js';
import { parseJsonOrYaml } from '../../src/validate/cfn-yaml.js';
import { runbooksTemplate, sampleStackTemplate } from '../../src/definitions/templates.js';
import { LocalEngine } from '../../src/engine/local-engine.js';

const fixture = (name: string) => new URL(`../fixtures/templates/${name}`, import.meta.url).pathname;
const original = new URL('../fixtures/original-sample/original-sample.cfn.json', import.meta.url).pathname;

describe('validateTemplate', () => {
  test('should find nothing in the generated templates', () => {
    expect(validateTemplate(runbooksTemplate())).toEqual([]);
    expect(validateTemplate(sampleStackTemplate())).toEqual([]);
  });

  test('should read CloudFormation YAML short-form tags as their long form', () => {
    const parsed = parseJsonOrYaml('A: !GetAtt Role.Arn\nB: !Sub "x-${AWS::Region}"\nC: !Join [",", [a, b]]\nD: !Ref X\n');
    expect(parsed).toEqual({
      A: { 'Fn::GetAtt': ['Role', 'Arn'] },
      B: { 'Fn::Sub': 'x-${AWS::Region}' },
      C: { 'Fn::Join': [',', ['a', 'b']] },
      D: { Ref: 'X' },
    });
  });

  describe('planted defects', () => {
    const result = validateFile(fixture('planted-defects.yaml'));
    const find = (code: string, path?: string) =>
      result.issues.filter((i) => i.code === code && (path === undefined || i.path === path));

    test.each([
      ['DefaultNotAllowed', '$.Parameters.Env.Default'],
      ['NamedRole', '$.Resources.Role.Properties.RoleName'],
      ['TrustWithoutSourceAccount', '$.Resources.Role.Properties.AssumeRolePolicyDocument.Statement[0]'],
      ['WildcardStartAutomation', '$.Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0]'],
      ['HardCodedPartition', '$.Resources.Role.Properties.Policies[0].PolicyDocument.Statement[1].Resource[0]'],
      ['UnknownProperty', '$.Resources.Doc.Properties.Contents'],
      ['UnexpectedTargetType', '$.Resources.Doc.Properties.TargetType'],
      ['NamedDocumentReplace', '$.Resources.Doc.Properties.Name'],
      ['UnknownResourceType', '$.Resources.Queue.Type'],
      ['UnknownDependency', '$.Resources.Machine.DependsOn'],
      ['UnknownAttribute', '$.Resources.Machine.Properties.RoleArn["Fn::GetAtt"]'],
      ['NotAllowedValue', '$.Resources.Machine.Properties.StateMachineType'],
      ['UnknownReference', '$.Outputs.Name.Value.Ref'],
      ['UnknownReference', '$.Outputs.Sub.Value["Fn::Sub"]'],
    ])('should report %s at %s', (code, path) => {
      expect(find(code, path), JSON.stringify(result.issues, null, 1)).toHaveLength(1);
    });

    test('should validate the embedded runbook, with paths into the template', () => {
      // The sleep-only runbook is valid; the assumeRole GetAtt resolves to an ARN-shaped placeholder.
      expect(result.issues.filter((i) => i.path.startsWith('$.Resources.Doc.Properties.Content.'))).toEqual([]);
    });

    test('should validate the embedded state machine definition, with paths into the template', () => {
      const asl = result.issues.filter((i) => i.path.startsWith('$.Resources.Machine.Properties.Definition'));
      expect(asl.length).toBeGreaterThan(0);
      expect(asl.map((i) => i.message).join('\n')).toMatch(/Nowhere/);
    });
  });

  test('should flag the original sample for its deployment and runbook defects', () => {
    const codes = new Set(validateFile(original).issues.map((i) => i.code));
    // D1, D4, D5, D6, D7 (trust, partition), D9, D11, D12, D13.
    for (const code of [
      'QuotedEmptyDefault',
      'UnexpectedTargetType',
      'NamedRole',
      'NamedDocumentReplace',
      'TrustWithoutSourceAccount',
      'HardCodedPartition',
      'CallbackDiscardsResult',
      'CallbackMissingOnFailure',
      'TimeoutExceedsActionLimit',
      'OutputMayBeUnresolved',
    ]) {
      expect(codes.has(code), code).toBe(true);
    }
  });

  test('should report properties named like Object.prototype members as unknown (they used to throw)', () => {
    const template = { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { constructor: 'x', toString: 1 } } } };
    expect(validateTemplate(template).map((i) => [i.code, i.path])).toEqual([
      ['UnknownProperty', '$.Resources.B.Properties.constructor'],
      ['UnknownProperty', '$.Resources.B.Properties.toString'],
    ]);
  });

  test('should report a file that is not a template, runbook or state machine', () => {
    const result = validateFile(fixture('planted-defects.yaml').replace('planted-defects.yaml', '../../../package.json'));
    expect(result.issues.map((i) => i.code)).toEqual(['UnknownKind']);
    expect(result.unreadable).toBe(false);
  });

  test('should report unreadable YAML with its position', () => {
    const text = readFileSync(fixture('planted-defects.yaml'), 'utf8');
    expect(() => parseJsonOrYaml(`${text}\n  bad: [`)).toThrow(/line/i);
  });
});

describe("validateTemplate with the engine's generated spec subset", () => {
  const json = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as unknown;
  // Every type the engine deploys, with issues in properties, nested type definitions and GetAtt attributes.
  const engineTypes = {
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {},
          MaxSessionDuration: 'long',
          Policies: [{ PolicyDocument: {}, Extra: 1 }, 'not-an-object'],
          Tags: [{ Key: 'k', Value: 'v' }],
        },
      },
      Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: {}, Roles: { Ref: 'Role' } } },
      Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: {}, Groups: 'g' } },
      Doc: {
        Type: 'AWS::SSM::Document',
        Properties: { Content: {}, DocumentFormat: 'XML', Requires: [{ Name: 'n', Versionn: '1' }], Attachments: [{ Key: 'Other' }] },
      },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
          DefinitionS3Location: { Key: 'k' },
          LoggingConfiguration: { Level: 'LOUD', Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: 1, Other: 2 } }] },
          TracingConfiguration: { Enabled: 'maybe' },
          EncryptionConfiguration: { Type: 'AWS_OWNED_KEY' },
        },
      },
      // Valid since AWS::CDK::Metadata is accepted; its only issue is the dependency.
      Meta: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2' }, DependsOn: 'Nowhere' },
      Custom: { Type: 'Custom::Thing', Properties: { Anything: 1 } },
      Typo: { Type: 'AWS::SQS::Queuee' },
    },
    Outputs: {
      A: { Value: { 'Fn::GetAtt': ['Machine', 'Nope'] } },
      B: { Value: { 'Fn::Sub': '${Role.RoleIdd} ${Policy.Id} ${Meta.X} ${Custom.Y}' } },
      C: { Value: { 'Fn::GetAtt': ['Managed', 'PolicyArn'] } },
    },
  };

  test.each([
    ['the runbooks template', () => runbooksTemplate()],
    ['the sample stack template', () => sampleStackTemplate()],
    ['cloudformation/ssm-automation-documents.cfn.json', () => json('../../cloudformation/ssm-automation-documents.cfn.json')],
    ['cloudformation/sample-state-machine.cfn.json', () => json('../../cloudformation/sample-state-machine.cfn.json')],
    ['the original sample', () => json(`file://${original}`)],
    ['the planted defects', () => parseJsonOrYaml(readFileSync(fixture('planted-defects.yaml'), 'utf8'))],
    ['every engine type, with issues', () => engineTypes],
  ])('should report what the full database reports for %s', (_name, template) => {
    for (const embedded of [true, false]) {
      expect(validateTemplate(template(), { embedded, spec: 'engine' })).toEqual(validateTemplate(template(), { embedded }));
    }
  });

  test('should find the planted issues in every engine type (so that the comparison above compares something)', () => {
    const paths = new Set(validateTemplate(engineTypes, { spec: 'engine' }).map((i) => i.path.split('.').slice(0, 3).join('.')));
    expect([...paths]).toEqual(expect.arrayContaining(['$.Resources.Role', '$.Resources.Policy', '$.Resources.Managed', '$.Resources.Doc', '$.Resources.Machine', '$.Resources.Meta', '$.Resources.Typo', '$.Outputs.A', '$.Outputs.B']));
  });

  test('should tell an unknown type from a real type it does not check, and check neither properties nor attributes of the latter', () => {
    const template = {
      Resources: {
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketNam: 'x', VersioningConfiguration: { Statuss: 'Enabled' } }, DependsOn: 'Nothing' },
        Queue: { Type: 'AWS::SQS::Queuee', Properties: 'not-an-object' },
        Topic: { Type: 'AWS::SNS::Topic', Properties: ['not-an-object'] },
      },
      Outputs: { A: { Value: { 'Fn::GetAtt': ['Bucket', 'Nope'] } }, B: { Value: { Ref: 'Missing' } } },
    };
    const full = validateTemplate(template);
    const engine = validateTemplate(template, { spec: 'engine' });
    const checkedByFullOnly = ['MissingProperty', 'UnknownProperty', 'WrongType', 'UnknownAttribute'];
    expect(full.filter((i) => checkedByFullOnly.includes(i.code)).map((i) => i.path)).toEqual([
      '$.Resources.Bucket.Properties.BucketNam',
      '$.Resources.Bucket.Properties.VersioningConfiguration',
      '$.Resources.Bucket.Properties.VersioningConfiguration.Statuss',
      '$.Outputs.A.Value["Fn::GetAtt"]',
    ]);
    expect(engine).toEqual(full.filter((i) => !checkedByFullOnly.includes(i.code)));
    expect(engine.map((i) => i.code)).toEqual(['UnknownDependency', 'UnknownResourceType', 'InvalidProperties', 'UnknownReference']);
  });
});

describe('AWS::CDK::Metadata', () => {
  // What CDK synthesizes unless analytics reporting is off; the condition when the stack's region is unknown.
  const template = (condition: boolean) => ({
    ...(condition
      ? { Conditions: { CDKMetadataAvailable: { 'Fn::Or': [{ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }] } } }
      : {}),
    Resources: {
      CDKMetadata: {
        Type: 'AWS::CDK::Metadata',
        Properties: { Analytics: 'v2:deflate64:H4sIAAAAAAAA/zPSMzTSM1BMLC/WTU7J1s3JTNKrDi5JTM7WAQoUJ+YWlCQWVOroOA+jdVjQkAAA==' },
        Metadata: { 'aws:cdk:path': 'Stack/CDKMetadata/Default' },
        ...(condition ? { Condition: 'CDKMetadataAvailable' } : {}),
      },
    },
  });

  test.each([false, true])('should be valid for `shellstep validate` and the engine, and deploy (with a condition: %s)', async (condition) => {
    expect(validateTemplate(template(condition))).toEqual([]);
    expect(validateTemplate(template(condition), { spec: 'engine' })).toEqual([]);
    const engine = new LocalEngine({ clock: 'fast' });
    try {
      expect(await engine.deploy(template(condition), { stackName: 'cdk' })).toMatchObject({ status: 'CREATE_COMPLETE' });
      expect(engine.cloudformation.physicalId('cdk', 'CDKMetadata')).toBeDefined();
    } finally {
      await engine.close();
    }
  });
});
