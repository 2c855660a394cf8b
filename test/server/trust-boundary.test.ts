import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { request } from 'node:http';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CredentialRegistry } from '../../src/engine/iam/credential-registry.js';
import { queryService } from '../../src/server/query-protocol.js';
import { startEndpoint, type LocalEndpoint, type RequestContext } from '../../src/server/server.js';
import { parseAuthorization, Refusal, TrustBoundary } from '../../src/server/trust-boundary.js';
import type { IncomingMessage } from 'node:http';
import { signedHeaders, sigv4FormHeaders } from '../helpers/sigv4.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request, so that Host, Origin and Authorization are exactly what the test sets. */
function raw(url: string, headers: Record<string, string>, body = '{}', method = 'POST', path = '/'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, method, path, headers, setHost: headers['host'] === undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SSM = { 'x-amz-target': 'AmazonSSM.DescribeInstanceInformation', 'content-type': 'application/x-amz-json-1.1' };
const KEY = { accessKeyId: 'AKIASHELLSTEPTEST001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

function endpointWith(calls: RequestContext[], options: Parameters<typeof startEndpoint>[0]['trust'] = {}, routes: Parameters<typeof startEndpoint>[0]['routes'] = []): Promise<LocalEndpoint> {
  return startEndpoint({
    services: [
      {
        targetPrefix: 'AmazonSSM',
        version: '1.1',
        model: 'ssm',
        signingName: 'ssm',
        operations: {
          DescribeInstanceInformation: async (_input, context) => {
            calls.push(context);
            return { InstanceInformationList: [] };
          },
        },
      },
    ],
    query: queryService({
      DescribeStacks: async (_input, context) => {
        calls.push(context);
        return { Stacks: [] };
      },
    }),
    routes,
    trust: options,
  });
}

describe('the Host check', () => {
  const calls: RequestContext[] = [];
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await endpointWith(calls, { allowHosts: ['shellstep.internal', '*.dev.example'] });
  });
  afterAll(() => endpoint.close());

  test('should serve loopback names and addresses, and the names allowed with --allow-host', async () => {
    const port = new URL(endpoint.url).port;
    for (const host of [`127.0.0.1:${port}`, '127.9.8.7', `localhost:${port}`, 'LOCALHOST', 'app.localhost:1', `[::1]:${port}`, 'shellstep.internal', 'a.dev.example']) {
      const reply = await raw(endpoint.url, { ...SSM, ...sigv4FormHeaders(), host });
      expect([host, reply.status]).toEqual([host, 200]);
    }
  });

  test('should refuse a foreign Host (DNS rebinding) with AccessDeniedException 403 before the handler runs', async () => {
    const before = calls.length;
    for (const host of ['attacker.example', 'attacker.example:4599', '127.0.0.1.nip.io', 'localhost.', 'localhost.attacker.example', 'dev.example', 'a@127.0.0.1', '128.0.0.1', '[::2]', '']) {
      const reply = await raw(endpoint.url, { ...SSM, ...sigv4FormHeaders(), host });
      expect([host, reply.status, JSON.parse(reply.body).__type]).toEqual([host, 403, 'AccessDeniedException']);
      expect(JSON.parse(reply.body).message).toContain('--allow-host');
    }
    expect(calls.length).toBe(before);
  });

  test('should shape the refusal as a query-protocol error for a form POST', async () => {
    const reply = await raw(endpoint.url, { 'content-type': 'application/x-www-form-urlencoded', host: 'attacker.example', ...sigv4FormHeaders('cloudformation') }, 'Action=DescribeStacks');
    expect(reply.status).toBe(403);
    expect(reply.body).toMatch(/^<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>Host 'attacker.example' is not served/);
  });
});

