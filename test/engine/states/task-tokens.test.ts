import { describe, expect, test } from 'vitest';
import { sequentialIds } from '../../../src/engine/ids.js';
import { DEFAULT_TASK_TOKEN_LENGTH, TaskTokens } from '../../../src/engine/states/task-tokens.js';

describe('Task tokens', () => {
  test('should issue unique opaque tokens of the configured length (default 512, SSM parameter limit)', () => {
    const tokens = new TaskTokens(sequentialIds());
    const a = tokens.issue();
    const b = tokens.issue();
    expect(DEFAULT_TASK_TOKEN_LENGTH).toBe(512);
    expect(a).toHaveLength(512);
    expect(a).not.toBe(b);
    expect(new TaskTokens(sequentialIds(), 1024).issue()).toHaveLength(1024);
    expect(() => new TaskTokens(sequentialIds(), 4096)).toThrow(RangeError);
  });

  test('should answer InvalidToken, TaskDoesNotExist and TaskTimedOut as AWS does when the token is not waiting', () => {
    const tokens = new TaskTokens(sequentialIds());
    expect(() => tokens.sendTaskSuccess({ taskToken: 'garbage-token', output: '{}' })).toThrow(expect.objectContaining({ name: 'InvalidToken' }));
    const unknown = tokens.issue();
    expect(() => tokens.sendTaskSuccess({ taskToken: unknown, output: '{}' })).toThrow(expect.objectContaining({ name: 'TaskDoesNotExist' }));
    tokens.close(unknown);
    expect(() => tokens.sendTaskHeartbeat({ taskToken: unknown })).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  test('should name the owning state machine of a waiting or closed token, and nothing for an unknown one', () => {
    const tokens = new TaskTokens(sequentialIds());
    const token = tokens.issue();
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:m';
    const release = tokens.wait(token, { settle: () => undefined, heartbeat: () => undefined, stateMachineArn: arn });
    expect(tokens.stateMachineArnOf(token)).toBe(arn);
    release();
    expect(tokens.stateMachineArnOf(token)).toBe(arn);
    expect(tokens.stateMachineArnOf(tokens.issue())).toBeUndefined();
  });

  test('should validate output, error and cause against the API limits', () => {
    const tokens = new TaskTokens(sequentialIds());
    const token = tokens.issue();
    const outcomes: unknown[] = [];
    tokens.wait(token, { settle: (o) => outcomes.push(o), heartbeat: () => undefined });
    expect(() => tokens.sendTaskSuccess({ taskToken: token, output: 'not json' })).toThrow(expect.objectContaining({ name: 'InvalidOutput' }));
    expect(() => tokens.sendTaskSuccess({ taskToken: token, output: `"${'x'.repeat(262_144)}"` })).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => tokens.sendTaskFailure({ taskToken: token, error: 'e'.repeat(257) })).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => tokens.sendTaskFailure({ taskToken: token, cause: 'c'.repeat(32_769) })).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(() => tokens.sendTaskSuccess({ taskToken: 'x'.repeat(2049), output: '{}' })).toThrow(expect.objectContaining({ name: 'ValidationException' }));
    expect(outcomes).toEqual([]);
    tokens.sendTaskFailure({ taskToken: token, error: 'e'.repeat(256), cause: 'c'.repeat(32_768) });
    expect(outcomes).toHaveLength(1);
  });
});
