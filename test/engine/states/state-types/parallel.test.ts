import { describe, expect, test } from 'vitest';
import { run } from '../run-machine.js';

describe('Parallel', () => {
  test('should output the array of branch outputs in branch order', async () => {
    const r = await run({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, Next: 'A' }, A: { Type: 'Pass', Result: 'slow', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'fast', End: true } } },
          ],
          ResultPath: '$.out',
          End: true,
        },
      },
    }, { in: 1 });
    expect(r.output).toEqual({ in: 1, out: ['slow', 'fast'] });
  });

  test('should let branches read outer variables but not leak their own when Assign is used', async () => {
    const r = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { outer: 1 }, Next: 'P' },
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', Assign: { inner: 2 }, Output: '{% $outer %}', End: true } } }],
          Next: 'Check',
        },
        Check: { Type: 'Pass', Output: '{% {"branches": $states.input, "leaked": $exists($inner)} %}', End: true },
      },
    });
    expect(r.output).toEqual({ branches: [1], leaked: false });
  });

  test('should fail with the branch error and record ParallelStateFailed when a branch fails', async () => {
    const r = await run({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E', Cause: 'C' } } }], End: true } } });
    expect(r).toMatchObject({ status: 'FAILED', error: 'E', cause: 'C' });
    expect(r.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted', 'FailStateEntered', 'ParallelStateFailed', 'ExecutionFailed']);
  });
});