describe('the Host verdicts kept between requests', () => {
  const request = (host: string) => ({ headers: { host } }) as unknown as IncomingMessage;

  test('should give every Host the same verdict however many distinct ones came before (the kept verdicts are bounded)', () => {
    const boundary = new TrustBoundary({ allowHosts: ['shellstep.internal'] });
    boundary.listening(4599, '127.0.0.1');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) expect(boundary.checkHostAndOrigin(request(`attacker-${i}.example`))).toBeInstanceOf(Refusal);
      for (const host of ['127.0.0.1:4599', 'localhost', 'shellstep.internal']) expect(boundary.checkHostAndOrigin(request(host))).toBeUndefined();
      for (const host of ['attacker.example', 'shellstep.internal.attacker.example', '']) expect(boundary.checkHostAndOrigin(request(host))).toBeInstanceOf(Refusal);
    }
  });

  test('should judge the bound address again once the endpoint listens on it', () => {
    const boundary = new TrustBoundary();
    expect(boundary.checkHostAndOrigin(request('10.1.2.3:4599'))).toBeInstanceOf(Refusal);
    boundary.listening(4599, '10.1.2.3');
    expect(boundary.checkHostAndOrigin(request('10.1.2.3:4599'))).toBeUndefined();
    expect(boundary.checkHostAndOrigin(request('10.1.2.4:4599'))).toBeInstanceOf(Refusal);
  });
});

