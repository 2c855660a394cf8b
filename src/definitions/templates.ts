/**
 * The CloudFormation templates: the runbooks with their role (the seed's
 * `cloudformation/ssm-automation-documents.cfn.json`), and a sample stack with the seed's state machine.
 */
import type { JsonObject, JsonValue } from '../model/json.js';
import { buildRunbook, RUNBOOK_NAMES, type TargetMode } from './runbooks.js';
import { sampleJsonata, sampleJsonPath } from './state-machines.js';

const sub = (template: string, variables?: JsonObject): JsonValue =>
  variables === undefined ? { 'Fn::Sub': template } : { 'Fn::Sub': [template, variables] };
const ref = (name: string): JsonValue => ({ Ref: name });
const getAtt = (resource: string, attribute: string): JsonValue => ({ 'Fn::GetAtt': [resource, attribute] });

/** Logical ids kept from the original sample, so the two templates compare side by side. */
export const LOGICAL_IDS = {
  role: 'SSMSyncRole',
  InstanceIds: 'SfnRunCommandByInstanceIds',
  Targets: 'SfnRunCommandByTargets',
} as const;

/** Export names of the runbooks stack, relative to its stack name. */
export const EXPORTS = {
  InstanceIds: 'ByInstanceIdsDocumentName',
  Targets: 'ByTargetsDocumentName',
  role: 'RunbookRoleArn',
} as const;

