import { describe, expect, test } from 'vitest';
import { run } from './run-machine.js';

describe('execution history', () => {
  test('should chain previousEventId within each Parallel branch from ParallelStateStarted', async () => {
    const r = await run({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
          End: true,
        },
      },
    });
    const byId = new Map(r.events.map((e) => [e.id, e]));
    const started = r.events.find((e) => e.type === 'ParallelStateStarted')!;
    const entered = r.events.filter((e) => e.type === 'PassStateEntered');
    expect(entered.map((e) => e.previousEventId)).toEqual([started.id, started.id]);
    for (const e of r.events.filter((e) => e.type === 'PassStateExited')) {
      expect(byId.get(e.previousEventId)?.type).toBe('PassStateEntered');
    }
    expect(r.events.map((e) => e.id)).toEqual(r.events.map((_, i) => i + 1));
  });

  test('should record TaskScheduled with resource, region and parameters for aws-sdk tasks', async () => {
    const r = await run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', Parameters: { MaxResults: 1 }, TimeoutSeconds: 30, End: true } } });
    expect(r.events.find((e) => e.type === 'TaskScheduled')?.['taskScheduledEventDetails']).toEqual({
      resourceType: 'aws-sdk:ssm',
      resource: 'listDocuments',
      region: 'us-east-1',
      parameters: '{"MaxResults":1}',
      timeoutInSeconds: 30,
    });
  });
});
