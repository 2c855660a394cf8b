import { describe, expect, test } from 'vitest';
import { ServiceError } from '../../../src/errors/service-error.js';
import { harness, run } from './run-machine.js';

describe('execution history', () => {
  test('should chain previousEventId within each Parallel branch from ParallelStateStarted', async () => {
    const r = await run({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
          End: true,
        },
      },
    });
    const byId = new Map(r.events.map((e) => [e.id, e]));
    const started = r.events.find((e) => e.type === 'ParallelStateStarted')!;
    const entered = r.events.filter((e) => e.type === 'PassStateEntered');
    expect(entered.map((e) => e.previousEventId)).toEqual([started.id, started.id]);
    for (const e of r.events.filter((e) => e.type === 'PassStateExited')) {
      expect(byId.get(e.previousEventId)?.type).toBe('PassStateEntered');
    }
    expect(r.events.map((e) => e.id)).toEqual(r.events.map((_, i) => i + 1));
  });

  test('should record TaskScheduled with resource, region and parameters for aws-sdk tasks', async () => {
    const r = await run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', Parameters: { MaxResults: 1 }, TimeoutSeconds: 30, End: true } } });
    expect(r.events.find((e) => e.type === 'TaskScheduled')?.['taskScheduledEventDetails']).toEqual({
      resourceType: 'aws-sdk:ssm',
      resource: 'listDocuments',
      region: 'us-east-1',
      parameters: '{"MaxResults":1}',
      timeoutInSeconds: 30,
    });
  });

  test('should record TaskStateAborted for every in-flight Task when a Map iteration fails, as AWS does', async () => {
    const h = harness();
    h.api.respond('ssm', 'ListDocuments', async (input) => {
      await h.clock.sleep(input['n'] === 0 ? 1_000 : 60_000);
      if (input['n'] === 0) throw new ServiceError('InternalServerError', 'boom', { fault: 'server' });
      return {};
    });
    const arn = await h.start({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemSelector: { 'n.$': '$$.Map.Item.Value' },
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', End: true } } },
          End: true,
        },
      },
    }, [0, 1]);
    expect(await h.result(arn)).toMatchObject({ status: 'FAILED', error: 'Ssm.InternalServerErrorException' });
    const types = (await h.history(arn)).map((e) => e.type);
    expect(types.slice(types.indexOf('TaskFailed'))).toEqual([
      'TaskFailed',
      'MapIterationFailed',
      'TaskStateAborted',
      'MapIterationAborted',
      'TaskStateAborted',
      'MapStateFailed',
      'ExecutionFailed',
    ]);
  });

  test('should record TaskStateAborted before ParallelStateFailed, and Catch nulls, when a callback fails without error', async () => {
    const h = harness({ autoAdvance: false });
    const arn = await h.start({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', Parameters: { 't.$': '$$.Task.Token' }, End: true } } }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Pass', End: true },
      },
    });
    await h.clock.advance(0);
    await h.service.SendTaskFailure({ taskToken: h.api.calls[0]!.input['t'] as string });
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: { error: { Error: null, Cause: null } } });
    const types = (await h.history(arn)).map((e) => e.type);
    expect(types.slice(types.indexOf('TaskFailed'), types.indexOf('TaskFailed') + 4)).toEqual(['TaskFailed', 'TaskStateAborted', 'ParallelStateFailed', 'ParallelStateExited']);
  });

  test('should give Catch an empty Cause for a States.Timeout, as AWS records it', async () => {
    const r = await run({
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', Parameters: { 't.$': '$$.Task.Token' }, TimeoutSeconds: 5, Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Done' }], End: true },
        Done: { Type: 'Pass', End: true },
      },
    });
    expect(r.output).toEqual({ Error: 'States.Timeout', Cause: '' });
  });
});
