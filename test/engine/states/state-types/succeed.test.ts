import { describe, expect, test } from 'vitest';
import { run } from '../run-machine.js';

describe('Succeed', () => {
  test('should end the execution with the filtered input when InputPath and OutputPath are given', async () => {
    const r = await run({ StartAt: 'S', States: { S: { Type: 'Succeed', InputPath: '$.a', OutputPath: '$.b' } } }, { a: { b: 3 } });
    expect(r).toMatchObject({ status: 'SUCCEEDED', output: 3 });
    expect(r.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });
});
