import { afterEach, describe, expect, test } from 'vitest';
import { LocalEngine } from '../../../../src/engine/local-engine.js';

const ROLE = 'arn:aws:iam::123456789012:role/nested';
let engine: LocalEngine | undefined;
afterEach(async () => engine?.close());

async function parentRunning(resource: string, input: object, child = { StartAt: 'C', States: { C: { Type: 'Pass', Result: { done: true }, End: true } } }) {
  engine = new LocalEngine({ clock: 'fast', enforceIam: false });
  const sfn = engine.sfn;
  const { stateMachineArn: childArn } = await sfn.CreateStateMachine({ name: 'child', definition: JSON.stringify(child), roleArn: ROLE });
  const parent = { StartAt: 'Start', States: { Start: { Type: 'Task', Resource: resource, Parameters: { 'StateMachineArn.$': '$.arn', 'Input.$': '$.input', Name: 'kid' }, End: true } } };
  const { stateMachineArn } = await sfn.CreateStateMachine({ name: 'parent', definition: JSON.stringify(parent), roleArn: ROLE });
  const { executionArn } = await sfn.StartExecution({ stateMachineArn, input: JSON.stringify({ arn: childArn, ...input }) });
  return { sfn, childArn, result: await sfn.waitForExecution(executionArn), history: (await sfn.GetExecutionHistory({ executionArn })).events };
}

describe('states:startExecution integration', () => {
  test('should start the child and return the Java SDK response with its metadata', async () => {
    const { result, childArn } = await parentRunning('arn:aws:states:::states:startExecution', { input: { hello: 'world' } });
    expect(result.status).toBe('SUCCEEDED');
    const output = result.output as Record<string, any>;
    expect(output['ExecutionArn']).toBe(childArn.replace(':stateMachine:', ':execution:') + ':kid');
    expect(output['StartDate']).toEqual(expect.any(Number));
    expect(output['SdkHttpMetadata']).toMatchObject({ HttpStatusCode: 200, HttpHeaders: { 'Content-Type': 'application/x-amz-json-1.0', connection: 'keep-alive' } });
    // The length of AWS's body, whose epoch-seconds timestamp Java writes as "1.234567890123E9" (shorter when it ends in 0).
    const longest = Buffer.byteLength(`{"executionArn":"${String(output['ExecutionArn'])}","startDate":1.234567890123E9}`);
    expect(Number(output['SdkHttpMetadata'].HttpHeaders['Content-Length'])).toBeGreaterThanOrEqual(longest - 3);
    expect(Number(output['SdkHttpMetadata'].HttpHeaders['Content-Length'])).toBeLessThanOrEqual(longest);
    expect(output['SdkResponseMetadata'].RequestId).toBe(output['SdkHttpMetadata'].HttpHeaders['x-amzn-RequestId']);
  });

  test('.sync and .sync:2 should wait for the child and return its description (Output as text or JSON)', async () => {
    const sync = await parentRunning('arn:aws:states:::states:startExecution.sync', { input: {} });
    expect(sync.result.output).toMatchObject({ Status: 'SUCCEEDED', Output: '{"done":true}', OutputDetails: { Included: true } });
    const sync2 = await parentRunning('arn:aws:states:::states:startExecution.sync:2', { input: { a: 1 } });
    expect(sync2.result.output).toMatchObject({ Status: 'SUCCEEDED', Output: { done: true }, Input: { a: 1 } });
  });

  test('should fail with StepFunctions.<Code>Exception worded by the Java SDK v1, and with States.TaskFailed for a failed child', async () => {
    engine = new LocalEngine({ clock: 'fast', enforceIam: false });
    const definition = JSON.stringify({ StartAt: 'S', States: { S: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:missing' }, End: true } } });
    const { stateMachineArn } = await engine.sfn.CreateStateMachine({ name: 'p', definition, roleArn: ROLE });
    const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn });
    const result = await engine.sfn.waitForExecution(executionArn);
    expect(result.error).toBe('StepFunctions.StateMachineDoesNotExistException');
    expect(result.cause).toMatch(/^State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:missing' \(Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: [\w-]+; Proxy: null\)$/);
    await engine.close();
    const failing = await parentRunning('arn:aws:states:::states:startExecution.sync', { input: {} }, { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'child' } } } as never);
    expect(failing.result.error).toBe('States.TaskFailed');
    expect(JSON.parse(failing.result.cause!)).toMatchObject({ Status: 'FAILED', Error: 'Boom', Cause: 'child' });
  });
});
