/**
 * How the console talks to its endpoint: as any AWS client does. Every request is SigV4-signed with the pair `serve`
 * made for the console (read once from the same origin); Step Functions and SSM speak AWS JSON, CloudFormation the
 * query protocol (XML answers, read with the browser's DOMParser); live updates are server-sent events read from a
 * streamed, signed `fetch` (EventSource cannot send the Authorization header).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { takeFrames } from './sse.js';

export interface ConsoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** An AWS error answer: `name` is the error code (`ExecutionDoesNotExist`, `UnknownOperationException`…). */
export class ApiError extends Error {
  override readonly name: string;
  readonly status: number;
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** The console's own routes live beside the page; the AWS APIs at the origin's root. */
export const CONSOLE_BASE = new URL('./', location.href).pathname;

let credentialsPromise: Promise<ConsoleCredentials> | undefined;
const signers = new Map<string, SignatureV4>();

export function credentials(): Promise<ConsoleCredentials> {
  credentialsPromise ??= fetch(`${CONSOLE_BASE}credentials`, { cache: 'no-store', credentials: 'same-origin' }).then(async (res) => {
    if (!res.ok) throw new ApiError('CredentialsUnavailable', `The console could not read its credentials (HTTP ${res.status}).`, res.status);
    return (await res.json()) as ConsoleCredentials;
  });
  return credentialsPromise;
}

async function signer(service: string): Promise<SignatureV4> {
  const creds = await credentials();
  let found = signers.get(service);
  if (found === undefined) {
    found = new SignatureV4({ service, region: creds.region, credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }, sha256: Sha256 });
    signers.set(service, found);
  }
  return found;
}

interface SignedInit {
  readonly method: 'GET' | 'POST';
  /** The signing name: `states`, `ssm`, `cloudformation`, or `shellstep` for the console's routes. */
  readonly service: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/** A fetch with SigV4 headers; the browser sends the Host header itself, with the value that was signed. */
export async function signedFetch(init: SignedInit): Promise<Response> {
  const sign = await signer(init.service);
  const query = init.query ?? {};
  const signed = await sign.sign({
    method: init.method,
    protocol: location.protocol,
    hostname: location.hostname,
    ...(location.port === '' ? {} : { port: Number(location.port) }),
    path: init.path,
    query,
    headers: { host: location.host, ...(init.headers ?? {}) },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== 'host') headers[name] = value;
  const search = new URLSearchParams(query).toString();
  return fetch(`${init.path}${search === '' ? '' : `?${search}`}`, {
    method: init.method,
    headers,
    credentials: 'omit',
    cache: 'no-store',
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  });
}

async function jsonCall<T>(service: string, target: string, version: '1.0' | '1.1', input: object): Promise<T> {
  const res = await signedFetch({
    method: 'POST',
    service,
    path: '/',
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target },
    body: JSON.stringify(input),
  });
  const text = await res.text();
  const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  if (!res.ok) {
    const type = String(body['__type'] ?? res.headers.get('x-amzn-errortype') ?? `HTTP${res.status}`);
    throw new ApiError(type.slice(type.lastIndexOf('#') + 1), String(body['message'] ?? body['Message'] ?? text), res.status);
  }
  return body as T;
}

/** A Step Functions API call (AWS JSON 1.0). */
export function sfn<T = Record<string, unknown>>(operation: string, input: object = {}): Promise<T> {
  return jsonCall<T>('states', `AWSStepFunctions.${operation}`, '1.0', input);
}

/** An SSM API call (AWS JSON 1.1). */
export function ssm<T = Record<string, unknown>>(operation: string, input: object = {}): Promise<T> {
  return jsonCall<T>('ssm', `AmazonSSM.${operation}`, '1.1', input);
}

/** XML of the query protocol as plain values: `member` lists become arrays, leaves their text. */
export function xmlToValue(element: Element): unknown {
  const children = [...element.children];
  if (children.length === 0) return element.textContent ?? '';
  if (children.every((c) => c.localName === 'member')) return children.map(xmlToValue);
  const out: Record<string, unknown> = {};
  for (const child of children) out[child.localName] = xmlToValue(child);
  return out;
}

/** A CloudFormation API call (query protocol); resolves to the `<Action>Result` element's value. */
export async function cloudformation<T = Record<string, unknown>>(action: string, params: Record<string, string> = {}): Promise<T> {
  const body = new URLSearchParams({ Action: action, Version: '2010-05-15', ...params }).toString();
  const res = await signedFetch({ method: 'POST', service: 'cloudformation', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  const text = await res.text();
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (!res.ok) {
    const code = doc.getElementsByTagName('Code')[0]?.textContent ?? `HTTP${res.status}`;
    const message = doc.getElementsByTagName('Message')[0]?.textContent ?? text;
    throw new ApiError(code, message, res.status);
  }
  const result = doc.getElementsByTagName(`${action}Result`)[0];
  return (result === undefined ? {} : xmlToValue(result)) as T;
}

/** A JSON route of the console's own (`api/instances`). */
export async function consoleJson<T>(route: string): Promise<T> {
  const res = await signedFetch({ method: 'GET', service: 'shellstep', path: `${CONSOLE_BASE}${route}` });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new ApiError(String(body['__type'] ?? `HTTP${res.status}`), String(body['message'] ?? ''), res.status);
  return body as T;
}

/**
 * Reads a server-sent-events route until it ends or `signal` aborts; calls `onEvent` per event with its parsed data.
 * Resolves when the server ends the stream; rejects on an HTTP error or a broken connection.
 */
export async function readStream(
  route: string,
  query: Record<string, string>,
  onEvent: (event: string, data: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await signedFetch({ method: 'GET', service: 'shellstep', path: `${CONSOLE_BASE}${route}`, query, signal });
  if (!res.ok || res.body === null) {
    const text = await res.text();
    let name = `HTTP${res.status}`;
    let message = text;
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      name = String(body['__type'] ?? name);
      message = String(body['message'] ?? text);
    } catch {
      // Not JSON: keep the text.
    }
    throw new ApiError(name, message, res.status);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    const { events, rest } = takeFrames(buffered + value);
    buffered = rest;
    for (const { event, data } of events) onEvent(event, JSON.parse(data));
  }
}
