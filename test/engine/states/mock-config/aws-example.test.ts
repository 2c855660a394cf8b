/**
 * AWS's own Step Functions Local example (test/fixtures/sfn-local-mock-config, from the Step Functions Developer
 * Guide), run unchanged through the endpoint as its documentation runs it: CreateStateMachine, StartExecution on
 * `<stateMachineArn>#<TestCase>`, then DescribeExecution and GetExecutionHistory. Each test case is checked against
 * what the documentation says it does.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { LocalEngine } from '../../../../src/engine/local-engine.js';
import { MockConfig } from '../../../../src/engine/states/mock-config/index.js';
import { startLocalEndpoint } from '../../../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../../../src/server/server.js';

const fixtures = new URL('../../../fixtures/sfn-local-mock-config/', import.meta.url);
const definition = readFileSync(new URL('LambdaSQSIntegration.asl.json', fixtures), 'utf8');
const config = JSON.parse(readFileSync(new URL('MockConfigFile.json', fixtures), 'utf8')) as {
  MockedResponses: Record<string, Record<string, { Return?: unknown; Throw?: { Error: string; Cause: string } }>>;
};
const responses = config.MockedResponses;

let engine: LocalEngine;
let endpoint: LocalEndpoint;
let client: SFNClient;
let stateMachineArn: string;

beforeAll(async () => {
  engine = new LocalEngine({ clock: 'fast', mockConfig: MockConfig.load(new URL('MockConfigFile.json', fixtures).pathname) });
  // The role the documentation's walkthrough created in IAM first.
  engine.roles.define('arn:aws:iam::123456789012:role/service-role/LambdaSQSIntegration');
  endpoint = await startLocalEndpoint(engine);
  client = new SFNClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // As the documentation's create-state-machine step does.
  const created = await client.send(
    new CreateStateMachineCommand({ name: 'LambdaSQSIntegration', definition, roleArn: 'arn:aws:iam::123456789012:role/service-role/LambdaSQSIntegration' }),
  );
  stateMachineArn = created.stateMachineArn!;
});

afterAll(async () => {
  client.destroy();
  await endpoint.close();
  await engine.close();
});

async function run(testCase: string): Promise<{ status: string; output?: string; error?: string; cause?: string; events: HistoryEvent[] }> {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}#${testCase}`, name: `executionWith${testCase}`, input: '{}' }));
  expect(executionArn).toBe(`arn:aws:states:us-east-1:123456789012:execution:LambdaSQSIntegration:executionWith${testCase}`);
  await engine.sfn.waitForExecution(executionArn!);
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
  return { status: described.status!, ...pick(described), events: events ?? [] };
}

function pick(described: { output?: string | undefined; error?: string | undefined; cause?: string | undefined }): { output?: string; error?: string; cause?: string } {
  const out: { output?: string; error?: string; cause?: string } = {};
  if (described.output !== undefined) out.output = described.output;
  if (described.error !== undefined) out.error = described.error;
  if (described.cause !== undefined) out.cause = described.cause;
  return out;
}

/** The Task events of one state, in order: `[type, details]`. */
function taskEvents(events: HistoryEvent[], state: string): Array<[string, Record<string, unknown>]> {
  const entered = events.findIndex((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === state);
  const exited = events.findIndex((e, i) => i > entered && (e.type === 'TaskStateExited' || e.type === 'ExecutionFailed'));
  return events
    .slice(entered + 1, exited)
    .filter((e) => e.type?.startsWith('Task') === true)
    .map((e) => {
      const key = Object.keys(e).find((k) => k.endsWith('EventDetails'));
      return [String(e.type), (key === undefined ? {} : (e as unknown as Record<string, unknown>)[key]) as Record<string, unknown>];
    });
}

describe("AWS's Step Functions Local mock configuration example", () => {
  test('HappyPath: LambdaState and SQSState return their mocked responses, and the Lambda output is the SQS input', async () => {
    const result = await run('HappyPath');
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toEqual(responses['MockedSQSSuccess']!['0']!.Return);
    const lambda = taskEvents(result.events, 'LambdaState');
    expect(lambda.map(([type]) => type)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
    expect(lambda[0]![1]).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(JSON.parse(lambda[0]![1]['parameters'] as string)).toEqual({ Payload: {}, FunctionName: 'HelloWorldFunction' });
    expect(JSON.parse(lambda[2]![1]['output'] as string)).toEqual(responses['MockedLambdaSuccess']!['0']!.Return);
    const sqsEntered = result.events.find((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'SQSState');
    expect(JSON.parse(sqsEntered!.stateEnteredEventDetails!.input!)).toEqual(responses['MockedLambdaSuccess']!['0']!.Return);
    const sqs = taskEvents(result.events, 'SQSState');
    expect(sqs.map(([type]) => type)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
    expect(sqs[2]![1]).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage' });
  });

  test('RetryPath: LambdaState fails on invocation 0 and retries 1-2, succeeds on retry 3, and SQSState returns its mock', async () => {
    const result = await run('RetryPath');
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toEqual(responses['MockedSQSSuccess']!['0']!.Return);
    const lambda = taskEvents(result.events, 'LambdaState');
    const failures = lambda.filter(([type]) => type === 'TaskFailed').map(([, d]) => [d['error'], d['cause']]);
    expect(failures).toEqual([
      ['Lambda.ResourceNotReadyException', 'Lambda resource is not ready.'],
      ['Lambda.TimeoutException', 'Lambda timed out.'],
      ['Lambda.TimeoutException', 'Lambda timed out.'],
    ]);
    expect(lambda.filter(([type]) => type === 'TaskScheduled')).toHaveLength(4);
    expect(lambda.at(-1)![0]).toBe('TaskSucceeded');
    expect(JSON.parse(lambda.at(-1)![1]['output'] as string)).toEqual(responses['MockedLambdaRetry']!['3']!.Return);
  });

  test('HybridPath: LambdaState is mocked and SQSState calls the real service, which the local engine does not have', async () => {
    const result = await run('HybridPath');
    const lambda = taskEvents(result.events, 'LambdaState');
    expect(lambda.map(([type]) => type)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toContain("service integration 'sqs'");
    const sqs = taskEvents(result.events, 'SQSState');
    expect(sqs.map(([type]) => type)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskFailed']);
  });

  test('should refuse a test case the configuration does not define, naming the ones it does', async () => {
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}#SadPath` }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('its test cases: HappyPath, RetryPath, HybridPath'),
    });
  });
});
