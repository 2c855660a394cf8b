/**
 * Maps an API call to the IAM request AWS authorizes for it: the action (`ssm:SendCommand`), the resource
 * ARNs (Service Authorization Reference resource types; aws-semantics §8.1) and condition keys.
 */
import type { JsonObject } from '../../model/json.js';
import type { AuthorizationRequest } from './policy-evaluation.js';

export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** IAM service prefixes of the SDK service ids. */
const IAM_PREFIX: Readonly<Record<string, string>> = { ssm: 'ssm', sfn: 'states' };

function documentArn(name: string, scope: ArnScope): string {
  if (name.startsWith('arn:')) return name;
  // AWS-owned documents have no account in their ARN (aws-semantics §8.1).
  const owner = /^(AWS|Amazon)-/.test(name) ? '' : scope.accountId;
  return `arn:${scope.partition}:ssm:${scope.region}:${owner}:document/${name}`;
}

function instanceArn(id: string, scope: ArnScope): string {
  return id.startsWith('mi-')
    ? `arn:${scope.partition}:ssm:${scope.region}:${scope.accountId}:managed-instance/${id}`
    : `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:instance/${id}`;
}

/**
 * The IAM request for one call. `stateMachineOf` resolves a task token to its state machine's ARN: AWS names
 * that ARN in SendTask* AccessDenied messages, and policies scoped to it work (aws-semantics §8.1).
 */
export function iamRequestFor(
  service: string,
  operation: string,
  input: JsonObject,
  scope: ArnScope,
  stateMachineOf: (taskToken: string) => string | undefined = () => undefined,
): AuthorizationRequest {
  const prefix = IAM_PREFIX[service] ?? service;
  const action = `${prefix}:${operation}`;
  const str = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
  if (service === 'ssm') {
    switch (operation) {
      case 'SendCommand': {
        const ids = Array.isArray(input['InstanceIds']) ? input['InstanceIds'].map(String) : [];
        return { action, resources: [documentArn(str('DocumentName') ?? '', scope), ...ids.map((id) => instanceArn(id, scope))] };
      }
      case 'StartAutomationExecution': {
        const name = (str('DocumentName') ?? '').replace(/^arn:[^:]+:ssm:[^:]*:[^:]*:document\//, '');
        return { action, resources: [`arn:${scope.partition}:ssm:${scope.region}:${scope.accountId}:automation-definition/${name}:${str('DocumentVersion') ?? '$DEFAULT'}`] };
      }
      case 'CreateDocument':
      case 'UpdateDocument':
      case 'DeleteDocument':
      case 'GetDocument':
      case 'DescribeDocument':
        return { action, resources: [documentArn(str('Name') ?? '', scope)] };
      default:
        return { action, resources: ['*'] };
    }
  }
  if (service === 'iam') {
    const name = str('RoleName');
    return { action, resources: [name === undefined ? '*' : `arn:${scope.partition}:iam::${scope.accountId}:role/${name}`] };
  }
  if (service === 'cloudformation') {
    // Stack operations name the stack (Service Authorization Reference: `stack/${StackName}/${Id}`).
    const name = str('StackName');
    return { action, resources: [name === undefined ? '*' : name.startsWith('arn:') ? name : `arn:${scope.partition}:cloudformation:${scope.region}:${scope.accountId}:stack/${name}/*`] };
  }
  if (service === 'sfn') {
    if (operation === 'SendTaskSuccess' || operation === 'SendTaskFailure' || operation === 'SendTaskHeartbeat') {
      return { action, resources: [stateMachineOf(str('taskToken') ?? '') ?? '*'] };
    }
    const arn = str('stateMachineArn') ?? str('executionArn');
    if (arn !== undefined) return { action, resources: [arn] };
    // AccessDenied messages name these resources: "…states:CreateStateMachine on resource:
    // arn:aws:states:us-east-1:<acct>:stateMachine:<name>", "…states:ListStateMachines on resource: …:stateMachine:*".
    const machines = `arn:${scope.partition}:states:${scope.region}:${scope.accountId}:stateMachine:`;
    if (operation === 'CreateStateMachine') return { action, resources: [`${machines}${str('name') ?? ''}`] };
    if (operation === 'ListStateMachines' || operation === 'ValidateStateMachineDefinition') return { action, resources: [`${machines}*`] };
    return { action, resources: ['*'] };
  }
  return { action, resources: ['*'] };
}

/** The PassRole request that starting an automation with `roleArn` as its assume role needs. */
export function passRoleRequest(roleArn: string): AuthorizationRequest {
  return { action: 'iam:PassRole', resources: [roleArn], context: { 'iam:PassedToService': 'ssm.amazonaws.com' } };
}
