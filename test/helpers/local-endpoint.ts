/** One local engine with one instance behind an endpoint on a free port, started and stopped around a suite. */
import { afterAll, beforeAll } from 'vitest';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../src/server/server.js';

export interface EndpointFixture {
  engine: LocalEngine;
  endpoint: LocalEndpoint;
  instanceId: string;
}

/** Registers beforeAll/afterAll hooks; read the fields inside tests. */
export function useLocalEndpoint(): EndpointFixture {
  const fixture = {} as EndpointFixture;
  beforeAll(async () => {
    fixture.engine = new LocalEngine({ clock: 'fast' });
    fixture.instanceId = fixture.engine.instances.add().instanceId;
    fixture.endpoint = await startLocalEndpoint(fixture.engine);
  });
  afterAll(async () => {
    await fixture.endpoint.close();
    await fixture.engine.close();
  });
  return fixture;
}
