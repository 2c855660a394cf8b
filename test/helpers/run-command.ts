/** Builds a Run Command service on a virtual clock with local instances in a temp folder. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../src/engine/clock.js';
import { sequentialIds } from '../../src/engine/ids.js';
import { InstanceRegistry } from '../../src/engine/instances/instance-registry.js';
import { RunCommandService } from '../../src/engine/run-command/run-command-service.js';

export interface RunCommandRig {
  readonly clock: VirtualClock;
  readonly instances: InstanceRegistry;
  readonly service: RunCommandService;
}

export function runCommandRig(): RunCommandRig {
  const clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
  const ids = sequentialIds();
  const instances = new InstanceRegistry({ baseDir: mkdtempSync(join(tmpdir(), 'shellstep-test-')), clock, ids });
  const service = new RunCommandService({ clock, ids, instances, region: 'us-east-1' });
  return { clock, instances, service };
}
