import { describe, expect, test } from 'vitest';
import { findSdkOperation, findSdkService } from '../../src/validate/aws-sdk-models.js';

describe('SDK models', () => {
  test('should find an operation by its PascalCase, camelCase and snake_case names, repeatedly', () => {
    const ssm = findSdkService('ssm')!;
    const start = ssm.operations.get('StartAutomationExecution')!;
    for (let i = 0; i < 2; i++) {
      expect(findSdkOperation(ssm, 'StartAutomationExecution')).toBe(start);
      expect(findSdkOperation(ssm, 'startAutomationExecution')).toBe(start);
      expect(findSdkOperation(ssm, 'start_automation_execution')).toBe(start);
      expect(findSdkOperation(ssm, 'STARTAUTOMATIONEXECUTION')).toBe(start);
    }
    expect(findSdkOperation(ssm, 'startAutomation')).toBeUndefined();
  });

  test('should look names up in the service asked, not another one', () => {
    const sfn = findSdkService('stepfunctions')!;
    expect(findSdkOperation(sfn, 'sendTaskSuccess')?.name).toBe('SendTaskSuccess');
    expect(findSdkOperation(findSdkService('ssm')!, 'sendTaskSuccess')).toBeUndefined();
  });

  // The names Step Functions' aws-sdk resources use (the SDK client names: acmpca, cloudwatchlogs, sfn), boto3's
  // (logs, stepfunctions, elbv2) and endpoint prefixes (states).
  test.each([
    ['sfn', 'stepfunctions'],
    ['states', 'stepfunctions'],
    ['SFN', 'stepfunctions'],
    ['acmpca', 'acm-pca'],
    ['cloudwatchlogs', 'logs'],
    ['logs', 'logs'],
    ['eventbridge', 'events'],
    ['cloudwatchevents', 'events'],
    ['elbv2', 'elbv2'],
    ['elasticloadbalancingv2', 'elbv2'],
    ['dynamodb', 'dynamodb'],
  ])('should know the service %s as %s', (name, key) => {
    expect(findSdkService(name)?.key).toBe(key);
  });

  test.each(['constructor', 'toString', '__proto__', 'nosuchservice'])('should know no service named %s', (name) => {
    expect(findSdkService(name)).toBeUndefined();
  });

  // APIs added after the aws-sdk v2 models froze: the index comes from current models.
  test.each([
    ['stepfunctions', 'ValidateStateMachineDefinition'],
    ['stepfunctions', 'TestState'],
    ['ssm', 'GetExecutionPreview'],
  ])('should know %s %s', (service, operation) => {
    expect(findSdkService(service)!.operations.has(operation)).toBe(true);
  });

  test('should mark required request members', () => {
    const op = findSdkService('ssm')!.operations.get('SendCommand')!;
    expect(op.required).toEqual(['DocumentName']);
    expect(op.members).toContain('InstanceIds');
  });
});
