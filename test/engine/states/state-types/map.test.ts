import { describe, expect, test } from 'vitest';
import { harness, run } from '../run-machine.js';

const processor = (states: object, mode?: string) => ({
  ...(mode === undefined ? {} : { ProcessorConfig: { Mode: mode, ...(mode === 'DISTRIBUTED' ? { ExecutionType: 'STANDARD' } : {}) } }),
  StartAt: Object.keys(states)[0],
  States: states,
});

describe('Map', () => {
  test('should run the item processor per item with ItemSelector and $$.Map.Item when given', async () => {
    const r = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemSelector: { 'v.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index', 'k.$': '$.k' },
            ItemProcessor: processor({ P: { Type: 'Pass', End: true } }),
            End: true,
          },
        },
      },
      { items: ['a', 'b'], k: 'K' },
    );
    expect(r.output).toEqual([
      { v: 'a', i: 0, k: 'K' },
      { v: 'b', i: 1, k: 'K' },
    ]);
    expect(r.events.filter((e) => e.type === 'MapIterationStarted').map((e) => e['mapIterationStartedEventDetails'])).toEqual([
      { name: 'M', index: 0 },
      { name: 'M', index: 1 },
    ]);
  });

  test('should never run more than MaxConcurrency iterations at once', async () => {
    const h = harness({ autoAdvance: false });
    let running = 0;
    let peak = 0;
    h.api.respond('ssm', 'ListDocuments', async () => {
      running++;
      peak = Math.max(peak, running);
      await h.clock.sleep(1000);
      running--;
      return {};
    });
    const arn = await h.start({
      StartAt: 'M',
      States: {
        M: { Type: 'Map', MaxConcurrency: 2, ItemProcessor: processor({ T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', Parameters: {}, End: true } }), End: true },
      },
    }, [1, 2, 3, 4, 5]);
    await h.clock.runAll();
    expect(await h.result(arn)).toEqual({ status: 'SUCCEEDED', output: [{}, {}, {}, {}, {}] });
    expect(peak).toBe(2);
  });

  test('should fail with States.ExceedToleratedFailureThreshold when more items fail than ToleratedFailureCount', async () => {
    const failing = processor({ C: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 1, Next: 'F' }], Default: 'OK' }, F: { Type: 'Fail', Error: 'Bad' }, OK: { Type: 'Pass', End: true } });
    const tolerated = await run({ StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: 1, ToleratedFailureCount: 2, ItemProcessor: failing, End: true } } }, [1, 2, 3]);
    expect(tolerated.status).toBe('SUCCEEDED');
    const exceeded = await run({ StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: 1, ToleratedFailureCount: 1, ItemProcessor: failing, End: true } } }, [1, 2, 3]);
    expect(exceeded).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  test('should fail with the item error when no tolerance is set', async () => {
    const r = await run({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: processor({ F: { Type: 'Fail', Error: 'ItemError', Cause: 'c' } }), End: true } } }, [1]);
    expect(r).toMatchObject({ status: 'FAILED', error: 'ItemError', cause: 'c' });
    expect(r.events.map((e) => e.type).slice(-3)).toEqual(['MapIterationFailed', 'MapStateFailed', 'ExecutionFailed']);
  });

  test('should record MapRun events and no iteration events when the Map is DISTRIBUTED over inline items', async () => {
    const r = await run({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: processor({ P: { Type: 'Pass', End: true } }, 'DISTRIBUTED'), End: true } } }, [1, 2]);
    expect(r.output).toEqual([1, 2]);
    expect(r.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
  });

  test('should fail loudly with States.Runtime when a Distributed Map needs S3 through ItemReader', async () => {
    const r = await run({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } },
          ItemProcessor: { ...processor({ P: { Type: 'Pass', End: true } }, 'DISTRIBUTED'), ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
          End: true,
        },
      },
    });
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(r.cause).toContain('ItemReader');
  });

  test('should group items into batches when ItemBatcher is given', async () => {
    const r = await run({
      StartAt: 'M',
      States: { M: { Type: 'Map', ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { b: 1 } }, ItemProcessor: processor({ P: { Type: 'Pass', End: true } }, 'DISTRIBUTED'), End: true } },
    }, [1, 2, 3]);
    expect(r.output).toEqual([{ BatchInput: { b: 1 }, Items: [1, 2] }, { BatchInput: { b: 1 }, Items: [3] }]);
  });
});
