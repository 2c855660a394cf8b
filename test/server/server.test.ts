import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { request } from 'node:http';
import { SSMClient, GetCommandInvocationCommand, InvalidInstanceId, SendCommandCommand } from '@aws-sdk/client-ssm';
import { ServiceError } from '../../src/errors/service-error.js';
import { pathOf, startEndpoint, type LocalEndpoint } from '../../src/server/server.js';
import fc from 'fast-check';
import type { JsonObject } from '../../src/model/json.js';
import { sigv4FormHeaders } from '../helpers/sigv4.js';

const calls: Array<{ op: string; input: JsonObject }> = [];
let endpoint: LocalEndpoint;
let ssm: SSMClient;

beforeAll(async () => {
  endpoint = await startEndpoint({
    services: [
      {
        targetPrefix: 'AmazonSSM',
        version: '1.1',
        model: 'ssm',
        operations: {
          SendCommand: async (input) => {
            calls.push({ op: 'SendCommand', input });
            return { Command: { CommandId: 'c-1', RequestedDateTime: new Date(1_700_000_000_500), Status: 'Pending' } };
          },
          GetCommandInvocation: async (input) => {
            throw new ServiceError('InvalidInstanceId', `Instance ${String(input['InstanceId'])} is not valid.`);
          },
          ListCommands: async () => {
            throw new Error('boom');
          },
        },
      },
    ],
  });
  ssm = new SSMClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
});

afterAll(async () => {
  ssm.destroy();
  await endpoint.close();
});

