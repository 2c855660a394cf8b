/** The IAM statements that let a principal start the runbooks. Shared by `grantStart` and the Task state. */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * `ssm:StartAutomationExecution` is authorized on `automation-definition/<name>:<version>` (the Service
 * Authorization Reference's resource type for it); AWS's own policy examples also list the document ARN, so
 * both are granted, for the named runbooks only (D8).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
 */
export function startAutomationArns(scope: IConstruct, documentNames: readonly string[]): string[] {
  const stack = Stack.of(scope);
  return documentNames.flatMap((name) => [
    stack.formatArn({
      service: 'ssm',
      resource: 'automation-definition',
      resourceName: `${name}:*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
    stack.formatArn({ service: 'ssm', resource: 'document', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
  ]);
}

/**
 * Starting an automation whose `AutomationAssumeRole` is a role passes that role to SSM, which needs
 * `iam:PassRole`; the condition keeps it from being passed to anything else.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html
 */
export const PASSED_TO_SSM = { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } as const;

export function startAutomationStatements(
  scope: IConstruct,
  documentNames: readonly string[],
  role: iam.IRole | undefined,
): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({ actions: ['ssm:StartAutomationExecution'], resources: startAutomationArns(scope, documentNames) }),
  ];
  if (role !== undefined) {
    statements.push(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [role.roleArn], conditions: { ...PASSED_TO_SSM } }));
  }
  return statements;
}
