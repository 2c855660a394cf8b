import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { CONSOLE_PATH, consolePrincipal, consoleRoutes, type ConsoleCredentials } from '../../src/server/console-routes.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import { startEndpoint, type LocalEndpoint } from '../../src/server/server.js';
import { takeFrames } from '../../src/console/api/sse.js';
import { signedGet as sign } from '../helpers/console-signing.js';

let engine: LocalEngine;
let endpoint: LocalEndpoint;
let instanceId: string;
/** The pair the console reads from its credentials route, as the page does. */
type PageCredentials = ConsoleCredentials & { readonly region: string };
let credentials: PageCredentials;
const PASS = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Wait', Seconds: 5, End: true } } });
const ROLE = 'arn:aws:iam::123456789012:role/console-test';

beforeAll(async () => {
  engine = new LocalEngine({ clock: 'fast' });
  engine.roles.define(ROLE);
  instanceId = engine.instances.add({ tags: { Role: 'web' } }).instanceId;
  endpoint = await startLocalEndpoint(engine, { console: {}, verifySignatures: true });
  credentials = (await (await fetch(`${endpoint.url}${CONSOLE_PATH}credentials`)).json()) as PageCredentials;
});

/** A GET signed as the console signs it (`key` default: the console's pair). */
function signedGet(target: string, init: { signal?: AbortSignal; key?: PageCredentials } = {}): Promise<Response> {
  return sign(target, init.key ?? credentials, init.signal);
}

afterAll(async () => {
  await endpoint.close();
  await engine.close();
});

const url = (path: string) => `${endpoint.url}${CONSOLE_PATH}${path}`;

interface Sse {
  readonly events: { event: string; data: unknown }[];
  /** Resolves once the server ended the stream. */
  readonly ended: Promise<void>;
  /** Resolves when an event of that name has arrived. */
  next(event: string): Promise<unknown>;
  close(): void;
}

