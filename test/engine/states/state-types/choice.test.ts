import { describe, expect, test } from 'vitest';
import { run } from '../run-machine.js';

const machine = (rule: object, extra: object = {}) => ({
  StartAt: 'C',
  States: {
    C: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No', ...extra },
    Yes: { Type: 'Pass', Result: 'yes', End: true },
    No: { Type: 'Pass', Result: 'no', End: true },
  },
});

describe('Choice', () => {
  test('should follow the matching rule when a comparison holds', async () => {
    expect((await run(machine({ Variable: '$.n', NumericGreaterThan: 1 }), { n: 2 })).output).toBe('yes');
    expect((await run(machine({ Variable: '$.s', StringMatches: 'log-*.txt' }), { s: 'log-1.txt' })).output).toBe('yes');
    expect((await run(machine({ Variable: '$.t', TimestampLessThanPath: '$.u' }), { t: '2020-01-01T00:00:00Z', u: '2020-01-01T00:00:01+00:00' })).output).toBe('yes');
  });

  test('should treat a type mismatch as false rather than an error when the operand types differ', async () => {
    expect((await run(machine({ Variable: '$.n', NumericEquals: 1 }), { n: '1' })).output).toBe('no');
  });

  test('should combine rules with And, Or and Not', async () => {
    const rule = { And: [{ Variable: '$.a', IsPresent: true }, { Not: { Variable: '$.a', IsNull: true } }, { Or: [{ Variable: '$.a', BooleanEquals: true }] }] };
    expect((await run(machine(rule), { a: true })).output).toBe('yes');
    expect((await run(machine(rule), { a: null })).output).toBe('no');
  });

  test('should fail with States.NoChoiceMatched when no rule matches and there is no Default', async () => {
    const r = await run({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Next: 'E' }] }, E: { Type: 'Succeed' } } });
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });

  test('should evaluate a JSONata Condition and the rule Output when the state uses JSONata', async () => {
    const r = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 1 %}', Next: 'Yes', Output: { via: 'rule' } }], Default: 'No' },
        Yes: { Type: 'Pass', End: true },
        No: { Type: 'Pass', Output: 'no', End: true },
      },
    }, { n: 5 });
    expect(r.output).toEqual({ via: 'rule' });
  });
});
