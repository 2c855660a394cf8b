import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { VirtualClock } from '../../../../src/engine/clock.js';
import { sequentialIds } from '../../../../src/engine/ids.js';
import { MockConfig, MockConfigError } from '../../../../src/engine/states/mock-config/index.js';
import { StepFunctionsService } from '../../../../src/engine/states/service.js';
import { RecordingAwsApi } from '../../../helpers/fixtures.js';

const ROLE = 'arn:aws:iam::123456789012:role/r';

function service(config: unknown): { sfn: StepFunctionsService; api: RecordingAwsApi } {
  const api = new RecordingAwsApi();
  const sfn = new StepFunctionsService({ clock: new VirtualClock({ autoAdvance: true }), ids: sequentialIds(), awsApi: api, mockConfig: MockConfig.parse(config) });
  return { sfn, api };
}

async function runCase(sfn: StepFunctionsService, name: string, definition: unknown, testCase: string, input = '{}') {
  const { stateMachineArn } = await sfn.CreateStateMachine({ name, definition: JSON.stringify(definition), roleArn: ROLE });
  const { executionArn } = await sfn.StartExecution({ stateMachineArn: `${stateMachineArn}#${testCase}`, input });
  const result = await sfn.waitForExecution(executionArn);
  const { events } = await sfn.GetExecutionHistory({ executionArn });
  return { result, events };
}

const returns = (value: unknown) => ({ '0': { Return: value } });

describe('MockConfig', () => {
  test('should report every problem of a bad configuration with its JSON path', () => {
    const bad = {
      StateMachines: { M: { TestCases: { T: { A: 'Missing', B: 7 } }, Extra: 1 }, N: [] },
      MockedResponses: {
        R: { '0': { Return: 1, Throw: { Error: 'E', Cause: 'C' } }, 'x-1': { Return: 1 }, '3-2': { Return: 1 }, '1-4': { Return: 1 }, '2': { Return: 2 } },
        S: { '0': { Throw: { Error: 1 } } },
      },
      Other: true,
    };
    let error: unknown;
    try {
      MockConfig.parse(bad, 'bad.json');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(MockConfigError);
    const issues = (error as MockConfigError).issues.map((i) => `${i.path} ${i.code}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        '$.Other UnknownField',
        '$.MockedResponses.R["0"] ReturnOrThrow',
        '$.MockedResponses.R["x-1"] InvalidInvocationRange',
        '$.MockedResponses.R["3-2"] InvalidInvocationRange',
        '$.MockedResponses.R["1-4"] OverlappingInvocations',
        '$.MockedResponses.S["0"].Throw.Error NotString',
        '$.MockedResponses.S["0"].Throw.Cause NotString',
        '$.StateMachines.M.Extra UnknownField',
        '$.StateMachines.M.TestCases.T.A UnknownMockedResponse',
        '$.StateMachines.M.TestCases.T.B NotString',
        '$.StateMachines.N NotObject',
      ]),
    );
    expect((error as Error).message).toContain("bad.json is not a valid mock configuration:\n  $.Other: Unknown field 'Other'");
  });

  test('should name the file and the JSON error when a file cannot be used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-config-'));
    try {
      const file = join(dir, 'MockConfigFile.json');
      writeFileSync(file, '{"StateMachines": ');
      expect(() => MockConfig.load(file)).toThrow(/MockConfigFile\.json is not a valid mock configuration:\n {2}\$: The mock configuration is not valid JSON/);
      expect(() => MockConfig.load(join(dir, 'absent.json'))).toThrow(/Cannot read the mock configuration/);
      expect(() => MockConfig.parse([])).toThrow(/must be a JSON object/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('should return a mocked .waitForTaskToken Task without a callback, and never call the service', async () => {
    const { sfn, api } = service({ StateMachines: { M: { TestCases: { T: { Wait: 'Done' } } } }, MockedResponses: { Done: returns({ ok: true }) } });
    const definition = {
      StartAt: 'Wait',
      States: { Wait: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', Parameters: { 'Token.$': '$$.Task.Token' }, End: true } },
    };
    const { result, events } = await runCase(sfn, 'M', definition, 'T');
    expect(result).toEqual({ status: 'SUCCEEDED', output: { ok: true } });
    expect(api.calls).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(JSON.parse((events[2]!['taskScheduledEventDetails'] as { parameters: string }).parameters).Token).toMatch(/^AQ/);
  });

  test('should count invocations per state across Map iterations, and fail the execution when one has no response', async () => {
    const { sfn } = service({
      StateMachines: { M: { TestCases: { Two: { Item: 'Twice' } } } },
      MockedResponses: { Twice: { '0-1': { Return: 'ok' } } },
    });
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
          End: true,
        },
      },
    };
    expect((await runCase(sfn, 'M', definition, 'Two', '[1,2]')).result).toEqual({ status: 'SUCCEEDED', output: ['ok', 'ok'] });
    const third = await runCase(sfn, 'M2', definition, 'Two', '[1,2,3]').catch((error: unknown) => error);
    // M2 has no test cases: the configuration is per state machine name.
    expect(third).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("defines no test cases for 'M2'") });
    const { sfn: again } = service({ StateMachines: { M: { TestCases: { Two: { Item: 'Twice' } } } }, MockedResponses: { Twice: { '0-1': { Return: 'ok' } } } });
    const { result } = await runCase(again, 'M', definition, 'Two', '[1,2,3]');
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toContain("has no response for invocation 2 of state 'Item'");
  });

  test('should throw mocked errors into Retry and Catch like real task failures', async () => {
    const { sfn } = service({
      StateMachines: { M: { TestCases: { T: { Call: 'Flaky' } } } },
      MockedResponses: { Flaky: { '0': { Throw: { Error: 'Boom', Cause: 'first' } }, '1': { Throw: { Error: 'Other', Cause: 'second' } } } },
    });
    const definition = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments',
          Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['Other'], ResultPath: '$.failure', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const { result, events } = await runCase(sfn, 'M', definition, 'T', '{"a":1}');
    expect(result).toEqual({ status: 'SUCCEEDED', output: { a: 1, failure: { Error: 'Other', Cause: 'second' } } });
    expect(events.filter((e) => e.type === 'TaskFailed').map((e) => (e['taskFailedEventDetails'] as { error: string }).error)).toEqual(['Boom', 'Other']);
  });

  test('should refuse a test case that mocks a state the definition has no Task of, and an unknown test case', async () => {
    const { sfn } = service({ StateMachines: { M: { TestCases: { T: { Typo: 'R' } } } }, MockedResponses: { R: returns(1) } });
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    await expect(runCase(sfn, 'M', definition, 'T')).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("mocks 'Typo'") });
    const plain = new StepFunctionsService({ awsApi: new RecordingAwsApi() });
    const { stateMachineArn } = await plain.CreateStateMachine({ name: 'M', definition: JSON.stringify(definition), roleArn: ROLE });
    await expect(plain.StartExecution({ stateMachineArn: `${stateMachineArn}#T` })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('No mock configuration is loaded') });
  });
});