describe('the Origin check', () => {
  const calls: RequestContext[] = [];
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await endpointWith(calls, { allowOrigins: ['https://console.example'] });
  });
  afterAll(() => endpoint.close());

  test("should accept no Origin, the endpoint's own origin and the allowed ones", async () => {
    const port = new URL(endpoint.url).port;
    for (const origin of [undefined, `http://127.0.0.1:${port}`, `http://localhost:${port}`, 'https://console.example']) {
      const reply = await raw(endpoint.url, { ...SSM, ...sigv4FormHeaders(), ...(origin === undefined ? {} : { origin }) });
      expect([origin, reply.status]).toEqual([origin, 200]);
    }
  });

  test('should refuse any other Origin, even with a valid Host and Authorization', async () => {
    const port = new URL(endpoint.url).port;
    const before = calls.length;
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${Number(port) + 1}`, `https://127.0.0.1:${port}`, `http://attacker.example:${port}`, 'http://console.example']) {
      const reply = await raw(endpoint.url, { ...SSM, ...sigv4FormHeaders(), origin });
      expect([origin, reply.status, JSON.parse(reply.body).__type]).toEqual([origin, 403, 'AccessDeniedException']);
    }
    expect(calls.length).toBe(before);
  });

  test('should give a CORS preflight no grant', async () => {
    const reply = await raw(endpoint.url, { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,x-amz-target' }, '', 'OPTIONS');
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('the Authorization check without signature verification', () => {
  const calls: RequestContext[] = [];
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await endpointWith(calls);
  });
  afterAll(() => endpoint.close());

  test('should refuse a request without Authorization with MissingAuthenticationTokenException (JSON) and MissingAuthenticationToken 403 (query)', async () => {
    const before = calls.length;
    const json = await raw(endpoint.url, SSM);
    expect(json.status).toBe(400);
    expect(json.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(JSON.parse(json.body)).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
    const query = await raw(endpoint.url, { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=DescribeStacks&Version=2010-05-15');
    expect(query.status).toBe(403);
    expect(query.body).toContain('<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>');
    expect(calls.length).toBe(before);
  });

  test('should refuse an Authorization that is not in SigV4 form with IncompleteSignatureException and AWS messages', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ authorization: 'Bearer abc', 'x-amz-date': '20260101T000000Z' }, /^Authorization header requires 'Credential' parameter\. Authorization header requires 'Signature' parameter\. Authorization header requires 'SignedHeaders' parameter\. Authorization=Bearer abc$/],
      [{ authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}` }, /requires existence of either a 'X-Amz-Date' or a 'Date' header/],
      [{ authorization: 'AWS4-HMAC-SHA256 Credential AKID', 'x-amz-date': '20260101T000000Z' }, /^'Credential AKID' not a valid key=value pair \(missing equal-sign\) in Authorization header: 'AWS4-HMAC-SHA256 Credential AKID'\.$/],
      [{ authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssm, SignedHeaders=host, Signature=${'a'.repeat(64)}`, 'x-amz-date': '20260101T000000Z' }, /valid terminator: 'aws4_request'/],
      [{ authorization: 'AWS AKID:c2lnbmF0dXJl', 'x-amz-date': '20260101T000000Z' }, /requires 'Credential' parameter/],
    ];
    for (const [headers, message] of cases) {
      const reply = await raw(endpoint.url, { ...SSM, ...headers });
      expect(reply.status).toBe(400);
      const body = JSON.parse(reply.body) as { __type: string; message: string };
      expect(body.__type).toBe('IncompleteSignatureException');
      expect(body.message).toMatch(message);
    }
  });

  test('should accept any key in SigV4 form and give the handler its credential scope (access key, region, service)', async () => {
    const reply = await raw(endpoint.url, { ...SSM, ...sigv4FormHeaders('ssm', 'AKIDANYTHING0000', 'eu-west-3') });
    expect(reply.status).toBe(200);
    expect(calls.at(-1)?.caller).toEqual({ scope: { accessKeyId: 'AKIDANYTHING0000', date: expect.stringMatching(/^\d{8}$/), region: 'eu-west-3', service: 'ssm' }, verified: false });
  });

  test('should keep passing the real SDK v3 clients with any credentials', async () => {
    const ssm = new SSMClient({ endpoint: endpoint.url, region: 'ap-south-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await ssm.send(new DescribeInstanceInformationCommand({}));
    expect(calls.at(-1)?.caller.scope).toMatchObject({ accessKeyId: 'test', region: 'ap-south-1', service: 'ssm' });
    ssm.destroy();
  });
});

describe('signature verification', () => {
  const calls: RequestContext[] = [];
  const registry = new CredentialRegistry();
  const principal = { arn: 'arn:aws:iam::123456789012:user/tester', accountId: '123456789012' };
  let clock = Date.now();
  let endpoint: LocalEndpoint;
  let session: ReturnType<CredentialRegistry['issue']>;
  beforeAll(async () => {
    registry.register({ ...KEY, principal });
    session = registry.issue({ arn: 'arn:aws:sts::123456789012:assumed-role/r/s', accountId: '123456789012', roleArn: 'arn:aws:iam::123456789012:role/r' });
    endpoint = await endpointWith(calls, { verifySignatures: true, credentials: registry, now: () => clock });
  });
  afterAll(() => endpoint.close());

  const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new SSMClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 });

  test('should accept a request the real SDK v3 signed with a registered key, and name its principal', async () => {
    clock = Date.now();
    const ssm = client(KEY);
    await ssm.send(new DescribeInstanceInformationCommand({}));
    expect(calls.at(-1)?.caller).toMatchObject({ verified: true, principal, scope: { accessKeyId: KEY.accessKeyId, region: 'us-east-1', service: 'ssm' } });
    ssm.destroy();
  });

  test('should refuse an unknown access key with UnrecognizedClientException, and a wrong secret with InvalidSignatureException', async () => {
    clock = Date.now();
    const before = calls.length;
    const unknown = await client({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: KEY.secretAccessKey }).send(new DescribeInstanceInformationCommand({})).catch((e: Error) => e);
    expect(unknown).toMatchObject({ name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', $metadata: { httpStatusCode: 400 } });
    const wrong = await client({ ...KEY, secretAccessKey: `${KEY.secretAccessKey}x` }).send(new DescribeInstanceInformationCommand({})).catch((e: Error) => e);
    expect(wrong).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } });
    expect((wrong as Error).message).toMatch(/^The request signature we calculated does not match the signature you provided\./);
    expect(calls.length).toBe(before);
  });

  test('should refuse on the query protocol with InvalidClientTokenId and SignatureDoesNotMatch, 403', async () => {
    clock = Date.now();
    const cfn = (credentials: typeof KEY) => new CloudFormationClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    expect((await cfn(KEY).send(new DescribeStacksCommand({}))).Stacks).toEqual([]);
    const unknown = await cfn({ ...KEY, accessKeyId: 'AKIAUNKNOWNUNKNOWN00' }).send(new DescribeStacksCommand({})).catch((e: Error) => e);
    expect(unknown).toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
    const wrong = await cfn({ ...KEY, secretAccessKey: 'nope' }).send(new DescribeStacksCommand({})).catch((e: Error) => e);
    expect(wrong).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
  });

  test('should refuse a tampered body, a temporary key without its session token, and a scope for another service', async () => {
    clock = Date.now();
    const headers = await signedHeaders(endpoint.url, SSM, '{}', KEY);
    const tampered = await raw(endpoint.url, headers, '{"MaxResults":5}');
    expect(JSON.parse(tampered.body).__type).toBe('InvalidSignatureException');
    const noToken = await raw(endpoint.url, await signedHeaders(endpoint.url, SSM, '{}', { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }));
    expect(JSON.parse(noToken.body)).toEqual({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    const withToken = await raw(endpoint.url, await signedHeaders(endpoint.url, SSM, '{}', session));
    expect(withToken.status).toBe(200);
    expect(calls.at(-1)?.caller.principal?.roleArn).toBe('arn:aws:iam::123456789012:role/r');
    const otherService = await raw(endpoint.url, await signedHeaders(endpoint.url, SSM, '{}', KEY, { service: 'states' }));
    expect(JSON.parse(otherService.body)).toEqual({ __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'ssm'." });
  });

  test('should refuse a request signed more than 5 minutes away from now, as AWS does', async () => {
    const signedAt = new Date('2026-03-01T12:00:00Z');
    const headers = await signedHeaders(endpoint.url, SSM, '{}', KEY, { date: signedAt });
    clock = signedAt.getTime() + 4 * 60_000;
    expect((await raw(endpoint.url, headers)).status).toBe(200);
    clock = signedAt.getTime() + 6 * 60_000;
    expect(JSON.parse((await raw(endpoint.url, headers)).body)).toEqual({
      __type: 'InvalidSignatureException',
      message: 'Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z (20260301T120600Z - 5 min.)',
    });
    clock = signedAt.getTime() - 6 * 60_000;
    expect(JSON.parse((await raw(endpoint.url, headers)).body).message).toBe('Signature not yet current: 20260301T120000Z is still later than 20260301T115900Z (20260301T115400Z + 5 min.)');
  });
});

describe('routes of the endpoint', () => {
  test('should check Host and Origin on every route, and Authorization on authenticated ones', async () => {
    const seen: string[] = [];
    const endpoint = await endpointWith([], {}, [
      { method: 'GET', path: '/_x/health', handle: (_req, res) => void res.end('ok') },
      { method: 'GET', path: '/_x/data', authenticated: true, handle: (_req, res, _url, context) => void (seen.push(context!.caller.scope.accessKeyId), res.end('data')) },
    ]);
    try {
      expect((await raw(endpoint.url, {}, '', 'GET', '/_x/health')).body).toBe('ok');
      expect((await raw(endpoint.url, { host: 'attacker.example' }, '', 'GET', '/_x/health')).status).toBe(403);
      expect((await raw(endpoint.url, { origin: 'https://evil.example' }, '', 'GET', '/_x/health')).status).toBe(403);
      expect(JSON.parse((await raw(endpoint.url, {}, '', 'GET', '/_x/data')).body).__type).toBe('MissingAuthenticationTokenException');
      expect((await raw(endpoint.url, sigv4FormHeaders('console'), '', 'GET', '/_x/data')).body).toBe('data');
      expect(seen).toEqual(['AKIDEXAMPLE']);
    } finally {
      await endpoint.close();
    }
  });
});

describe('parseAuthorization', () => {
  test('should parse the SigV4 form the SDKs send', () => {
    const parsed = parseAuthorization(`AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/states/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${'f'.repeat(64)}`, true);
    expect(parsed).toEqual({ scope: { accessKeyId: 'AKID', date: '20260101', region: 'us-east-1', service: 'states' }, signedHeaders: ['content-type', 'host', 'x-amz-date'], signature: 'f'.repeat(64) });
  });

  test('should refuse hostile values (each parse is one linear pass)', () => {
    for (const value of ['', ' ', 'AWS4-HMAC-SHA256', `AWS4-HMAC-SHA256 ${','.repeat(100_000)}`, `AWS4-HMAC-SHA256 Credential=${'/'.repeat(100_000)}, SignedHeaders=a, Signature=${'0'.repeat(64)}`, `AWS4-HMAC-SHA256 ${'a=b,'.repeat(20_000)}`]) {
      expect(parseAuthorization(value, true)).toBeInstanceOf(Refusal);
    }
  });
});
