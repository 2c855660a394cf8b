import { describe, expect, test } from 'vitest';
import { summary } from '../../src/cli/commands/deploy.js';

describe('the change set summary `shellstep deploy` prints', () => {
  test('should count the actions, align the resources, and say in words what changes each property', () => {
    const detail = (Name: string, RequiresRecreation: string, ChangeSource: string, Evaluation: string, CausingEntity?: string) => ({
      Target: { Attribute: 'Properties', Name, RequiresRecreation },
      ChangeSource,
      Evaluation,
      ...(CausingEntity === undefined ? {} : { CausingEntity }),
    });
    const text = summary('app', {
      ChangeSetName: 'cs',
      Changes: [
        { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Queue', ResourceType: 'AWS::IAM::Role', Scope: [], Details: [] } },
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'Machine',
            ResourceType: 'AWS::StepFunctions::StateMachine',
            Replacement: 'Conditional',
            Details: [
              detail('RoleArn', 'Never', 'ResourceAttribute', 'Dynamic', 'Role.Arn'),
              detail('StateMachineName', 'Always', 'ParameterReference', 'Static', 'Name'),
              detail('StateMachineName', 'Always', 'DirectModification', 'Dynamic'),
              { Target: { Attribute: 'Metadata', RequiresRecreation: 'Never' }, ChangeSource: 'DirectModification', Evaluation: 'Static' },
            ],
          },
        },
        { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Doc', ResourceType: 'AWS::SSM::Document', Replacement: 'True', Details: [detail('Content', 'Conditionally', 'DirectModification', 'Static')] } },
        { Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'Old', ResourceType: 'AWS::IAM::Policy', PolicyAction: 'Delete', Details: [] } },
      ],
    });
    expect(text).toBe(
      [
        'Change set cs for stack app: 1 to add, 2 to modify (1 replaced), 1 to remove',
        '  + Add    Queue    AWS::IAM::Role',
        '  ~ Modify Machine  AWS::StepFunctions::StateMachine  replacement: Conditional',
        '      RoleArn: Role.Arn may change',
        '      StateMachineName: parameter Name, requires replacement',
        '      Metadata: changed in the template',
        '  ~ Modify Doc      AWS::SSM::Document                replacement: True',
        '      Content: changed in the template, may require replacement',
        '  - Remove Old      AWS::IAM::Policy',
        '',
      ].join('\n'),
    );
    expect(summary('app', { ChangeSetName: 'outs', Changes: [] })).toContain('(no resource changes: outputs, parameters or other template sections only)');
  });
});
