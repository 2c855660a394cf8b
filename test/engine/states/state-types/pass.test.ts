import { describe, expect, test } from 'vitest';
import { run } from '../run-machine.js';

describe('Pass', () => {
  test('should place Result at ResultPath when both are given', async () => {
    const r = await run({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { x: 1 }, ResultPath: '$.r', End: true } } }, { a: 1 });
    expect(r).toMatchObject({ status: 'SUCCEEDED', output: { a: 1, r: { x: 1 } } });
  });

  test('should build Parameters with paths, the context object and intrinsics when keys end in .$', async () => {
    const r = await run(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Pass',
            Parameters: { v: 'lit', 'a.$': '$.a', 'name.$': '$$.State.Name', 'f.$': "States.Format('n={}', $.a)", nested: { 'b.$': '$.b[1]' } },
            End: true,
          },
        },
      },
      { a: 7, b: [1, 2] },
    );
    expect(r.output).toEqual({ v: 'lit', a: 7, name: 'P', f: 'n=7', nested: { b: 2 } });
  });

  test('should keep the input when ResultPath is null and apply OutputPath when given', async () => {
    const r = await run({ StartAt: 'P', States: { P: { Type: 'Pass', Result: 1, ResultPath: null, OutputPath: '$.keep', End: true } } }, { keep: 'k' });
    expect(r.output).toBe('k');
  });

  test('should evaluate JSONata Output and Assign when the state uses JSONata', async () => {
    const r = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { total: '{% $states.input.x + 1 %}' }, Output: { seen: '{% $states.input.x %}' }, Next: 'B' },
        B: { Type: 'Pass', Output: '{% $total * 10 %}', End: true },
      },
    }, { x: 4 });
    expect(r.output).toBe(50);
    const exited = r.events.find((e) => e.type === 'PassStateExited');
    expect(exited?.['stateExitedEventDetails']).toMatchObject({ name: 'A', assignedVariables: { total: '5' } });
  });

  test('should fail with States.Runtime naming the state when an InputPath selects nothing', async () => {
    const r = await run({ StartAt: 'P', States: { P: { Type: 'Pass', InputPath: '$.missing', End: true } } }, {});
    expect(r).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']",
    });
  });

  test('should fail with States.DataLimitExceeded when the output exceeds 262144 bytes', async () => {
    const r = await run({ StartAt: 'P', States: { P: { Type: 'Pass', Result: 'x'.repeat(262_144), End: true } } });
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(r.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
  });
});
