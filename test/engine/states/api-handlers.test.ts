import { describe, expect, test } from 'vitest';
import { STEP_FUNCTIONS_OPERATIONS, stepFunctionsHandlers } from '../../../src/engine/states/api-handlers.js';
import { harness, ROLE_ARN, START } from './run-machine.js';

describe('Step Functions dispatch table', () => {
  test('should expose every operation and answer with JSON, dates as epoch seconds', async () => {
    const { service } = harness();
    const handlers = stepFunctionsHandlers(service);
    expect(Object.keys(handlers)).toEqual([...STEP_FUNCTIONS_OPERATIONS]);
    const created = await handlers['CreateStateMachine']!({ name: 'm', definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', roleArn: ROLE_ARN }, {});
    expect(created).toEqual({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m', creationDate: START / 1000 });
    await expect(handlers['DescribeExecution']!({ executionArn: 'bad' }, {})).rejects.toMatchObject({ name: 'InvalidArn' });
  });

  test('should let a Task state call Step Functions itself through the table when wired into AwsApi', async () => {
    const h = harness({ autoAdvance: false });
    const handlers = stepFunctionsHandlers(h.service);
    h.api.respond('ssm', 'StartAutomationExecution', () => ({ AutomationExecutionId: 'a-1' }));
    h.api.respond('sfn', 'SendTaskSuccess', (input) => handlers['SendTaskSuccess']!(input, {}));
    const arn = await h.start({
      StartAt: 'Wait',
      States: {
        Wait: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', Parameters: { 't.$': '$$.Task.Token' }, End: true } } },
          ],
          End: true,
        },
      },
    });
    await h.clock.advance(0);
    const token = h.api.calls[0]!.input['t'] as string;
    const other = await h.start({ StartAt: 'Send', States: { Send: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:sendTaskSuccess', Parameters: { TaskToken: token, Output: '{"done":true}' }, End: true } } });
    await h.clock.advance(0);
    expect(await h.result(other)).toEqual({ status: 'SUCCEEDED', output: {} });
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: [{ done: true }] });
  });
});
