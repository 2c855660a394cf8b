import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { RegionalEngines } from '../../src/engine/regions/regional-engines.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../src/server/server.js';
import { consolePair, signedGet } from '../helpers/console-signing.js';

let engines: RegionalEngines;
let endpoint: LocalEndpoint;
let gate: Promise<void> | undefined;

beforeAll(async () => {
  engines = await RegionalEngines.start({
    defaultRegion: 'eu-west-1',
    create: (scope) => new LocalEngine({ ...scope, clock: 'fast' }),
    setup: async (engine) => {
      await gate;
      engine.instances.add({ instanceId: 'i-0123456789abcdef0' });
    },
  });
  endpoint = await startLocalEndpoint(engines, { console: {} });
});
afterAll(async () => {
  await endpoint.close();
  await engines.close();
});

describe('the console over engines per region', () => {
  test("should follow the default region's engine across resets with the key the page already has", async () => {
    const consoleUrl = `${endpoint.url}/_shellstep/console/`;
    const pair = await consolePair(consoleUrl);
    expect(pair.region).toBe('eu-west-1');
    engines.default.instances.add({ instanceId: 'i-0fedcba9876543210' });
    const before = (await (await signedGet(`${consoleUrl}api/instances`, pair)).json()) as { Instances: Array<{ InstanceId: string }> };
    expect(before.Instances.map((i) => i.InstanceId)).toEqual(['i-0123456789abcdef0', 'i-0fedcba9876543210']);

    await fetch(`${endpoint.url}/_shellstep/reset`, { method: 'POST' });
    expect(await consolePair(consoleUrl)).toEqual(pair);
    const after = (await (await signedGet(`${consoleUrl}api/instances`, pair)).json()) as { Instances: Array<{ InstanceId: string }> };
    expect(after.Instances.map((i) => i.InstanceId)).toEqual(['i-0123456789abcdef0']);
  });

  test('should answer 503 ServiceUnavailable while a reset runs', async () => {
    const consoleUrl = `${endpoint.url}/_shellstep/console/`;
    const pair = await consolePair(consoleUrl);
    let open: () => void = () => undefined;
    gate = new Promise<void>((resolve) => (open = resolve));
    const reset = fetch(`${endpoint.url}/_shellstep/reset`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 50));
    const during = await signedGet(`${consoleUrl}api/instances`, pair);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ __type: 'ServiceUnavailable', message: 'The endpoint is resetting; retry.' });
    open();
    gate = undefined;
    expect((await reset).status).toBe(200);
    expect((await signedGet(`${consoleUrl}api/instances`, pair)).status).toBe(200);
  });
});