function raw(body: string | Buffer, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(endpoint.url);
    // Every AWS API request carries a SigV4 Authorization header (this endpoint checks its form, not the signature).
    const req = request({ host: url.hostname, port: url.port, method, path: '/', headers: { ...sigv4FormHeaders(), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ssmHeaders = (op: string) => ({ 'x-amz-target': `AmazonSSM.${op}`, 'content-type': 'application/x-amz-json-1.1' });

describe('local endpoint (AWS JSON protocol)', () => {
  test('should bind to loopback by default', () => {
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('should dispatch an AWS SDK v3 call and serialize dates as epoch seconds', async () => {
    const out = await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'] }));
    expect(out.Command?.CommandId).toBe('c-1');
    expect(out.Command?.RequestedDateTime?.getTime()).toBe(1_700_000_000_500);
    expect(calls.at(-1)?.input).toEqual({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'] });
  });

  test('should turn a ServiceError into the SDK error class of the same name', async () => {
    const error = await ssm.send(new GetCommandInvocationCommand({ CommandId: 'c', InstanceId: 'i-0123456789abcdef0' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInstanceId);
    expect((error as Error).message).toBe('Instance i-0123456789abcdef0 is not valid.');
  });

  test('should answer a missing required member with ValidationException in the AWS message format', async () => {
    const res = await raw('{}', ssmHeaders('SendCommand'));
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(JSON.parse(res.body)).toEqual({
      __type: 'ValidationException',
      message: "1 validation error detected: Value null at 'documentName' failed to satisfy constraint: Member must not be null",
    });
  });

  test('should answer a wrong member type with SerializationException', async () => {
    const res = await raw(JSON.stringify({ DocumentName: 'x', TimeoutSeconds: 'soon' }), ssmHeaders('SendCommand'));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).__type).toBe('SerializationException');
    expect(JSON.parse(res.body).message).toContain("'timeoutSeconds'");
  });

  test('should treat a null member as absent and refuse a null list item with ValidationException', async () => {
    const ok = await raw(JSON.stringify({ DocumentName: 'AWS-RunShellScript', Comment: null, InstanceIds: ['i-0123456789abcdef0'] }), ssmHeaders('SendCommand'));
    expect(ok.status).toBe(200);
    expect(calls.at(-1)?.input).toEqual({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'] });
    const bad = await raw(JSON.stringify({ DocumentName: 'AWS-RunShellScript', Targets: [null] }), ssmHeaders('SendCommand'));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      __type: 'ValidationException',
      message: "1 validation error detected: Value null at 'targets.1.member' failed to satisfy constraint: Member must not be null",
    });
  });

  test('should answer bad JSON, a non-object body, unknown targets and other methods with 4xx AWS errors', async () => {
    const cases = [
      await raw('{"DocumentName":', ssmHeaders('SendCommand')),
      await raw('[1,2]', ssmHeaders('SendCommand')),
      await raw('{}', { 'content-type': 'application/x-amz-json-1.1' }),
      await raw('{}', ssmHeaders('NoSuchOperation')),
      await raw('{}', ssmHeaders('DescribeMaintenanceWindows')),
      await raw('{}', { 'x-amz-target': 'AmazonEC2.RunInstances' }),
      await raw('', {}, 'GET'),
    ];
    expect(cases.map((c) => [c.status, JSON.parse(c.body).__type])).toEqual([
      [400, 'SerializationException'],
      [400, 'SerializationException'],
      [400, 'UnknownOperationException'],
      [400, 'UnknownOperationException'],
      [400, 'UnknownOperationException'],
      [400, 'UnknownOperationException'],
      [404, 'UnknownOperationException'],
    ]);
    expect(JSON.parse(cases[4]!.body).message).toContain('does not support');
  });

  test('should answer an oversized body with 413 and keep serving', async () => {
    const small = await startEndpoint({ services: [], maxBodyBytes: 1024 });
    try {
      const url = new URL(small.url);
      const res = await new Promise<number>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { ...sigv4FormHeaders(), ...ssmHeaders('SendCommand') } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', () => resolve(-1));
        req.end(Buffer.alloc(64 * 1024, 'a'));
        req.on('close', () => undefined);
        setTimeout(() => reject(new Error('no answer')), 5000).unref();
      });
      expect(res).toBe(413);
      const after = await raw('{}', ssmHeaders('SendCommand'));
      expect(after.status).toBe(400);
    } finally {
      await small.close();
    }
  });

  test("should refuse a body nested past Jackson's 1,000 levels with SerializationException, never a stack overflow", async () => {
    // An unknown member is skipped by the shape check but walked by the services: 100,000 levels overflowed the stack.
    const deep = await raw(`{"DocumentName":"AWS-RunShellScript","Extra":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, ssmHeaders('SendCommand'));
    expect(deep.status).toBe(400);
    expect(JSON.parse(deep.body)).toMatchObject({ __type: 'SerializationException', message: expect.stringContaining('Document nesting depth (1001) exceeds the maximum allowed (1000') });
    const fine = await raw(`{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Extra":${'['.repeat(999)}${']'.repeat(999)}}`, ssmHeaders('SendCommand'));
    expect(fine.status).toBe(200);
  });

  test('should answer an internal failure with 500 InternalServerError and keep serving', async () => {
    const res = await raw('{}', ssmHeaders('ListCommands'));
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ __type: 'InternalServerError', message: 'boom' });
    const out = await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'] }));
    expect(out.Command?.CommandId).toBe('c-1');
  });
});

describe('routes of the endpoint itself', () => {
  test('should send a request to the route whose method and path match, exactly or by prefix, before the AWS protocols', async () => {
    const seen: string[] = [];
    const own = await startEndpoint({
      services: [],
      routes: [
        { method: 'GET', path: '/_x/health', handle: (_req, res, url) => void (seen.push(url.pathname), res.end('ok')) },
        { method: 'GET', path: '/_x/files/', handle: (_req, res, url) => void (seen.push(url.pathname), res.end('file')) },
      ],
    });
    try {
      const get = async (path: string, method = 'GET') => {
        const res = await fetch(`${own.url}${path}`, { method, headers: sigv4FormHeaders() });
        return { status: res.status, body: await res.text() };
      };
      expect(await get('/_x/health')).toEqual({ status: 200, body: 'ok' });
      expect(await get('/_x/files/a/b.js?x=1')).toEqual({ status: 200, body: 'file' });
      expect((await get('/_x/health/more')).status).toBe(404);
      expect((await get('/_x/health', 'POST')).body).toMatch(/UnknownOperationException/);
      expect(seen).toEqual(['/_x/health', '/_x/files/a/b.js']);
    } finally {
      await own.close();
    }
  });
});

describe('pathOf', () => {
  test('should give the path the URL parser gives, for plain paths and for those it rewrites', () => {
    const target = fc
      .array(fc.constantFrom('/', '//', '.', '..', '%2e', '%2F', 'a', 'B', '0', '_', '-', '?', '#', '\\', ' ', 'é', ':', '@', '~', '*'), { maxLength: 12 })
      .map((parts) => `/${parts.join('')}`);
    fc.assert(
      fc.property(target, (t) => {
        let expected: string | Error;
        try {
          expected = new URL(t, 'http://endpoint').pathname;
        } catch (error) {
          expected = error as Error;
        }
        if (expected instanceof Error) expect(() => pathOf(t)).toThrow();
        else expect(pathOf(t)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(pathOf(undefined)).toBe('/');
    expect(pathOf('/_shellstep/x/../health?a=b')).toBe('/_shellstep/health');
  });
});