/** Opens a server-sent-events route and collects what it sends. */
async function sse(path: string): Promise<Sse> {
  const controller = new AbortController();
  const res = await signedGet(url(path), { signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const events: { event: string; data: unknown }[] = [];
  const waiters: { event: string; resolve: (data: unknown) => void }[] = [];
  const ended = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const taken = takeFrames(buffered + value);
        buffered = taken.rest;
        for (const frame of taken.events) {
          const parsed = { event: frame.event, data: JSON.parse(frame.data) as unknown };
          events.push(parsed);
          for (const w of waiters.filter((w) => w.event === parsed.event)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(parsed.data);
          }
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    events,
    ended,
    next: (event) => {
      const seen = events.filter((e) => e.event === event);
      return new Promise((resolve) => waiters.push({ event, resolve: (data) => resolve(data) })).then((data) => data ?? seen.at(-1)?.data);
    },
    close: () => controller.abort(),
  };
}

async function errorOf(path: string): Promise<{ status: number; type: string; message: string }> {
  const res = await signedGet(url(path));
  const body = (await res.json()) as { __type: string; message: string };
  return { status: res.status, type: body.__type, message: body.message };
}

describe('console routes', () => {
  test('the credentials route gives a pair the engine issued to the console user, same-origin only and never cached', async () => {
    const res = await fetch(url('credentials'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(credentials);
    expect(credentials.region).toBe('us-east-1');
    expect(engine.credentials.get(credentials.accessKeyId)).toMatchObject({ secretAccessKey: credentials.secretAccessKey, principal: consolePrincipal(engine) });
    expect(consolePrincipal(engine).arn).toBe('arn:aws:iam::123456789012:user/shellstep-console');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(credentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(credentials.secretAccessKey).toHaveLength(40);
  });

  test('the page comes with a policy that lets it load and call only its own origin; unknown files are 404', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-static-'));
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    const own = await startEndpoint({ services: [], routes: consoleRoutes(engine, { credentials, staticDir: dir }), trust: { credentials: engine.credentials } });
    try {
      const page = await fetch(`${own.url}${CONSOLE_PATH}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      const script = await fetch(`${own.url}${CONSOLE_PATH}assets/index-abc.js`);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await script.text()).toBe('console.log(1)');
      for (const path of ['assets/missing.js', 'index.htm', '..%2F..%2Fpackage.json', 'assets/%2e%2e/%2e%2e/package.json']) {
        const res = await fetch(`${own.url}${CONSOLE_PATH}${path}`);
        expect([404], path).toContain(res.status);
      }
      const redirect = await fetch(`${own.url}${CONSOLE_PATH.slice(0, -1)}`, { redirect: 'manual' });
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get('location')).toBe(CONSOLE_PATH);
    } finally {
      await own.close();
    }
  });

  test('a console that was not built answers 503 ConsoleNotBuilt, and the endpoint keeps serving', async () => {
    const own = await startEndpoint({ services: [], routes: consoleRoutes(engine, { credentials, staticDir: mkdtempSync(join(tmpdir(), 'console-empty-')) }), trust: { credentials: engine.credentials } });
    try {
      const res = await fetch(`${own.url}${CONSOLE_PATH}`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { __type: string }).__type).toBe('ConsoleNotBuilt');
      expect((await fetch(`${own.url}${CONSOLE_PATH}credentials`)).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  test('the history stream replays the events so far, then sends each new one, and ends with the execution', async () => {
    const machine = await engine.sfn.CreateStateMachine({ name: 'console-history', roleArn: ROLE, definition: PASS });
    const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn: machine.stateMachineArn, input: '{"a":1}' });
    const stream = await sse(`api/history?executionArn=${encodeURIComponent(executionArn)}`);
    await stream.ended;
    const events = stream.events.flatMap((e) => e.data as { type: string; id: number; timestamp: number }[]);
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    // Timestamps as the JSON protocol sends them: epoch seconds.
    expect(typeof events[0]!.timestamp).toBe('number');
    expect(events[0]!.timestamp).toBeLessThan(1e11);
  });

  test('the history stream refuses unknown, malformed and missing executions with AWS errors', async () => {
    expect(await errorOf('api/history')).toMatchObject({ status: 400, type: 'ValidationException' });
    expect(await errorOf('api/history?executionArn=nope')).toMatchObject({ status: 400, type: 'InvalidArn' });
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:nothing:here';
    expect(await errorOf(`api/history?executionArn=${encodeURIComponent(arn)}`)).toMatchObject({ status: 400, type: 'ExecutionDoesNotExist' });
  });

  test('the changes stream tells of executions starting and ending, with their state machine', async () => {
    const machine = await engine.sfn.CreateStateMachine({ name: 'console-changes', roleArn: ROLE, definition: PASS });
    const stream = await sse('api/changes');
    await stream.next('ready');
    const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn: machine.stateMachineArn, input: '{}' });
    const changes = (await stream.next('changes')) as { kind: string; id: string; parent?: string }[];
    expect(changes).toContainEqual({ kind: 'execution', id: executionArn, parent: machine.stateMachineArn });
    stream.close();
  });

  test('the output stream sends a running command’s output as it is written, then its full lengths', async () => {
    const { Command } = await engine.ssm.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Parameters: { commands: ['echo one', 'while [ ! -e go ]; do sleep 0.02; done', 'echo two >&2'] } });
    const stream = await sse(`api/output?commandId=${Command.CommandId}&instanceId=${instanceId}`);
    expect(await stream.next('output')).toEqual({ stream: 'stdout', text: 'one\n' });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(engine.instances.get(instanceId)!.rootDir, 'go'), '');
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['output', 'output', 'end']);
    expect(stream.events[1]!.data).toEqual({ stream: 'stderr', text: 'two\n' });
    expect(stream.events[2]!.data).toEqual({ status: 'Success', stdoutLength: 4, stderrLength: 4 });
    // A finished invocation ends at once, with its lengths.
    const again = await sse(`api/output?commandId=${Command.CommandId}&instanceId=${instanceId}`);
    await again.ended;
    expect(again.events).toEqual([{ event: 'end', data: { status: 'Success', stdoutLength: 4, stderrLength: 4 } }]);
  });

  test('the output stream refuses malformed and unknown ids with AWS errors', async () => {
    expect(await errorOf(`api/output?commandId=x&instanceId=${instanceId}`)).toMatchObject({ status: 400, type: 'InvalidCommandId' });
    expect(await errorOf('api/output?commandId=00000000-0000-0000-0000-000000000000&instanceId=bad')).toMatchObject({ status: 400, type: 'InvalidInstanceId' });
    expect(await errorOf(`api/output?commandId=00000000-0000-0000-0000-000000000000&instanceId=${instanceId}`)).toMatchObject({ status: 400, type: 'InvocationDoesNotExist' });
    expect(await errorOf('api/output')).toMatchObject({ status: 400, type: 'ValidationException' });
  });

  test('live streams are bounded: one over the limit gets ThrottlingException, and a closed one frees its place', async () => {
    const own = await startEndpoint({ services: [], routes: consoleRoutes(engine, { credentials, maxStreams: 2 }), trust: { credentials: engine.credentials, verifySignatures: true } });
    const controllers = [new AbortController(), new AbortController()];
    try {
      for (const c of controllers) expect((await signedGet(`${own.url}${CONSOLE_PATH}api/changes`, { signal: c.signal })).status).toBe(200);
      const refused = await signedGet(`${own.url}${CONSOLE_PATH}api/changes`);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { __type: string }).__type).toBe('ThrottlingException');
      controllers[0]!.abort();
      await expect.poll(async () => {
        const res = await signedGet(`${own.url}${CONSOLE_PATH}api/changes`, { signal: AbortSignal.timeout(2000) });
        const status = res.status;
        if (status === 200) void res.body?.cancel();
        return status;
      }).toBe(200);
    } finally {
      for (const c of controllers) c.abort();
      await own.close();
    }
  });

  test('the data routes need the signature of a known key, as the AWS APIs do; the page and credentials need none', async () => {
    for (const path of ['api/instances', 'api/changes', `api/history?executionArn=x`, 'api/output?commandId=x&instanceId=y']) {
      const unsigned = await fetch(url(path));
      expect(unsigned.status, path).toBe(400);
      expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
    }
    const stranger = await signedGet(url('api/instances'), { key: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40), region: 'us-east-1' } });
    expect(((await stranger.json()) as { __type: string }).__type).toBe('UnrecognizedClientException');
    const forged = await signedGet(url('api/instances'), { key: { ...credentials, secretAccessKey: 'y'.repeat(40) } });
    expect(((await forged.json()) as { __type: string }).__type).toBe('InvalidSignatureException');
    // A page of another origin is refused before any route runs.
    const foreign = await fetch(url('credentials'), { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect((await fetch(url(''))).status).toBe(200);
  });

  test('the instances route lists each local instance with its tags and ping status', async () => {
    const res = await signedGet(url('api/instances'));
    const body = (await res.json()) as { Instances: { InstanceId: string; PingStatus: string; Tags: { Key: string; Value: string }[] }[] };
    expect(body.Instances).toHaveLength(1);
    expect(body.Instances[0]).toMatchObject({ InstanceId: instanceId, PingStatus: 'Online', Tags: [{ Key: 'Role', Value: 'web' }] });
  });
});
