import { describe, expect, test } from 'vitest';
import { harness, ROLE_ARN } from './run-machine.js';
import { stepFunctionsHandlers } from '../../../src/engine/states/api-handlers.js';

const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, End: true } } });

describe('StepFunctionsService', () => {
  test('should create, describe, list, update and delete state machines with AWS shapes', async () => {
    const { service } = harness();
    const created = await service.CreateStateMachine({ name: 'm', definition: PASS, roleArn: ROLE_ARN });
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:m');
    expect(created.creationDate).toBeInstanceOf(Date);
    expect(await service.CreateStateMachine({ name: 'm', definition: PASS, roleArn: ROLE_ARN })).toEqual(created);
    await expect(service.CreateStateMachine({ name: 'm', definition: WAIT, roleArn: ROLE_ARN })).rejects.toMatchObject({ name: 'StateMachineAlreadyExists' });
    expect(await service.DescribeStateMachine({ stateMachineArn: created.stateMachineArn })).toMatchObject({ name: 'm', status: 'ACTIVE', definition: PASS, type: 'STANDARD', roleArn: ROLE_ARN });
    await service.UpdateStateMachine({ stateMachineArn: created.stateMachineArn, definition: WAIT });
    expect((await service.DescribeStateMachine({ stateMachineArn: created.stateMachineArn })).definition).toBe(WAIT);
    expect((await service.ListStateMachines()).stateMachines.map((m) => m.name)).toEqual(['m']);
    await service.DeleteStateMachine({ stateMachineArn: created.stateMachineArn });
    await expect(service.DescribeStateMachine({ stateMachineArn: created.stateMachineArn })).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  test('should reject bad input with AWS error names', async () => {
    const { service } = harness();
    await expect(service.CreateStateMachine({ name: 'm', definition: '{', roleArn: ROLE_ARN })).rejects.toMatchObject({ name: 'InvalidDefinition' });
    await expect(service.CreateStateMachine({ name: 'm', definition: '{"StartAt":"X","States":{}}', roleArn: ROLE_ARN })).rejects.toMatchObject({ name: 'InvalidDefinition' });
    await expect(service.CreateStateMachine({ name: 'bad name', definition: PASS, roleArn: ROLE_ARN })).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(service.CreateStateMachine({ name: 'm', definition: PASS, roleArn: 'role' })).rejects.toMatchObject({ name: 'InvalidArn' });
    await expect(service.DescribeStateMachine({ stateMachineArn: 'nope' })).rejects.toMatchObject({ name: 'InvalidArn' });
    const callback = JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', End: true } } });
    await expect(service.CreateStateMachine({ name: 'x', definition: callback, roleArn: ROLE_ARN, type: 'EXPRESS' })).rejects.toMatchObject({ name: 'InvalidDefinition' });
    await expect(service.DescribeExecution({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:x' })).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    const { stateMachineArn } = await service.CreateStateMachine({ name: 'm', definition: PASS, roleArn: ROLE_ARN });
    await expect(service.StartExecution({ stateMachineArn, input: 'not json' })).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await service.StartExecution({ stateMachineArn, name: 'once', input: '{}' });
    await expect(service.StartExecution({ stateMachineArn, name: 'once', input: '{"a":1}' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  test('should describe, list and stop executions', async () => {
    const h = harness({ autoAdvance: false });
    const { stateMachineArn } = await h.service.CreateStateMachine({ name: 'w', definition: WAIT, roleArn: ROLE_ARN });
    const { executionArn, startDate } = await h.service.StartExecution({ stateMachineArn, name: 'e1', input: '{"a":1}' });
    expect(executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:w:e1');
    expect(startDate).toBeInstanceOf(Date);
    expect(await h.service.DescribeExecution({ executionArn })).toMatchObject({ status: 'RUNNING', input: '{"a":1}', name: 'e1', stateMachineArn });
    expect((await h.service.ListExecutions({ stateMachineArn, statusFilter: 'RUNNING' })).executions).toHaveLength(1);
    const { stopDate } = await h.service.StopExecution({ executionArn, error: 'E', cause: 'C' });
    expect(stopDate).toBeInstanceOf(Date);
    expect(await h.service.DescribeExecution({ executionArn })).toMatchObject({ status: 'ABORTED', error: 'E', cause: 'C' });
    const second = await h.service.StartExecution({ stateMachineArn, name: 'e2' });
    await h.clock.advance(10_000);
    expect(await h.service.DescribeExecution({ executionArn: second.executionArn })).toMatchObject({ status: 'SUCCEEDED', output: '{}' });
    expect((await h.service.ListExecutions({ stateMachineArn })).executions.map((e) => e.name)).toEqual(['e2', 'e1']);
  });

  test('should return GetExecutionHistory events with ids, previousEventId, timestamps and details', async () => {
    const h = harness();
    const arn = await h.start({ StartAt: 'P', States: { P: { Type: 'Pass', Result: 1, End: true } } }, { in: true });
    await h.result(arn);
    const { events } = await h.service.GetExecutionHistory({ executionArn: arn });
    expect(events.map((e) => [e.id, e.previousEventId, e.type])).toEqual([
      [1, 0, 'ExecutionStarted'],
      // AWS records the first state's Entered event after no event (recorded in its API suites).
      [2, 0, 'PassStateEntered'],
      [3, 2, 'PassStateExited'],
      [4, 3, 'ExecutionSucceeded'],
    ]);
    expect(events[0]).toMatchObject({ executionStartedEventDetails: { input: '{"in":true}', inputDetails: { truncated: false }, roleArn: ROLE_ARN } });
    expect(events[1]).toMatchObject({ stateEnteredEventDetails: { name: 'P', input: '{"in":true}' } });
    expect(events[3]).toMatchObject({ executionSucceededEventDetails: { output: '1' } });
    expect(events[0]!.timestamp).toBeInstanceOf(Date);
    const page1 = await h.service.GetExecutionHistory({ executionArn: arn, maxResults: 3, reverseOrder: true });
    expect(page1.events.map((e) => e.id)).toEqual([4, 3, 2]);
    const page2 = await h.service.GetExecutionHistory({ executionArn: arn, maxResults: 3, reverseOrder: true, ...(page1.nextToken === undefined ? {} : { nextToken: page1.nextToken }) });
    expect(page2.events.map((e) => e.id)).toEqual([1]);
  });

  test('should stream history events to subscribers as they happen', async () => {
    const h = harness({ autoAdvance: false });
    const { stateMachineArn } = await h.service.CreateStateMachine({ name: 'w', definition: WAIT, roleArn: ROLE_ARN });
    const { executionArn } = await h.service.StartExecution({ stateMachineArn });
    const seen: string[] = [];
    h.service.subscribeToHistory(executionArn, (e) => seen.push(e.type), { replay: true });
    await h.clock.advance(0);
    expect(seen).toEqual(['ExecutionStarted', 'WaitStateEntered']);
    await h.clock.advance(10_000);
    expect(seen).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
  });

  test('should time out the execution with States.Timeout when the machine TimeoutSeconds passes', async () => {
    const h = harness();
    const arn = await h.start({ TimeoutSeconds: 5, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
    expect(await h.result(arn)).toEqual({ status: 'TIMED_OUT' });
    expect((await h.history(arn)).at(-1)?.type).toBe('ExecutionTimedOut');
  });

  test('should abort every running execution when the service signal aborts', async () => {
    const controller = new AbortController();
    const { StepFunctionsService } = await import('../../../src/engine/states/service.js');
    const { VirtualClock } = await import('../../../src/engine/clock.js');
    const service = new StepFunctionsService({ clock: new VirtualClock(), awsApi: { call: () => Promise.resolve({}) }, signal: controller.signal });
    const { stateMachineArn } = await service.CreateStateMachine({ name: 'w', definition: WAIT, roleArn: ROLE_ARN });
    const { executionArn } = await service.StartExecution({ stateMachineArn });
    controller.abort();
    expect(await service.waitForExecution(executionArn)).toEqual({ status: 'ABORTED' });
  });

  test('should word API errors as AWS records them', async () => {
    const { service } = harness();
    await expect(service.CreateStateMachine({ name: 'x', definition: '{"StartAt":"A"}', roleArn: ROLE_ARN })).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringMatching(/^Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: .* at \//),
    });
    const { stateMachineArn } = await service.CreateStateMachine({ name: 'm', definition: PASS, roleArn: ROLE_ARN });
    await expect(service.StartExecution({ stateMachineArn, input: '' })).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
      message: "Invalid State Machine Execution Input: 'Invalid execution input.'",
    });
    await expect(service.UpdateStateMachine({ stateMachineArn })).rejects.toMatchObject({
      name: 'MissingRequiredParameter',
      message: 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
    });
    // The API model's constraints are checked in front of the service, as AWS's front end does.
    const api = stepFunctionsHandlers(service);
    await expect(api['ListExecutions']!({ stateMachineArn, statusFilter: 'succeeded' }, {})).rejects.toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    });
    await expect(api['ListStateMachines']!({ maxResults: 1001 }, {})).rejects.toMatchObject({
      message: "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    });
  });

  test('should treat Express executions as AWS does: sync results, no describe or list', async () => {
    const { service } = harness();
    const { stateMachineArn } = await service.CreateStateMachine({ name: 'x', definition: PASS, roleArn: ROLE_ARN, type: 'EXPRESS' });
    const sync = await service.StartSyncExecution({ stateMachineArn, input: '{"a":1}' });
    expect(sync).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1}', stateMachineArn });
    expect(sync.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:express:x:/);
    await expect(service.DescribeExecution({ executionArn: sync.executionArn })).rejects.toMatchObject({
      name: 'InvalidArn',
      message: "Invalid Arn: 'Resource type not valid in this context: express'",
    });
    await expect(service.ListExecutions({ stateMachineArn })).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
    const standard = await service.CreateStateMachine({ name: 's', definition: PASS, roleArn: ROLE_ARN });
    await expect(service.StartSyncExecution({ stateMachineArn: standard.stateMachineArn })).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
    const callback = JSON.stringify({ StartAt: 'Publish', States: { Publish: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', End: true } } });
    await expect(service.CreateStateMachine({ name: 'cb', definition: callback, roleArn: ROLE_ARN, type: 'EXPRESS' })).rejects.toMatchObject({
      message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/Publish/Resource'",
    });
  });
});

describe('history quota', () => {
  test('should fail a looping execution with States.Runtime at 25,000 history events, without starving the event loop', async () => {
    const { StepFunctionsService } = await import('../../../src/engine/states/service.js');
    const { VirtualClock } = await import('../../../src/engine/clock.js');
    const service = new StepFunctionsService({ clock: new VirtualClock({ start: 0, autoAdvance: true }), awsApi: { call: async () => ({}) } });
    const { stateMachineArn } = await service.CreateStateMachine({
      name: 'loop',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'A' }, Done: { Type: 'Succeed' } } }),
    });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const { executionArn } = await service.StartExecution({ stateMachineArn, input: '{}' });
    const result = await service.waitForExecution(executionArn);
    clearInterval(ticker);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toContain('maximum number of history events (25000)');
    expect(ticks).toBeGreaterThan(0);
  });
});
