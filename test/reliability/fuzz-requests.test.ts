/**
 * Fuzzing the engine's API with random and malformed requests (issue 7): StartAutomationExecution, SendCommand and
 * StartExecution (of state machines whose Task passes random runbook parameters), through the engine's internal
 * dispatch — the path Task states and `aws:executeAwsApi` use, which has no request-shape check in front of it.
 * Every call must get a result or a ServiceError with an AWS error name, and once the engine comes to rest every
 * execution has ended, no task token waits, and no instance process runs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { isServiceError } from '../../src/errors/service-error.js';
import type { JsonObject } from '../../src/model/json.js';
import { anyString, anyValue, maybe, record, safeCommand } from './arbitraries.js';
import { Harness } from './harness.js';

/** A name AWS could return in `__type`: PascalCase letters and digits. */
const AWS_ERROR_NAME = /^[A-Z][A-Za-z0-9]*$/;

let h: Harness;
let instanceIds: string[] = [];
const errorNames = new Map<string, number>();
let calls = 0;
let results = 0;

beforeAll(async () => {
  h = new Harness('ours');
  await h.deploy();
  const [online, offline] = h.addInstances(2);
  h.engine.instances.goOffline(offline!.instanceId);
  instanceIds = [online!.instanceId, offline!.instanceId];
});

afterAll(async () => {
  const names = [...errorNames.entries()].sort((a, b) => b[1] - a[1]);
  const outcomes = new Map<string, number>();
  for (const arn of h.executionArns) {
    const d = await h.engine.sfn.DescribeExecution({ executionArn: arn });
    const k = d.status === 'FAILED' ? String(d.error) : d.status;
    if (process.env['FUZZ_DEBUG'] !== undefined) console.log('EXEC', k, String(d.cause).slice(0, 300));
    outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  }
  const automations = await h.automationStatuses();
  console.log(`request fuzz: ${calls} calls, ${results} results, errors: ${names.map(([n, c]) => `${n} ${c}`).join(', ')}`);
  await h.close();
  console.log(`request fuzz: ${executionsStarted} executions started, all ended: ${[...outcomes.entries()].map(([n, c]) => `${n} ${c}`).join(', ')}; ${automations.length} automations`);
});

/** Calls one operation; returns its result, or records the AWS error (anything else fails the property). */
async function call(service: 'ssm' | 'sfn', operation: string, input: unknown): Promise<unknown> {
  calls++;
  try {
    const out = await h.engine.api.call(service, operation, input as JsonObject);
    results++;
    return out;
  } catch (error) {
    if (!isServiceError(error)) throw new Error(`${service}:${operation} threw a non-AWS error: ${String((error as Error)?.stack ?? error)}`, { cause: error });
    if (!AWS_ERROR_NAME.test(error.name) || error.name === 'InternalServerError' || error.$fault === 'server') {
      throw new Error(`${service}:${operation} answered ${error.name} (${error.$fault}): ${error.message}`);
    }
    errorNames.set(error.name, (errorNames.get(error.name) ?? 0) + 1);
    if (process.env['FUZZ_DEBUG'] !== undefined) console.log(operation, error.name, error.message.slice(0, 1500));
    return undefined;
  }
}

const RUNBOOK_PARAMETERS = ['AutomationAssumeRole', 'InstanceIds', 'Targets', 'taskToken', 'shell', 'workingDirectory', 'executionTimeout', 'deliveryTimeout', 'MaxConcurrency', 'MaxErrors', 'CloudWatchOutputEnabled', 'CloudWatchLogGroupName', 'OutputS3BucketName', 'OutputS3KeyPrefix', 'Comment', 'nope', ''];

/** Commands, right or wrongly typed, but never a random string on a command line. */
const commandsValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.array(safeCommand, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, {}, [], [{}], [null], 'true', ['true', 7]) },
);

