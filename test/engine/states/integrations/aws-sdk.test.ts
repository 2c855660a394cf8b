import { describe, expect, test } from 'vitest';
import { errorPrefix, sdkErrorName, toApiMembers, toSdkOutput } from '../../../../src/engine/states/integrations/aws-sdk.js';
import { parseResource } from '../../../../src/engine/states/integrations/index.js';
import { findSdkOperation, findSdkService } from '../../../../src/validate/aws-sdk-models.js';
import type { JsonValue } from '../../../../src/model/json.js';
import { harness } from '../run-machine.js';

describe('aws-sdk integration', () => {
  test('should parse service, action and pattern from the resource ARN', () => {
    expect(parseResource('arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken')).toMatchObject({
      family: 'aws-sdk',
      service: 'ssm',
      action: 'startAutomationExecution',
      pattern: 'WAIT_FOR_TASK_TOKEN',
      resourceType: 'aws-sdk:ssm',
      resourceName: 'startAutomationExecution.waitForTaskToken',
    });
    expect(parseResource('arn:aws:states:::aws-sdk:sfn:describeExecution')).toMatchObject({ pattern: 'REQUEST_RESPONSE', action: 'describeExecution' });
    expect(parseResource('arn:aws:states:::sqs:sendMessage.waitForTaskToken')).toMatchObject({ family: 'sqs', resourceType: 'sqs', resourceName: 'sendMessage.waitForTaskToken' });
    expect(parseResource('arn:aws:lambda:us-east-1:123456789012:function:f')).toBeUndefined();
    // Activities are run by the Task state itself, not by an integration.
    expect(parseResource('arn:aws:states:us-east-1:123456789012:activity:a')).toMatchObject({ family: 'activity', resourceType: 'activity', service: undefined });
    expect(parseResource('arn:aws:states:us-east-1:123456789012:activity:')).toBeUndefined();
  });

  test('should name errors <Service>.<Code>Exception as AWS does', () => {
    expect(sdkErrorName('ssm', 'InvalidInstanceId')).toBe('Ssm.InvalidInstanceIdException');
    expect(sdkErrorName('ssm', 'AutomationDefinitionNotFoundException')).toBe('Ssm.AutomationDefinitionNotFoundException');
    expect(sdkErrorName('s3', 'NoSuchKey')).toBe('S3.NoSuchKeyException');
    expect(sdkErrorName('dynamodb', 'ValidationException')).toBe('DynamoDb.DynamoDbException');
    expect(errorPrefix('acmpca')).toBe('AcmPca');
  });

  test('should map PascalCase parameters to the API member names and PascalCase camelCase results', () => {
    const sfn = findSdkService('sfn')!;
    const describe = findSdkOperation(sfn, 'describeExecution');
    expect(toApiMembers({ ExecutionArn: 'arn' }, describe)).toEqual({ executionArn: 'arn' });
    expect(toSdkOutput({ executionArn: 'arn', inputDetails: { included: true } }, describe)).toEqual({ ExecutionArn: 'arn', InputDetails: { Included: true } });
    const ssm = findSdkService('ssm')!;
    const start = findSdkOperation(ssm, 'startAutomationExecution');
    const parameters = { DocumentName: 'd', Parameters: { taskToken: ['t'] } };
    expect(toApiMembers(parameters, start)).toEqual(parameters);
    expect(toSdkOutput({ AutomationExecutionId: 'a' }, start)).toEqual({ AutomationExecutionId: 'a' });
  });

  test('should return SDK timestamps to JSONata and JSONPath alike, as ISO-8601 strings', async () => {
    const h = harness();
    h.api.respond('ssm', 'ListCommandInvocations', () => ({
      CommandInvocations: [{ CommandId: 'c-1', RequestedDateTime: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)) as unknown as JsonValue }],
    }));
    h.api.respond('ssm', 'GetCommandInvocation', () => ({ CommandId: 'c-1', ExecutionStartDateTime: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) as unknown as JsonValue }));
    const jsonata = await h.start({
      QueryLanguage: 'JSONata',
      StartAt: 'List',
      States: {
        List: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:listCommandInvocations',
          Arguments: { CommandId: 'c-1' },
          Output: { requested: '{% $states.result.CommandInvocations[0].RequestedDateTime %}', type: '{% $type($states.result.CommandInvocations[0].RequestedDateTime) %}' },
          End: true,
        },
      },
    });
    // Before: `{}` (a Date has no members JSONata could see) and type "object".
    expect((await h.result(jsonata)).output).toEqual({ requested: '2024-01-02T03:04:05.678Z', type: 'string' });
    const jsonpath = await h.start({
      StartAt: 'Get',
      States: { Get: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:getCommandInvocation', Parameters: { CommandId: 'c-1', InstanceId: 'i-1' }, ResultSelector: { 'started.$': '$.ExecutionStartDateTime', 'text.$': "States.Format('{}', $.ExecutionStartDateTime)" }, End: true } },
    });
    expect((await h.result(jsonpath)).output).toEqual({ started: '2024-01-02T03:04:05Z', text: '2024-01-02T03:04:05Z' });
  });
});
