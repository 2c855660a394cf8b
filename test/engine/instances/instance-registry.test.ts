import { describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/engine/clock.js';
import { randomIds } from '../../../src/engine/ids.js';
import { InstanceRegistry } from '../../../src/engine/instances/instance-registry.js';

const registry = () => new InstanceRegistry({ baseDir: mkdtempSync(join(tmpdir(), 'shellstep-reg-')), clock: new VirtualClock({ start: 0 }), ids: randomIds });

describe('InstanceRegistry', () => {
  test('should mint AWS-shaped ids and give each node its own root folder', () => {
    const r = registry();
    const ec2 = r.add({ tags: { role: 'web' } });
    const hybrid = r.add({ kind: 'managed', name: 'laptop' });
    expect(ec2.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(hybrid.instanceId).toMatch(/^mi-[0-9a-f]{17}$/);
    expect(ec2.rootDir).not.toBe(hybrid.rootDir);
    expect(existsSync(ec2.rootDir) && existsSync(hybrid.rootDir)).toBe(true);
    expect(ec2.describe()).toMatchObject({ PingStatus: 'Online', PlatformType: 'Linux', ResourceType: 'EC2Instance' });
  });

  test('should reject ids that do not match the AWS pattern and duplicates', () => {
    const r = registry();
    expect(() => r.add({ instanceId: 'host-1' })).toThrow(/does not match/);
    r.add({ instanceId: 'i-0123456789abcdef0' });
    expect(() => r.add({ instanceId: 'i-0123456789abcdef0' })).toThrow(/already registered/);
  });

  test('should emit reachability changes and forget nodes when faults are injected', () => {
    const r = registry();
    const node = r.add();
    const events: string[] = [];
    r.subscribe((e) => events.push(e.type));
    r.goOffline(node.instanceId);
    r.goOffline(node.instanceId);
    r.goOnline(node.instanceId);
    r.killAgent(node.instanceId);
    expect(node.agentGeneration).toBe(1);
    r.forget(node.instanceId);
    expect(events).toEqual(['unreachable', 'reachable', 'agent-killed', 'unreachable', 'removed']);
    expect(r.get(node.instanceId)).toBeUndefined();
  });
});

describe('temporary folders', () => {
  test('should remove the temp folder it made on close, with what the nodes and agents wrote in it', () => {
    const made = new InstanceRegistry({ clock: new VirtualClock({ start: 0 }), ids: randomIds });
    const node = made.add();
    writeFileSync(join(node.rootDir, 'automation.log'), 'x');
    expect(existsSync(made.baseDir)).toBe(true);
    made.close();
    expect(existsSync(made.baseDir)).toBe(false);
  });

  test('should leave a folder the caller named', () => {
    const named = mkdtempSync(join(tmpdir(), 'shellstep-named-'));
    const registry = new InstanceRegistry({ baseDir: named, clock: new VirtualClock({ start: 0 }), ids: randomIds });
    registry.add();
    registry.close();
    expect(existsSync(named)).toBe(true);
    rmSync(named, { recursive: true });
  });
});