/** Ids that exist (one online, one offline), look right but are unknown, or are not ids. */
const instanceId: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('').map(() => instanceIds[0]!) },
  { weight: 2, arbitrary: fc.constant('').map(() => instanceIds[1]!) },
  { weight: 1, arbitrary: fc.constantFrom('i-0123456789abcdef0', 'mi-0123456789abcdef0', 'i-123') },
  { weight: 1, arbitrary: anyString },
);

/** Plausible values per runbook parameter, so that many requests get past validation and really run. */
const plausible: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  shell: fc.constantFrom(['Shell'], ['Shell'], ['Shell'], ['PowerShell'], ['shell']),
  workingDirectory: fc.constantFrom(['/tmp'], ['relative/dir'], ['/does/not/exist']),
  executionTimeout: fc.constantFrom(['60'], ['5'], ['172800'], ['60'], ['x']),
  deliveryTimeout: fc.constantFrom(['30'], ['600'], ['2592000'], ['29']),
  MaxConcurrency: fc.constantFrom(['1'], ['50%'], ['0']),
  MaxErrors: fc.constantFrom(['0'], ['1'], ['100%']),
  CloudWatchOutputEnabled: fc.constantFrom(['true'], ['false']),
  Comment: fc.constantFrom(['hi'], ['hi'], ['hi'], ['c'.repeat(101)]),
  OutputS3BucketName: fc.constantFrom(['bucket']),
};

/** Runbook parameters as StartAutomationExecution takes them: a valid base, then up to three random changes. */
const runbookParameters: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.array(instanceId, { minLength: 1, maxLength: 3 }),
    commandsValue,
    // Half the time no random change at all, so that many executions really run their commands.
    fc.oneof(
      fc.constant({}),
      fc.dictionary(fc.constantFrom(...RUNBOOK_PARAMETERS), fc.oneof(fc.array(anyString, { maxLength: 3 }), anyValue), { minKeys: 1, maxKeys: 2 }),
    ),
    fc.record(plausible, { requiredKeys: [] }),
  )
  .chain(([ids, commands, changes, good]) =>
    fc.constant({ InstanceIds: ids, Commands: commands, ...good, ...Object.fromEntries(Object.entries(changes).filter(([k, v]) => k !== 'Commands' && v !== undefined)) } as Record<string, unknown>),
  );

const documentName = fc.oneof(
  { weight: 3, arbitrary: fc.constant('SfnRunCommandByInstanceIds') },
  { weight: 1, arbitrary: fc.constantFrom('SfnRunCommandByTargets', 'AWS-RunShellScript', 'Nope', 'x', '') },
);

const startAutomation = record({
  DocumentName: maybe(documentName),
  DocumentVersion: fc.option(fc.constantFrom('$DEFAULT', '$LATEST', '1', '2', '0'), { nil: undefined, freq: 1 }),
  Parameters: maybe(runbookParameters),
  Mode: maybe(fc.constantFrom('Auto', 'Interactive')),
  ClientToken: maybe(fc.uuid()),
  Tags: maybe(fc.array(record({ Key: maybe(anyString), Value: maybe(anyString) }), { maxLength: 2 })),
});

/** AWS-RunShellScript parameters; `commands` is only ever safe. */
const commandParameters = fc
  .tuple(fc.dictionary(fc.constantFrom('workingDirectory', 'executionTimeout', 'nope'), fc.oneof(fc.array(anyString, { maxLength: 2 }), anyValue), { maxKeys: 2 }), maybe(commandsValue))
  .map(([rest, commands]) => (commands === undefined ? rest : { ...rest, commands }));

const sendCommand = record({
  DocumentName: maybe(fc.constantFrom('AWS-RunShellScript', 'AWS-RunPowerShellScript', 'Nope', '')),
  DocumentVersion: maybe(fc.constantFrom('$DEFAULT', '$LATEST', '1', '7')),
  InstanceIds: maybe(fc.array(instanceId, { maxLength: 3 })),
  Targets: maybe(fc.array(record({ Key: maybe(fc.constantFrom('tag:Env', 'InstanceIds', 'tag-key', 'resource-groups:Name', 'bad key!')), Values: maybe(fc.array(anyString, { maxLength: 2 })) }), { maxLength: 2 })),
  Parameters: maybe(commandParameters),
  TimeoutSeconds: maybe(fc.integer({ min: -10, max: 3_000_000 })),
  MaxConcurrency: maybe(fc.constantFrom('1', '50', '50%', '0', '-1', 'abc', '101%')),
  MaxErrors: maybe(fc.constantFrom('0', '1', '10%', '-1', 'abc')),
  Comment: maybe(anyString),
});

