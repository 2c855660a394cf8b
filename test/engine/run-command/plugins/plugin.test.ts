import { describe, expect, it } from 'vitest';
import { AgentCancel } from '../../../../src/engine/run-command/plugins/plugin.js';

describe('AgentCancel', () => {
  it('calls the listener once when the cancel arrives', () => {
    const cancel = new AgentCancel();
    const calls: string[] = [];
    cancel.onCancel(() => calls.push('listener'));
    expect(cancel.requested).toBe(false);
    cancel.cancel();
    cancel.cancel();
    expect(cancel.requested).toBe(true);
    expect(calls).toEqual(['listener']);
  });

  it('calls a listener added after the cancel at once', () => {
    const cancel = new AgentCancel();
    cancel.cancel();
    let called = 0;
    cancel.onCancel(() => called++);
    expect(called).toBe(1);
  });

  it('does not call a listener that stopped listening', () => {
    const cancel = new AgentCancel();
    let called = 0;
    const stop = cancel.onCancel(() => called++);
    stop();
    cancel.cancel();
    expect(called).toBe(0);
  });

  it('keeps a newer listener when an older one stops listening', () => {
    const cancel = new AgentCancel();
    const calls: string[] = [];
    const stopFirst = cancel.onCancel(() => calls.push('first'));
    stopFirst();
    cancel.onCancel(() => calls.push('second'));
    stopFirst();
    cancel.cancel();
    expect(calls).toEqual(['second']);
  });
});
