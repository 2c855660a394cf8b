import { describe, expect, test } from 'vitest';
import { harness, run } from '../run-machine.js';

const sdkTask = (resource: string, extra: object = {}) => ({
  StartAt: 'T',
  States: { T: { Type: 'Task', Resource: resource, End: true, ...extra } },
});

describe('Task', () => {
  test('should call the local service through AwsApi with PascalCase operation and the role when the resource is aws-sdk', async () => {
    const h = harness();
    h.api.respond('ssm', 'DescribeInstanceInformation', () => ({ InstanceInformationList: [] }));
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:describeInstanceInformation', { Parameters: { 'MaxResults.$': '$.n' }, ResultSelector: { 'list.$': '$.InstanceInformationList' } }), { n: 5 });
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: { list: [] } });
    expect(h.api.calls).toMatchObject([{ service: 'ssm', operation: 'DescribeInstanceInformation', input: { MaxResults: 5 }, context: { roleArn: 'arn:aws:iam::123456789012:role/test-role' } }]);
    const types = (await h.history(arn)).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  test('should surface an SDK error as <Service>.<Name>Exception with a Java-SDK style cause when the service rejects', async () => {
    const h = harness();
    h.api.fail('ssm', 'SendCommand', 'InvalidInstanceId', 'Instances [[i-1]] not in a valid state');
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:sendCommand', { Parameters: {} }));
    const result = await h.result(arn);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Ssm.InvalidInstanceIdException');
    expect(result.cause).toMatch(/^Instances \[\[i-1\]\] not in a valid state \(Service: Ssm, Status Code: 400, Request ID: /);
    const failed = (await h.history(arn)).find((e) => e.type === 'TaskFailed');
    expect(failed?.['taskFailedEventDetails']).toMatchObject({ resourceType: 'aws-sdk:ssm', resource: 'sendCommand', error: 'Ssm.InvalidInstanceIdException' });
  });

  test('should fail with a States.Runtime naming the resource when the integration is not supported', async () => {
    const r = await run(sdkTask('arn:aws:lambda:us-east-1:123456789012:function:f'));
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(r.cause).toContain("arn:aws:lambda:us-east-1:123456789012:function:f");
  });

  test('should wait for SendTaskSuccess and use its output as the result when the resource ends in .waitForTaskToken', async () => {
    const h = harness({ autoAdvance: false });
    h.api.respond('ssm', 'StartAutomationExecution', () => ({ AutomationExecutionId: 'a-1' }));
    const arn = await h.start(
      sdkTask('arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', {
        Parameters: { DocumentName: 'Doc', Parameters: { 'taskToken.$': 'States.Array($$.Task.Token)' } },
        ResultPath: '$.result',
      }),
      { keep: 1 },
    );
    await h.clock.advance(0);
    const call = h.api.calls[0]!;
    const token = (call.input['Parameters'] as { taskToken: string[] }).taskToken[0]!;
    expect(token).toHaveLength(512);
    await h.service.SendTaskSuccess({ taskToken: token, output: '{"ok":true}' });
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: { keep: 1, result: { ok: true } } });
    const events = await h.history(arn);
    expect(events.map((e) => e.type)).toContain('TaskSubmitted');
    expect(events.find((e) => e.type === 'TaskSubmitted')?.['taskSubmittedEventDetails']).toMatchObject({ output: '{"AutomationExecutionId":"a-1"}' });
    await expect(h.service.SendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  test('should let Catch match the SendTaskFailure error name when the callback reports failure', async () => {
    const h = harness({ autoAdvance: false });
    const arn = await h.start({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
          Parameters: { 'token.$': '$$.Task.Token' },
          Catch: [{ ErrorEquals: ['Automation document failure'], ResultPath: '$.err', Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });
    await h.clock.advance(0);
    const token = h.api.calls[0]!.input['token'] as string;
    await h.service.SendTaskFailure({ taskToken: token, error: 'Automation document failure', cause: 'cmd-1' });
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: { err: { Error: 'Automation document failure', Cause: 'cmd-1' } } });
  });

  test('should keep waiting for the callback until the execution reaches its 1-year maximum when no timeout is set', async () => {
    const h = harness();
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', { Parameters: { 't.$': '$$.Task.Token' } }));
    // The Task default (99999999 s) is longer than the Standard maximum, so the execution times out first.
    expect(await h.result(arn)).toEqual({ status: 'TIMED_OUT' });
    const elapsed = h.clock.now() - Date.parse('2024-01-01T00:00:00.000Z');
    expect(elapsed).toBeGreaterThanOrEqual(365 * 24 * 3600 * 1000);
    expect(elapsed).toBeLessThan(365 * 24 * 3600 * 1000 + 1000);
    expect((await h.history(arn)).find((e) => e.type === 'TaskScheduled')?.['taskScheduledEventDetails']).not.toHaveProperty('timeoutInSeconds');
  });

  test('should fail the Task with States.Timeout and a TaskTimedOut event when TimeoutSeconds passes', async () => {
    const h = harness();
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', { Parameters: { 't.$': '$$.Task.Token' }, TimeoutSeconds: 600 }));
    expect(await h.result(arn)).toEqual({ status: 'FAILED', error: 'States.Timeout' });
    expect((await h.history(arn)).find((e) => e.type === 'TaskTimedOut')?.['taskTimedOutEventDetails']).toEqual({
      resourceType: 'aws-sdk:ssm',
      resource: 'startAutomationExecution.waitForTaskToken',
      error: 'States.Timeout',
    });
  });

  test('should time out after HeartbeatSeconds when heartbeats stop, and Catch it as States.HeartbeatTimeout', async () => {
    const h = harness({ autoAdvance: false });
    const arn = await h.start({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
          Parameters: { 't.$': '$$.Task.Token' },
          TimeoutSeconds: 100,
          HeartbeatSeconds: 10,
          Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });
    await h.clock.advance(0);
    const token = h.api.calls[0]!.input['t'] as string;
    await h.clock.advance(9_000);
    await h.service.SendTaskHeartbeat({ taskToken: token });
    await h.clock.advance(9_000);
    expect((await h.service.DescribeExecution({ executionArn: arn })).status).toBe('RUNNING');
    await h.clock.advance(2_000);
    expect(await h.result(arn)).toMatchObject({ status: 'SUCCEEDED', output: { Error: 'States.Timeout' } });
  });

  test('should read TimeoutSecondsPath from the effective input when given', async () => {
    const h = harness();
    const arn = await h.start(
      sdkTask('arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', { Parameters: { 't.$': '$$.Task.Token' }, TimeoutSecondsPath: '$.timeout' }),
      { timeout: 30 },
    );
    expect(await h.result(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const elapsed = h.clock.now() - Date.parse('2024-01-01T00:00:00.000Z');
    expect(elapsed).toBeGreaterThanOrEqual(30_000);
    expect(elapsed).toBeLessThan(31_000);
  });

  test('should evaluate JSONata Arguments and Output with $states.result when the state uses JSONata', async () => {
    const h = harness();
    h.api.respond('ssm', 'GetParameter', (input) => ({ Parameter: { Value: `v-${String(input['Name'])}` } }));
    const arn = await h.start({
      QueryLanguage: 'JSONata',
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:getParameter', Arguments: { Name: '{% $states.input.name %}' }, Output: '{% $states.result.Parameter.Value %}', End: true } },
    }, { name: 'p' });
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: 'v-p' });
  });

  test('should not let a fast-forwarding clock time the Task out while the service call is still running', async () => {
    const h = harness();
    h.api.respond('ssm', 'ListDocuments', () => new Promise((resolve) => setTimeout(() => resolve({ DocumentIdentifiers: [] }), 50)));
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:listDocuments', { Parameters: {}, TimeoutSeconds: 5 }));
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: { DocumentIdentifiers: [] } });
  });

  test('should name unmodeled validation errors after the service base exception, as the Java SDK does', async () => {
    const h = harness();
    h.api.fail('ssm', 'GetParameter', 'ValidationException', 'bad name');
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:getParameter', { Parameters: { Name: '' } }));
    expect(await h.result(arn)).toMatchObject({ status: 'FAILED', error: 'Ssm.SsmException' });
  });

  test('should record a TaskFailed without error or cause when SendTaskFailure gives neither', async () => {
    const h = harness({ autoAdvance: false });
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', { Parameters: { 't.$': '$$.Task.Token' } }));
    await h.clock.advance(0);
    await h.service.SendTaskFailure({ taskToken: h.api.calls[0]!.input['t'] as string });
    expect(await h.result(arn)).toEqual({ status: 'FAILED' });
    expect((await h.history(arn)).find((e) => e.type === 'TaskFailed')?.['taskFailedEventDetails']).toEqual({
      resourceType: 'aws-sdk:ssm',
      resource: 'startAutomationExecution.waitForTaskToken',
    });
  });

  test('should record TaskSubmitted before TaskSucceeded when the service calls back before its call returns', async () => {
    const h = harness();
    h.api.respond('ssm', 'StartAutomationExecution', async (input) => {
      await h.service.SendTaskSuccess({ taskToken: input['t'] as string, output: '"fast"' });
      return { AutomationExecutionId: 'a-1' };
    });
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', { Parameters: { 't.$': '$$.Task.Token' } }));
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: 'fast' });
    const types = (await h.history(arn)).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  test('should call the service as the Credentials role when the Task sets one', async () => {
    const h = harness();
    const arn = await h.start(sdkTask('arn:aws:states:::aws-sdk:ssm:listDocuments', { Parameters: {}, Credentials: { 'RoleArn.$': '$.role' } }), { role: 'arn:aws:iam::111122223333:role/target' });
    expect(await h.result(arn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(h.api.calls[0]?.context).toEqual({ roleArn: 'arn:aws:iam::111122223333:role/target' });
    expect((await h.history(arn)).find((e) => e.type === 'TaskScheduled')?.['taskScheduledEventDetails']).toMatchObject({ taskCredentials: { roleArn: 'arn:aws:iam::111122223333:role/target' } });
  });
});
