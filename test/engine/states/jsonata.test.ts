import { describe, expect, test } from 'vitest';
import { evaluateExpression, evaluateTemplate, isJsonataExpression } from '../../../src/engine/states/jsonata.js';

const scope = {
  states: { input: { n: [1, 2, 3] }, context: { Execution: { Name: 'e' } } },
  variables: { v: 10 },
  now: () => Date.parse('2024-01-01T00:00:00.000Z'),
  uuid: () => 'uuid-1',
};

describe('JSONata', () => {
  test('should recognise only whole {% %} strings as expressions', () => {
    expect(isJsonataExpression('{% 1 %}')).toBe(true);
    expect(isJsonataExpression(' {% 1 %} ')).toBe(false);
    expect(isJsonataExpression('$states.input')).toBe(false);
  });

  test('should bind $states, variables, the injected clock and the AWS functions', async () => {
    expect(await evaluateExpression('{% $sum($states.input.n) + $v %}', scope, 'Output')).toBe(16);
    expect(await evaluateExpression('{% $now() %}', scope, 'Output')).toBe('2024-01-01T00:00:00.000Z');
    expect(await evaluateExpression('{% $partition([1,2,3], 2) %}', scope, 'Output')).toEqual([[1, 2], [3]]);
    expect(await evaluateExpression('{% $range(0, 4, 2) %}', scope, 'Output')).toEqual([0, 2, 4]);
    expect(await evaluateExpression("{% $hash('input data', 'SHA-256') %}", scope, 'Output')).toBe('b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3');
    expect(await evaluateExpression('{% $parse(\'{"a":1}\') %}', scope, 'Output')).toEqual({ a: 1 });
    expect(await evaluateExpression('{% $uuid() %}', scope, 'Output')).toBe('uuid-1');
  });

  test('should evaluate templates recursively and leave other strings alone', async () => {
    expect(await evaluateTemplate({ a: '{% $v %}', b: ['{% $v * 2 %}', 'lit'], c: 'x {% 1 %}' }, scope, 'Output')).toEqual({ a: 10, b: [20, 'lit'], c: 'x {% 1 %}' });
  });

  test('should fail with States.QueryEvaluationError naming the field when the result is undefined or an error', async () => {
    await expect(evaluateExpression('{% $nope %}', scope, 'Assign/x')).rejects.toMatchObject({
      name: 'States.QueryEvaluationError',
      cause: "The JSONata expression '$nope' specified for the field 'Assign/x' returned nothing (undefined).",
    });
    await expect(evaluateExpression('{% $nope() %}', scope, 'Output')).rejects.toMatchObject({
      name: 'States.QueryEvaluationError',
      cause: "The JSONata expression '$nope()' specified for the field 'Output' threw an error during evaluation. T1006: Attempted to invoke a non-function",
    });
    await expect(evaluateExpression('{% function($x){$x} %}', scope, 'Output')).rejects.toMatchObject({ cause: expect.stringContaining('unsupported result type') });
  });
});
