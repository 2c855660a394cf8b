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
});