function runbookRole(): JsonObject {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: 'Assumed by the SfnRunCommandBy* runbooks: sends the command, reads its status, calls Step Functions back.',
      // No RoleName: a fixed name breaks a second stack in the account and needs CAPABILITY_NAMED_IAM (D5).
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ssm.amazonaws.com' },
            Action: 'sts:AssumeRole',
            // Confused-deputy protection for Automation (automation-setup-iam; D7).
            Condition: {
              StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
              ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:automation-execution/*') },
            },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'RunCommandAndCallBack',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'SendCommand',
                Effect: 'Allow',
                Action: 'ssm:SendCommand',
                // AWS-owned documents have no account in their ARN; mi- nodes are managed-instance ARNs (D7).
                Resource: [
                  sub('arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunShellScript'),
                  sub('arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunPowerShellScript'),
                  sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*'),
                  sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:managed-instance/*'),
                ],
              },
              {
                Sid: 'ReadCommandStatus',
                Effect: 'Allow',
                // These actions have no resource types, so only "*" matches (Service Authorization Reference).
                Action: ['ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:DescribeInstanceInformation'],
                Resource: '*',
              },
              {
                Sid: 'CallBackStepFunctions',
                Effect: 'Allow',
                // SendTask* have no resource types in the Service Authorization Reference (aws-semantics §8.1).
                Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
                Resource: '*',
              },
            ],
          },
        },
      ],
    },
  };
}

function documentResource(mode: TargetMode): JsonObject {
  return {
    Type: 'AWS::SSM::Document',
    Properties: {
      Name: sub(`\${DocumentNamePrefix}${RUNBOOK_NAMES[mode]}`),
      DocumentType: 'Automation',
      DocumentFormat: 'JSON',
      // The runbooks run commands on instances, not on Dedicated Hosts (D4).
      TargetType: '/AWS::EC2::Instance',
      // A named document updated with Replace fails every content change (D6).
      UpdateMethod: 'NewVersion',
      Content: buildRunbook(mode, { assumeRoleDefault: getAtt(LOGICAL_IDS.role, 'Arn') }) as unknown as JsonObject,
    },
  };
}

export function runbooksTemplate(): JsonObject {
  const exportName = (name: string) => ({ Name: sub(`\${AWS::StackName}-${name}`) });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'shellstep: SfnRunCommandByInstanceIds and SfnRunCommandByTargets, SSM Automation runbooks that run shell commands for a Step Functions .waitForTaskToken task, and the role they assume.',
    Parameters: {
      DocumentNamePrefix: {
        Type: 'String',
        Default: '',
        AllowedPattern: '^[a-zA-Z0-9_.-]{0,80}$',
        Description: 'Prefix for the document names, to deploy more than one copy per account and Region. Must not start with aws, amazon or amzn.',
      },
    },
    Resources: {
      [LOGICAL_IDS.role]: runbookRole(),
      [LOGICAL_IDS.InstanceIds]: documentResource('InstanceIds'),
      [LOGICAL_IDS.Targets]: documentResource('Targets'),
    },
    Outputs: {
      [EXPORTS.InstanceIds]: {
        Description: 'Name of the runbook that targets instance ids.',
        Value: ref(LOGICAL_IDS.InstanceIds),
        Export: exportName(EXPORTS.InstanceIds),
      },
      [EXPORTS.Targets]: {
        Description: 'Name of the runbook that targets Run Command targets (tags).',
        Value: ref(LOGICAL_IDS.Targets),
        Export: exportName(EXPORTS.Targets),
      },
      [EXPORTS.role]: {
        Description: 'ARN of the role the runbooks assume.',
        Value: getAtt(LOGICAL_IDS.role, 'Arn'),
        Export: exportName(EXPORTS.role),
      },
    },
  };
}

const importFromRunbooks = (name: string): JsonValue => ({ 'Fn::ImportValue': sub(`\${RunbooksStackName}-${name}`) });

function stateMachineRole(): JsonObject {
  const automationArns = (['InstanceIds', 'Targets'] as const).flatMap((mode) => {
    const name = { Name: importFromRunbooks(EXPORTS[mode]) };
    return [
      sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-definition/${Name}:*', name),
      sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:document/${Name}', name),
    ];
  });
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: 'Lets the sample state machine start the SfnRunCommandBy* runbooks and read command results.',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'states.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'StartRunbooks',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'StartRunbooks',
                Effect: 'Allow',
                Action: 'ssm:StartAutomationExecution',
                // Only the two runbooks, not "*" (D8); automation-definition is the SAR resource type and
                // AWS's own example adds the document ARN (aws-semantics §8.1).
                Resource: automationArns,
              },
              {
                Sid: 'PassRunbookRole',
                Effect: 'Allow',
                Action: 'iam:PassRole',
                Resource: importFromRunbooks(EXPORTS.role),
                Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
              },
              {
                Sid: 'ReadCommandResults',
                Effect: 'Allow',
                Action: 'ssm:ListCommandInvocations',
                Resource: '*',
              },
            ],
          },
        },
      ],
    },
  };
}

export function sampleStackTemplate(): JsonObject {
  const placeholders = { documentName: '${RunbookName}', instanceId: '${InstanceId}', sleepSeconds: '${SleepSeconds}' };
  const substitutions = {
    RunbookName: importFromRunbooks(EXPORTS.InstanceIds),
    InstanceId: ref('InstanceId'),
    SleepSeconds: ref('SleepSeconds'),
  };
  const stateMachine = (definition: JsonObject): JsonObject => ({
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      StateMachineType: 'STANDARD',
      RoleArn: getAtt('StateMachineRole', 'Arn'),
      Definition: definition,
      DefinitionSubstitutions: substitutions,
    },
  });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'shellstep sample: the seed state machine, in JSONPath and JSONata, running shell commands on one instance through SfnRunCommandByInstanceIds.',
    Parameters: {
      InstanceId: {
        Type: 'String',
        AllowedPattern: '^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$',
        Description: 'The managed node to run the sample commands on (i-… or mi-…).',
      },
      RunbooksStackName: {
        Type: 'String',
        Default: 'shellstep-runbooks',
        Description: 'The stack that deployed cloudformation/ssm-automation-documents.cfn.json.',
      },
      SleepSeconds: {
        Type: 'String',
        Default: '100',
        AllowedPattern: '^[0-9]{1,4}$',
        Description: 'How long the sample command sleeps (the seed uses 100).',
      },
    },
    Resources: {
      StateMachineRole: stateMachineRole(),
      RunShellCommandJsonPath: stateMachine(sampleJsonPath(placeholders)),
      RunShellCommandJsonata: stateMachine(sampleJsonata(placeholders)),
    },
    Outputs: {
      JsonPathStateMachineArn: { Description: 'The sample state machine (JSONPath).', Value: ref('RunShellCommandJsonPath') },
      JsonataStateMachineArn: { Description: 'The sample state machine (JSONata).', Value: ref('RunShellCommandJsonata') },
    },
  };
}
