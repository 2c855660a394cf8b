import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { validateTemplate } from '../../src/validate/template.js';
import { validateFile } from '../../src/validate/index.js';
import { parseJsonOrYaml } from '../../src/validate/cfn-yaml.js';
import { runbooksTemplate, sampleStackTemplate } from '../../src/definitions/templates.js';

const fixture = (name: string) => new URL(`../fixtures/templates/${name}`, import.meta.url).pathname;
const original = new URL('../../../shared/reference/original-sample.cfn.json', import.meta.url).pathname;

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
