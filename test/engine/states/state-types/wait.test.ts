import { describe, expect, test } from 'vitest';
import { harness, run, START } from '../run-machine.js';

describe('Wait', () => {
  test('should resume only after the virtual clock passes Seconds', async () => {
    const h = harness({ autoAdvance: false });
    const arn = await h.start({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
    await h.clock.advance(59_000);
    expect((await h.service.DescribeExecution({ executionArn: arn })).status).toBe('RUNNING');
    await h.clock.advance(1_000);
    expect(await h.result(arn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(h.clock.now()).toBe(START + 60_000);
  });

  test('should wait until TimestampPath when it is a valid ISO-8601 time', async () => {
    const h = harness();
    const arn = await h.start({ StartAt: 'W', States: { W: { Type: 'Wait', TimestampPath: '$.at', End: true } } }, { at: '2024-01-02T00:00:00Z' });
    await h.result(arn);
    expect(h.clock.now()).toBeGreaterThanOrEqual(Date.parse('2024-01-02T00:00:00Z'));
  });

  test('should fail with the AWS cause when SecondsPath is negative', async () => {
    const r = await run({ StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } }, { s: -1 });
    expect(r).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'W' (entered at the event id #2). The SecondsPath parameter references a negative value: $.s == -1",
    });
  });

  test('should end as ABORTED when StopExecution arrives during the wait', async () => {
    const h = harness({ autoAdvance: false });
    const arn = await h.start({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });
    await h.clock.advance(10);
    await h.service.StopExecution({ executionArn: arn, error: 'Stopped', cause: 'by test' });
    expect(await h.result(arn)).toEqual({ status: 'ABORTED', error: 'Stopped', cause: 'by test' });
    expect((await h.history(arn)).at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Stopped', cause: 'by test' } });
  });
});
