import { describe, expect, test } from 'vitest';
import { run } from './run-machine.js';

/** A Map over [1, 2] with one `*Path` field reading `$.value`. */
function mapWith(field: string): unknown {
  return {
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemsPath: '$.items',
        [field]: '$.value',
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
      },
    },
  };
}

const located = (state: string, cause: string): string => `An error occurred while executing the state '${state}' (entered at the event id #2). ${cause}`;

describe('numbers read by *Path fields (the same rule for every sibling)', () => {
  test.each(['MaxConcurrencyPath', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'])('%s should take a numeric string as its number', async (field) => {
    expect(await run(mapWith(field), { items: [1, 2], value: '1' })).toMatchObject({ status: 'SUCCEEDED', output: [1, 2] });
  });

  test.each([
    ['MaxConcurrencyPath', 'integer'],
    ['ToleratedFailureCountPath', 'integer'],
    ['ToleratedFailurePercentagePath', 'float'],
  ])('%s should refuse a value that is not a number with the recorded wording', async (field, kind) => {
    const result = await run(mapWith(field), { items: [1], value: 'NoNumber' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: located('M', `The ${field} field refers to value "NoNumber" which is not a valid ${kind}: $.value`) });
    expect((await run(mapWith(field), { items: [1], value: {} })).cause).toBe(located('M', `The ${field} field refers to value "{}" which is not a valid ${kind}: $.value`));
  });

  test('should refuse integer fields given a fraction, and range-check what parses', async () => {
    expect((await run(mapWith('MaxConcurrencyPath'), { items: [1], value: 1.5 })).cause).toBe(located('M', 'The MaxConcurrencyPath field refers to value "1.5" which is not a valid integer: $.value'));
    expect((await run(mapWith('ToleratedFailurePercentagePath'), { items: [1], value: '1.5' })).status).toBe('SUCCEEDED');
    expect((await run(mapWith('ToleratedFailurePercentagePath'), { items: [1], value: '100.1' })).cause).toBe(located('M', 'ToleratedFailurePercentage must be between 0 and 100.'));
    expect((await run(mapWith('ToleratedFailureCountPath'), { items: [1], value: -1 })).cause).toBe(located('M', 'ToleratedFailureCount cannot be negative.'));
  });

  test('should read seconds paths alike: Wait SecondsPath and Task TimeoutSecondsPath/HeartbeatSecondsPath', async () => {
    const wait = { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } };
    expect(await run(wait, { s: '2' })).toMatchObject({ status: 'SUCCEEDED' });
    expect((await run(wait, { s: 1.5 })).cause).toBe(located('W', 'The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5'));
    expect((await run(wait, { s: -1 })).cause).toBe(located('W', 'The SecondsPath parameter references a negative value: $.s == -1'));
    const task = (field: string) => ({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:listActivities', [field]: '$.s', End: true } } });
    expect((await run(task('TimeoutSecondsPath'), { s: 'soon' })).cause).toBe(located('T', 'The TimeoutSecondsPath parameter cannot be parsed as a long value: $.s == soon'));
    expect((await run(task('HeartbeatSecondsPath'), { s: -3 })).cause).toBe(located('T', 'The HeartbeatSecondsPath parameter references a negative value: $.s == -3'));
  });
});
