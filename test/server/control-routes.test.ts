import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { request } from 'node:http';
import { CreateStateMachineCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { RegionalEngines } from '../../src/engine/regions/regional-engines.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../src/server/server.js';

const PASS = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}';
let engines: RegionalEngines;
let endpoint: LocalEndpoint;
let setups = 0;
/** When set, the startup work waits for it: a reset stays under way until the test resolves it. */
let gate: Promise<void> | undefined;

beforeAll(async () => {
  engines = await RegionalEngines.start({
    create: (scope) => new LocalEngine({ ...scope, clock: 'fast' }),
    setup: async (engine) => {
      setups++;
      await gate;
      engine.instances.add({ instanceId: 'i-0123456789abcdef0' });
      // As on AWS, a state machine's role must exist: the startup work defines it, again after each reset.
      engine.roles.define('arn:aws:iam::123456789012:role/any');
    },
  });
  endpoint = await startLocalEndpoint(engines, { version: '9.9.9' });
});
afterAll(async () => {
  await endpoint.close();
  await engines.close();
});

/** A raw request, with any Host and Origin (fetch would not send a foreign Host). */
function call(method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: number; json: any }> {
  const url = new URL(endpoint.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sfn = (region: string) => new SFNClient({ endpoint: endpoint.url, region, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'any' } });

describe('health and reset routes', () => {
  test('should report the services, the engine of each region, the version and the state without a signature', async () => {
    await sfn('eu-west-1').send(new ListStateMachinesCommand({}));
    const health = await call('GET', '/_shellstep/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({
      status: 'running',
      version: '9.9.9',
      accountId: '123456789012',
      defaultRegion: 'us-east-1',
      services: { ssm: 'running', states: 'running', cloudformation: 'running', iam: 'running', sts: 'running' },
      regions: { 'us-east-1': { partition: 'aws', instances: 1 }, 'eu-west-1': { partition: 'aws', instances: 0 } },
    });
    expect(typeof health.json.resets).toBe('number');
  });

  test("should answer LocalStack's health path in LocalStack's shape", async () => {
    const health = await call('GET', '/_localstack/health');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({
      services: { ssm: 'running', stepfunctions: 'running', cloudformation: 'running', iam: 'running', sts: 'running' },
      edition: 'shellstep',
      version: '9.9.9',
    });
  });

  test('should reset to fresh engines with the startup work redone, on both reset paths', async () => {
    for (const [path, expected] of [['/_shellstep/reset', { status: 'ok' }], ['/moto-api/reset', { status: 'ok' }]] as const) {
      await sfn('us-east-1').send(new CreateStateMachineCommand({ name: 'before-reset', definition: PASS, roleArn: 'arn:aws:iam::123456789012:role/any' }));
      await sfn('ap-south-1').send(new CreateStateMachineCommand({ name: 'before-reset', definition: PASS, roleArn: 'arn:aws:iam::123456789012:role/any' }));
      const before = setups;
      const reset = await call('POST', path, {}, '{"ignored": true}');
      expect(reset.status, path).toBe(200);
      expect(reset.json).toMatchObject(expected);
      expect(setups).toBe(before + 1);
      expect((await sfn('us-east-1').send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
      expect((await sfn('ap-south-1').send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
      expect(engines.default.instances.list().map((i) => i.instanceId)).toEqual(['i-0123456789abcdef0']);
    }
    const ours = await call('POST', '/_shellstep/reset');
    expect(ours.json).toEqual({ status: 'ok', resets: engines.resets, milliseconds: expect.any(Number) });
  });

  test("should answer moto's error to a reset that is not a POST", async () => {
    const before = engines.resets;
    expect(await call('GET', '/moto-api/reset')).toEqual({ status: 400, json: { Error: 'Need to POST to reset Moto' } });
    expect(engines.resets).toBe(before);
  });

  test('should refuse the routes to a foreign Host or Origin, and not reset', async () => {
    const before = engines.resets;
    for (const path of ['/_shellstep/reset', '/moto-api/reset']) {
      const foreignOrigin = await call('POST', path, { origin: 'http://evil.example' });
      expect(foreignOrigin.status).toBe(403);
      const rebound = await call('POST', path, { host: 'evil.example' });
      expect(rebound.status).toBe(403);
    }
    expect((await call('GET', '/_shellstep/health', { host: 'evil.example' })).status).toBe(403);
    expect((await call('GET', '/_localstack/health', { origin: 'http://evil.example' })).status).toBe(403);
    expect(engines.resets).toBe(before);
  });

  test('should answer 503 ServiceUnavailable while a reset runs, which the SDK retries into the fresh engine', async () => {
    let open: () => void = () => undefined;
    gate = new Promise<void>((resolve) => (open = resolve));
    const reset = call('POST', '/_shellstep/reset');
    await new Promise((r) => setTimeout(r, 50));
    const during = await call('POST', '/', {
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/states/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      'x-amz-date': '20260101T000000Z',
      'x-amz-target': 'AWSStepFunctions.ListStateMachines',
      'content-type': 'application/x-amz-json-1.0',
    }, '{}');
    expect(during).toEqual({ status: 503, json: { __type: 'ServiceUnavailable', message: 'The endpoint is resetting; retry.' } });
    expect((await call('GET', '/_shellstep/health')).json.status).toBe('resetting');
    const retried = sfn('us-east-1').send(new CreateStateMachineCommand({ name: 'after-reset', definition: PASS, roleArn: 'arn:aws:iam::123456789012:role/any' }));
    setTimeout(() => open(), 30);
    const made = await retried;
    expect((await reset).status).toBe(200);
    gate = undefined;
    expect((await sfn('us-east-1').send(new ListStateMachinesCommand({}))).stateMachines?.map((m) => m.stateMachineArn)).toEqual([made.stateMachineArn]);
  });

  test('should survive a burst of resets and keep serving', async () => {
    const before = engines.resets;
    const answers = await Promise.all(Array.from({ length: 40 }, () => call('POST', '/_shellstep/reset')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // Resets that arrive while one is queued join it (regional-engines.test.ts): never more resets than requests.
    expect(engines.resets - before).toBeGreaterThanOrEqual(1);
    expect(engines.resets - before).toBeLessThanOrEqual(40);
    expect(engines.list()).toHaveLength(1);
    expect((await sfn('us-east-1').send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
  });
});
