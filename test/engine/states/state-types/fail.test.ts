import { describe, expect, test } from 'vitest';
import { run } from '../run-machine.js';

describe('Fail', () => {
  test('should fail the execution with ErrorPath and CausePath when they select strings', async () => {
    const r = await run({ StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.e', CausePath: "States.Format('because {}', $.c)" } } }, { e: 'Boom', c: 'x' });
    expect(r).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'because x' });
    expect(r.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  test('should report neither error nor cause when the Fail state sets none', async () => {
    const r = await run({ StartAt: 'F', States: { F: { Type: 'Fail' } } });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBeUndefined();
    expect(r.cause).toBeUndefined();
  });
});