/** A sample-like state machine whose Task passes the random parameters; some definitions are rejected at creation. */
const machineParameters = fc.record({
  document: documentName,
  parameters: runbookParameters,
  timeout: fc.constantFrom(60, 4500, 4500, 4500, 0),
});

let machineCount = 0;
let executionsStarted = 0;

async function startMachine(spec: { document: string; parameters: Record<string, unknown>; timeout: number }, input: unknown, name: unknown): Promise<void> {
  // input and name may be of any type: the dispatch must answer SerializationException, not throw.
  const definition = JSON.stringify({
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
        Parameters: { DocumentName: spec.document, Parameters: { ...spec.parameters, 'taskToken.$': 'States.Array($$.Task.Token)' } },
        TimeoutSeconds: spec.timeout,
        End: true,
      },
    },
  });
  const created = (await call('sfn', 'CreateStateMachine', { name: `fuzz-${machineCount++}`, definition, roleArn: 'arn:aws:iam::123456789012:role/fuzz' })) as { stateMachineArn?: string } | undefined;
  if (created === undefined && process.env['FUZZ_DEBUG'] !== undefined) console.log('DEF', JSON.stringify(spec.parameters).slice(0, 600));
  const arn = created?.stateMachineArn ?? 'arn:aws:states:us-east-1:123456789012:stateMachine:missing';
  const started = (await call('sfn', 'StartExecution', { stateMachineArn: arn, ...(input === undefined ? {} : { input }), ...(name === undefined ? {} : { name }) })) as { executionArn?: string } | undefined;
  if (started?.executionArn !== undefined) {
    h.executionArns.push(started.executionArn);
    executionsStarted++;
  }
}

/** Drives the engine to rest and returns the invariants it violates. */
async function settleAndCheck(): Promise<string[]> {
  const drive = await h.clock.drive(() => h.quiescent(), { maxVirtualMs: 400 * 86_400_000, maxRealMs: 8_000 });
  return [...(await h.observe(drive)).violations];
}

describe('request fuzzing', () => {
  test('should answer with a result or an AWS-named error when StartAutomationExecution and SendCommand requests are random or malformed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(startAutomation.map((i) => ['StartAutomationExecution', i] as const), sendCommand.map((i) => ['SendCommand', i] as const)), { minLength: 1, maxLength: 4 }), async (requests) => {
        for (const [operation, input] of requests) await call('ssm', operation, input);
        expect(await settleAndCheck()).toEqual([]);
      }),
      { numRuns: 150, interruptAfterTimeLimit: 9_000 },
    );
  });

  test('should end every execution with no token pending and no process running when state machines pass random runbook parameters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            machineParameters,
            maybe(fc.constantFrom('{}', '{"a":1}', '[]', 'not json', '')),
            fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: maybe(fc.constantFrom('ok', 'bad name', '', 'x'.repeat(81))) }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        async (machines) => {
          for (const [spec, input, name] of machines) await startMachine(spec, input, name);
          expect(await settleAndCheck()).toEqual([]);
        },
      ),
      { numRuns: 150, interruptAfterTimeLimit: 9_000 },
    );
  });

  test('should reject StartExecution with an AWS-named error when its arguments are random', async () => {
    await fc.assert(
      fc.asyncProperty(record({ stateMachineArn: maybe(anyString), input: maybe(anyString), name: maybe(anyString), traceHeader: maybe(anyString) }), async (input) => {
        const out = await call('sfn', 'StartExecution', input);
        // None of these names an existing state machine, so none may start.
        expect(out).toBeUndefined();
      }),
      { numRuns: 100, interruptAfterTimeLimit: 5_000 },
    );
  });
});
