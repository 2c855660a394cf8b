/**
 * TestState in the library (`StepFunctionsService.TestState`): the rules the AWS-recorded cases show, applied to the
 * state types, fields and statuses those cases do not cover.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { LocalEngine } from '../../../../src/engine/local-engine.js';
import type { TestStateInput } from '../../../../src/engine/states/test-state/index.js';

const engine = new LocalEngine({ clock: 'fast' });
const instance = engine.instances.add();
afterAll(() => engine.close());

const ROLE = engine.roles.define('arn:aws:iam::123456789012:role/tester').arn;
const j = JSON.stringify;
const run = (request: TestStateInput) => engine.sfn.TestState(request);
const parsed = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

describe('TestState inspection data', () => {
  test('should report the JSONPath steps of a Task, and only the input and arguments of a JSONata one', async () => {
    const debug = await run({
      definition: j({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', InputPath: '$.in', Parameters: { 'MaxResults.$': '$.n' }, ResultSelector: { 'ids.$': '$.DocumentIdentifiers[*].Name' }, ResultPath: '$.out', OutputPath: '$.out', Next: 'Then' }),
      input: j({ in: { n: 2 } }),
      inspectionLevel: 'DEBUG',
      mock: { result: j({ DocumentIdentifiers: [{ Name: 'a' }, { Name: 'b' }] }) },
    });
    expect(debug).toMatchObject({ status: 'SUCCEEDED', nextState: 'Then' });
    expect(parsed(debug.output)).toEqual({ ids: ['a', 'b'] });
    const data = debug.inspectionData!;
    expect(Object.keys(data).sort()).toEqual(['afterInputPath', 'afterParameters', 'afterResultPath', 'afterResultSelector', 'input', 'result']);
    expect(parsed(data.afterParameters)).toEqual({ MaxResults: 2 });
    expect(parsed(data.afterResultPath)).toEqual({ in: { n: 2 }, out: { ids: ['a', 'b'] } });

    const jsonata = await run({
      definition: j({ Type: 'Task', QueryLanguage: 'JSONata', Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', Arguments: { MaxResults: '{% $states.input.n %}' }, Output: '{% $count($states.result.DocumentIdentifiers) %}', End: true }),
      input: j({ n: 1 }),
      inspectionLevel: 'TRACE',
      mock: { result: j({ DocumentIdentifiers: [{ Name: 'a' }] }) },
    });
    expect(jsonata.output).toBe('1');
    expect(jsonata.nextState).toBeUndefined();
    expect(Object.keys(jsonata.inspectionData!).sort()).toEqual(['afterArguments', 'input', 'result']);
  });

  test('should report no inspection data at INFO, the default level', async () => {
    const info = await run({ definition: j({ Type: 'Pass', End: true }), input: j({ a: 1 }) });
    expect(info).toEqual({ status: 'SUCCEEDED', output: '{"a":1}' });
  });

  test('should report InputPath for Wait, Choice and Succeed, and only the input for Fail', async () => {
    for (const definition of [{ Type: 'Wait', Seconds: 3, InputPath: '$.x', Next: 'N' }, { Type: 'Succeed', InputPath: '$.x' }, { Type: 'Choice', InputPath: '$.x', Choices: [{ Variable: '$.y', IsPresent: true, Next: 'Yes' }], Default: 'No' }]) {
      const result = await run({ definition: j(definition), input: j({ x: { y: 1 } }), inspectionLevel: 'DEBUG' });
      expect(result.inspectionData, definition.Type).toEqual({ input: '{"x":{"y":1}}', afterInputPath: '{"y":1}' });
    }
    const fail = await run({ definition: j({ Type: 'Fail', ErrorPath: '$.e', CausePath: '$.c' }), input: j({ e: 'E', c: 'C' }), inspectionLevel: 'DEBUG' });
    expect(fail).toEqual({ status: 'FAILED', error: 'E', cause: 'C', inspectionData: { input: '{"e":"E","c":"C"}' } });
  });

  test('should report every Map step a mocked Map takes: items, selector, batches, concurrency and thresholds', async () => {
    const result = await run({
      definition: j({
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
        MaxConcurrency: 2,
        ToleratedFailureCount: 1,
        ToleratedFailurePercentage: 50,
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        ResultPath: '$.results',
        End: true,
      }),
      input: j({ items: ['a', 'b'] }),
      inspectionLevel: 'DEBUG',
      mock: { result: j([1, 2]) },
    });
    expect(parsed(result.output)).toEqual({ items: ['a', 'b'], results: [1, 2] });
    expect(result.inspectionData).toMatchObject({ maxConcurrency: 2, toleratedFailureCount: 1, toleratedFailurePercentage: 50 });
    expect(parsed(result.inspectionData!.afterItemsPath)).toEqual(['a', 'b']);
    expect(parsed(result.inspectionData!.afterItemSelector)).toEqual([{ value: 'a', index: 0 }, { value: 'b', index: 1 }]);
    expect(result.inspectionData!.result).toBeUndefined();
  });

  test('should read a Distributed Map ItemReader data as its items, and fail one with too many failed iterations', async () => {
    const map = {
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'b', Key: 'k' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      ToleratedFailurePercentage: 40,
      End: true,
    };
    const ok = await run({ definition: j(map), mock: { result: j([1, 2, 3]) }, stateConfiguration: { mapItemReaderData: '{"a":1}\n{"a":2}\n{"a":3}\n', mapIterationFailureCount: 1 } });
    expect(ok).toEqual({ status: 'SUCCEEDED', output: '[1,2,3]' });
    const over = await run({ definition: j(map), mock: { result: j([1, 2, 3]) }, stateConfiguration: { mapItemReaderData: '{"a":1}\n{"a":2}\n{"a":3}', mapIterationFailureCount: 2 } });
    expect(over).toEqual({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', cause: 'The specified tolerated failure threshold was exceeded' });
  });

  test('should show the variables given and those the state assigns', async () => {
    const result = await run({
      definition: j({ Type: 'Pass', QueryLanguage: 'JSONata', Assign: { total: '{% $base + $states.input.n %}' }, Output: '{% $base %}', End: true }),
      input: j({ n: 2 }),
      variables: j({ base: 40 }),
      inspectionLevel: 'DEBUG',
    });
    expect(result.output).toBe('40');
    expect(parsed(result.inspectionData!.variables)).toEqual({ base: 40, total: 42 });
  });
});

describe('TestState status', () => {
  const task = (extra: object) => j({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true, ...extra });
  const error = { errorOutput: { error: 'Custom.Error', cause: 'why' } };

  test('should be RETRIABLE with the backoff of the matching retrier, capped by MaxDelaySeconds', async () => {
    const retry = [{ ErrorEquals: ['Other'] }, { ErrorEquals: ['States.ALL'], IntervalSeconds: 3, BackoffRate: 3, MaxAttempts: 5, MaxDelaySeconds: 20 }];
    const first = await run({ definition: task({ Retry: retry }), mock: error, inspectionLevel: 'DEBUG' });
    expect(first).toMatchObject({ status: 'RETRIABLE', error: 'Custom.Error', cause: 'why', inspectionData: { errorDetails: { retryIndex: 1, retryBackoffIntervalSeconds: 3 } } });
    expect(first.output).toBeUndefined();
    const capped = await run({ definition: task({ Retry: retry }), mock: error, inspectionLevel: 'DEBUG', stateConfiguration: { retrierRetryCount: 2 } });
    expect(capped.inspectionData!.errorDetails).toEqual({ retryIndex: 1, retryBackoffIntervalSeconds: 20 });
  });

  test('should be CAUGHT_ERROR once retries are exhausted and a catcher matches, with the catcher output and Next', async () => {
    const result = await run({
      definition: task({ Retry: [{ ErrorEquals: ['Custom.Error'], MaxAttempts: 1 }], Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Recover' }] }),
      input: j({ a: 1 }),
      mock: error,
      inspectionLevel: 'DEBUG',
      stateConfiguration: { retrierRetryCount: 1 },
    });
    expect(result).toMatchObject({ status: 'CAUGHT_ERROR', error: 'Custom.Error', cause: 'why', nextState: 'Recover' });
    expect(parsed(result.output)).toEqual({ a: 1, error: { Error: 'Custom.Error', Cause: 'why' } });
    expect(result.inspectionData!.errorDetails).toEqual({ retryIndex: 0, catchIndex: 0 });
  });

  test('should never retry nor catch States.Runtime, even with States.ALL', async () => {
    const result = await run({
      definition: j({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', InputPath: '$.missing', Retry: [{ ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: true }),
      mock: { result: '{}' },
      inspectionLevel: 'DEBUG',
    });
    expect(result).toEqual({ status: 'FAILED', error: 'States.Runtime', cause: "Invalid path '$.missing' : No results for path: $['missing']", inspectionData: { input: '{}' } });
  });

  test('should fail with States.Timeout after five minutes', async () => {
    const result = await run({ definition: j({ Type: 'Wait', Seconds: 301, End: true }) });
    expect(result).toEqual({ status: 'FAILED', error: 'States.Timeout' });
  });
});

describe('TestState requests', () => {
  test('should test a state anywhere in a machine by stateName, under the name StateName', async () => {
    const machine = {
      StartAt: 'Fork',
      States: {
        Fork: { Type: 'Parallel', Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Pass', Parameters: { 'name.$': '$$.State.Name' }, Next: 'Last' }, Last: { Type: 'Succeed' } } }], End: true },
      },
    };
    expect(await run({ definition: j(machine), stateName: 'Inner' })).toEqual({ status: 'SUCCEEDED', output: '{"name":"StateName"}', nextState: 'Last' });
    await expect(run({ definition: j(machine), stateName: 'Nowhere' })).rejects.toMatchObject({ name: 'ValidationException', message: 'State not found in definition' });
  });

  test('should require a mock where AWS does, and a role for a Task that calls its service', async () => {
    const refusals: Array<[TestStateInput, string, string]> = [
      [{ definition: j({ Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:work', End: true }), roleArn: ROLE }, 'ValidationException', 'Activity'],
      [{ definition: j({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', End: true }), roleArn: ROLE }, 'ValidationException', '.sync'],
      [{ definition: j({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', End: true }), roleArn: ROLE }, 'ValidationException', '.waitForTaskToken'],
      [{ definition: j({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', End: true }) }, 'ValidationException', 'RoleArn'],
      [{ definition: j({ Type: 'Wait', Seconds: 1, End: true }), mock: { result: '{}' } }, 'ValidationException', "State type 'Wait'"],
      [{ definition: j({ Type: 'Pass', End: true }), context: '{}' }, 'ValidationException', 'Context'],
      [{ definition: j({ Type: 'Pass', End: true }), inspectionLevel: 'ALL' }, 'ValidationException', 'enum value set: [INFO, DEBUG, TRACE]'],
      [{ definition: j({ Type: 'Pass', End: true }), input: '{' }, 'InvalidExecutionInput', 'Invalid State Machine Execution Input'],
      [{ definition: '{"Type":' }, 'InvalidDefinition', 'INVALID_JSON_DESCRIPTION'],
      [{ definition: j({ Type: 'Choice', Choices: [], Default: 'D' }) }, 'InvalidDefinition', "Value cannot be empty at /States/StateName/Choices"],
    ];
    for (const [request, name, message] of refusals) {
      await expect(run(request), message).rejects.toMatchObject({ name, message: expect.stringContaining(message) });
    }
  });

  test('should use a given context object whole, and refuse members the context object does not have', async () => {
    const definition = j({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'ctx.$': '$$' }, ResultSelector: { 'ctx.$': '$$.Execution' }, End: true });
    const result = await run({ definition, mock: { result: '{}' }, context: j({ Execution: { Name: 'given' } }) });
    expect(result.output).toBe('{"ctx":{"Name":"given"}}');
    await expect(run({ definition, mock: { result: '{}' }, context: j({ State: { Retries: 1 } }) })).rejects.toMatchObject({
      message: "Invalid Context object provided: Field 'Retries' is not allowed",
    });
  });

  test('should build the default context as AWS does for TestState: an Express execution, State named StateName', async () => {
    const result = await run({ definition: j({ Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.context %}', End: true }), input: j({ a: 1 }), roleArn: ROLE });
    const context = parsed(result.output) as { Execution: Record<string, unknown>; StateMachine: Record<string, unknown>; State: Record<string, unknown> };
    expect(Object.keys(context.Execution).sort()).toEqual(['Id', 'Input', 'Name', 'RoleArn', 'StartTime']);
    expect(context.Execution['Id']).toMatch(/^arn:aws:states:us-east-1:123456789012:express:[^:]+:[^:]+$/);
    expect(context.Execution['RoleArn']).toBe(ROLE);
    expect(context.State['Name']).toBe('StateName');
    expect(context.State['RetryCount']).toBeUndefined();
  });
});

describe('TestState mocked results against the API model', () => {
  const sendCommand = j({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:sendCommand', End: true });
  const check = (result: unknown, fieldValidationMode?: 'STRICT' | 'PRESENT' | 'NONE') =>
    run({ definition: sendCommand, mock: fieldValidationMode === undefined ? { result: j(result) } : { result: j(result), fieldValidationMode } });

  test('should check types, enums, nested lists and maps of an SSM result in every mode but NONE', async () => {
    const cases: Array<[unknown, string]> = [
      [{ Command: 'x' }, "Field 'Command' must be an object"],
      [{ Command: { Status: 'Done' } }, "Field 'Status' is not an expected value"],
      [{ Command: { InstanceIds: 'i-1' } }, "Field 'InstanceIds' must be an array"],
      [{ Command: { InstanceIds: [1] } }, "Field 'InstanceIds' must be a string"],
      [{ Command: { Parameters: { commands: 'ls' } } }, "Field 'Parameters' must be an array"],
      [{ Command: { MaxConcurrency: '' } }, "Field 'MaxConcurrency' is smaller than the minimum length"],
      [{ Command: { TimeoutSeconds: 'ten' } }, "Field 'TimeoutSeconds' must be a number"],
      [{ Command: { ExpiresAfter: 1 } }, "Field 'ExpiresAfter' must be a string"],
      [{ Command: { Comment: 'x'.repeat(101) } }, "Field 'Comment' exceeds the maximum length"],
      [{ Command: { TimeoutSeconds: 0 } }, "Field 'TimeoutSeconds' is less than the minimum value"],
    ];
    for (const [result, message] of cases) {
      for (const mode of ['STRICT', 'PRESENT'] as const) {
        await expect(check(result, mode), `${mode} ${message}`).rejects.toMatchObject({ name: 'ValidationException', message: `Mock result schema validation error: ${message}` });
      }
      expect((await check(result, 'NONE')).status).toBe('SUCCEEDED');
    }
    expect((await check({ Command: { Status: 'Success', Unknown: [1] }, Extra: true })).status).toBe('SUCCEEDED');
  });

  test('should require the required members in STRICT mode only, as Step Functions spells them', async () => {
    const startExecution = j({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:startExecution', End: true });
    await expect(run({ definition: startExecution, mock: { result: j({ executionArn: 'a', startDate: 'd' }) } })).rejects.toMatchObject({
      message: "Mock result schema validation error: Required field 'ExecutionArn' is missing",
    });
    expect((await run({ definition: startExecution, mock: { result: j({ ExecutionArn: 'a', StartDate: 'd' }) } })).status).toBe('SUCCEEDED');
    expect((await run({ definition: startExecution, mock: { result: j({ StartDate: 'd' }), fieldValidationMode: 'PRESENT' } })).status).toBe('SUCCEEDED');
  });

  test("should accept any JSON as an optimized Lambda integration's Payload", async () => {
    const invoke = j({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true });
    expect((await run({ definition: invoke, mock: { result: j({ StatusCode: 200, Payload: { any: ['json'] } }) } })).status).toBe('SUCCEEDED');
    await expect(run({ definition: invoke, mock: { result: j({ StatusCode: 200, FunctionError: 1 }) } })).rejects.toMatchObject({ message: expect.stringContaining("'FunctionError' must be a string") });
  });
});

describe('TestState without a mock', () => {
  test('should call the local service for real: an aws-sdk:ssm:sendCommand Task runs the command on a local instance', async () => {
    const result = await run({
      definition: j({
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ssm:sendCommand',
        Parameters: { DocumentName: 'AWS-RunShellScript', InstanceIds: [instance.instanceId], Parameters: { commands: ['echo from-test-state'] } },
        ResultSelector: { 'CommandId.$': '$.Command.CommandId' },
        End: true,
      }),
      roleArn: ROLE,
    });
    expect(result.status).toBe('SUCCEEDED');
    const { CommandId } = parsed(result.output) as { CommandId: string };
    let invocation = await engine.ssm.GetCommandInvocation({ CommandId, InstanceId: instance.instanceId }).catch(() => undefined);
    for (let i = 0; i < 200 && (invocation === undefined || !['Success', 'Failed'].includes(invocation.Status)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      invocation = await engine.ssm.GetCommandInvocation({ CommandId, InstanceId: instance.instanceId }).catch(() => undefined);
    }
    expect(invocation).toMatchObject({ Status: 'Success', StandardOutputContent: 'from-test-state\n' });
  });

  test('should report an error of the service as the Task error AWS names', async () => {
    const result = await run({
      definition: j({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:getDocument', Parameters: { Name: 'NoSuchDocument' }, End: true }),
      roleArn: ROLE,
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'Ssm.InvalidDocumentException' });
  });
});
