import { describe, expect, test } from 'vitest';
import { retryDelayMs } from '../../../src/engine/states/error-handling.js';
import { errorEqualsMatches } from '../../../src/errors/states-errors.js';
import { harness, run } from './run-machine.js';

describe('Retry and Catch', () => {
  test('should grow the delay by BackoffRate and cap it at MaxDelaySeconds when retrying', () => {
    const retrier = { ErrorEquals: ['X'], IntervalSeconds: 2, BackoffRate: 3, MaxDelaySeconds: 10 };
    expect([0, 1, 2].map((n) => retryDelayMs(retrier, n))).toEqual([2000, 6000, 10000]);
    expect(retryDelayMs({ ErrorEquals: ['X'] }, 1)).toBe(2000);
    expect(retryDelayMs({ ErrorEquals: ['X'], IntervalSeconds: 4, JitterStrategy: 'FULL' }, 0, () => 0.25)).toBe(1000);
  });

  test('should match States.ALL and States.TaskFailed as AWS documents when comparing error names', () => {
    expect(errorEqualsMatches(['States.ALL'], 'Custom')).toBe(true);
    expect(errorEqualsMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
    expect(errorEqualsMatches(['States.TaskFailed'], 'Ssm.InvalidInstanceIdException')).toBe(true);
    expect(errorEqualsMatches(['States.ALL'], 'States.Runtime')).toBe(false);
    expect(errorEqualsMatches(['States.Runtime'], 'States.Runtime')).toBe(false);
    expect(errorEqualsMatches(['States.ALL'], 'States.DataLimitExceeded')).toBe(false);
    expect(errorEqualsMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded')).toBe(true);
  });

  test('should retry MaxAttempts times with backoff on the clock and then catch when errors persist', async () => {
    const h = harness();
    h.api.fail('ssm', 'ListDocuments', 'ThrottlingException', 'slow down');
    const arn = await h.start({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments',
          Retry: [{ ErrorEquals: ['Ssm.ThrottlingException'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Pass', End: true },
      },
    });
    const result = await h.result(arn);
    expect(h.api.calls).toHaveLength(3);
    // 1 s + 2 s of backoff; the clock also flows in real time while each (held) service call runs.
    const elapsed = h.clock.now() - Date.parse('2024-01-01T00:00:00.000Z');
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(4000);
    expect(result.output).toMatchObject({ error: { Error: 'Ssm.ThrottlingException' } });
  });

  test('should retry a Parallel state and show RetryCount in the context object when a branch fails', async () => {
    const r = await run({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E' } } }],
          Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1, IntervalSeconds: 1 }],
          Catch: [{ ErrorEquals: ['E'], Next: 'After' }],
          End: true,
        },
        After: { Type: 'Pass', End: true },
      },
    });
    expect(r.output).toEqual({ Error: 'E', Cause: '' });
    expect(r.events.filter((e) => e.type === 'ParallelStateStarted')).toHaveLength(2);
  });

  test('should not catch States.Runtime even with States.ALL', async () => {
    const r = await run({
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', InputPath: '$.nope', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: true },
        C: { Type: 'Pass', End: true },
      },
    });
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});
