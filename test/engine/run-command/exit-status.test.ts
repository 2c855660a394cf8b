import { describe, expect, test } from 'vitest';
import { exitOutcome, firstChars, pluginOutput } from '../../../src/engine/run-command/exit-status.js';
import { rollupCommand } from '../../../src/engine/run-command/command-status.js';

describe('exit status', () => {
  test('should map exit codes as the agent does', () => {
    const plain = { timedOut: false, cancelled: false };
    expect(exitOutcome(0, plain)).toEqual({ status: 'Success', statusDetails: 'Success' });
    expect(exitOutcome(168, plain).status).toBe('Success');
    expect(exitOutcome(169, plain).status).toBe('Failed');
    expect(exitOutcome(137, plain).status).toBe('Failed');
    expect(exitOutcome(137, { timedOut: true, cancelled: false })).toEqual({ status: 'TimedOut', statusDetails: 'Execution Timed Out' });
    expect(exitOutcome(137, { timedOut: false, cancelled: true })).toEqual({ status: 'Cancelled', statusDetails: 'Cancelled' });
  });

  test('should truncate plugin output exactly like the agent TruncateOutput tests', () => {
    // The agent's own vectors (iohandler_test.go TestTruncateOutput, capacity 100): 15 / 77 / 53 characters kept.
    expect(pluginOutput('', '', 0, 100)).toBe('');
    expect(pluginOutput('sample output', 'sample error', 1, 100)).toBe('sample output\n----------ERROR-------\nsample error');
    const long = 'x'.repeat(300);
    const both = pluginOutput(long, long, 1, 100);
    expect(both).toBe('x'.repeat(15) + '\n---Output truncated---\n----------ERROR-------\n' + 'x'.repeat(15) + '\n---Error truncated----');
    expect(pluginOutput(long, '', 1, 100)).toBe('x'.repeat(77) + '\n---Output truncated---');
    expect(pluginOutput('', long, 1, 100)).toBe('\n----------ERROR-------\n' + 'x'.repeat(53) + '\n---Error truncated----');
    expect(pluginOutput('out', 'err', 168, 100)).toBe('out');
  });

  test('should not split a surrogate pair when truncating', () => {
    expect(firstChars('a😀', 2)).toBe('a');
  });

  test('should not count Undeliverable or Delivery Timed Out against MaxErrors', () => {
    const u = { status: 'Failed', details: 'Undeliverable' } as const;
    const s = { status: 'Success', details: 'Success' } as const;
    const d = { status: 'TimedOut', details: 'Delivery Timed Out' } as const;
    expect(rollupCommand([u, u, u, u, s], 0, false)).toMatchObject({ Status: 'Success', ErrorCount: 0 });
    expect(rollupCommand([u, u], 0, false)).toMatchObject({ Status: 'Failed', StatusDetails: 'Undeliverable' });
    expect(rollupCommand([d, d], 0, false)).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', DeliveryTimedOutCount: 2 });
    expect(rollupCommand([d, s], 0, false)).toMatchObject({ Status: 'Failed', StatusDetails: 'Incomplete' });
  });
});
