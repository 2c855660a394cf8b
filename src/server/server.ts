/**
 * The local AWS endpoint: one HTTP server that speaks AWS JSON 1.0 (`AWSStepFunctions.*`) and 1.1
 * (`AmazonSSM.*`), dispatching by `X-Amz-Target` to a table of handlers per service, plus the query protocol
 * for the CloudFormation subset. It binds to loopback by default, passes every request through the trust boundary
 * (Host, Origin, SigV4 `Authorization`; trust-boundary.ts) and answers malformed requests with AWS-shaped 4xx errors
 * while it keeps serving.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceError } from '../errors/service-error.js';
import { isJsonObject, type JsonObject } from '../model/json.js';
import { findSdkService } from '../validate/aws-sdk-models.js';
import { contentType, errorResponse, parseTarget, serializeResult, type JsonVersion } from './aws-json-protocol.js';
import { checkRequestShape, withoutNullMembers } from '../validate/request-shape.js';
import { queryErrorResponse } from './query-protocol.js';
import { parseAuthorization, Refusal, TrustBoundary, type Caller, type Protocol, type TrustBoundaryOptions } from './trust-boundary.js';
import { parseJson } from '../validate/nesting.js';

/** What a handler knows of the request beyond its input: who sent it (credential scope and registered principal). */
export interface RequestContext {
  readonly caller: Caller;
}

export type OperationHandler = (input: JsonObject, context: RequestContext) => Promise<unknown>;

/** A service on the AWS JSON protocol: its target prefix and a handler per operation. */
export interface JsonService {
  /** `AmazonSSM`, `AWSStepFunctions`. */
  readonly targetPrefix: string;
  readonly version: JsonVersion;
  /** The SDK model used to check request shapes (`ssm`, `stepfunctions`). */
  readonly model: string;
  /** The SigV4 signing name clients put in the credential scope (`ssm`, `states`); checked when verifying. */
  readonly signingName?: string;
  readonly operations: Readonly<Record<string, OperationHandler>>;
}

/** A service on the query protocol (form-encoded `Action=…`, XML responses): CloudFormation. */
export interface QueryService {
  /** The SigV4 signing name clients put in the credential scope (`cloudformation`); checked when verifying. */
  readonly signingName?: string;
  /** Handles a parsed form body; returns status, content type and body. */
  handle(params: URLSearchParams, context: RequestContext): Promise<{ status: number; body: string }>;
}

/**
 * A path of the endpoint's own beside the AWS APIs (health, reset, the console). Matched before the AWS protocols, by
 * method and path: an exact path, or a prefix when `path` ends with `/`.
 */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /**
   * The route needs a SigV4-signed request, as the AWS APIs do (the console's data and live updates). The endpoint then
   * reads the body itself (it is signed) and passes it with the caller; unauthenticated routes read `req` themselves.
   */
  readonly authenticated?: boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, context?: RouteContext): Promise<void> | void;
}

/** Given to authenticated routes. */
export interface RouteContext extends RequestContext {
  readonly body: Buffer;
}

export interface EndpointOptions {
  readonly services: readonly JsonService[];
  /** The query-protocol service for requests whose credential scope names no service in `queryServices`. */
  readonly query?: QueryService;
  /** More query-protocol services (IAM beside CloudFormation), chosen by the credential scope's service. */
  readonly queryServices?: readonly QueryService[];
  readonly routes?: readonly Route[];
  /** Default 127.0.0.1: the endpoint runs commands on request, so it never listens beyond loopback unless asked. */
  readonly host?: string;
  /** Allowed hosts and origins, signature verification (trust-boundary.ts). Default: loopback, own origin, SigV4 form only. */
  readonly trust?: TrustBoundaryOptions;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Largest request body accepted. Default 4 MiB (a state machine definition may be 1 MiB, a document 64 KB). */
  readonly maxBodyBytes?: number;
  /** Receives one line per request that failed inside a handler. */
  readonly log?: (line: string) => void;
}

export interface LocalEndpoint {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)), 'x-amzn-requestid': crypto.randomUUID() });
  res.end(body);
}

function sendError(res: ServerResponse, error: unknown, version: JsonVersion): void {
  const shaped = errorResponse(error, version);
  send(res, shaped.status, shaped.headers, shaped.body);
}

/** A refusal, shaped for the protocol the request speaks; the request's body is never read. */
function sendRefusal(req: IncomingMessage, res: ServerResponse, refusal: Refusal, protocol: Protocol, version: JsonVersion): void {
  res.setHeader('connection', 'close');
  if (protocol === 'query') {
    const shaped = queryErrorResponse(refusal.toError('query'));
    send(res, shaped.status, { 'content-type': 'text/xml' }, shaped.body);
  } else {
    sendError(res, refusal.toError('json'), version);
  }
  req.resume();
}

/**
 * The path of a request target, as `new URL(target, base).pathname` gives it. A plain path (every SDK request is `/`)
 * is read as is; anything the URL parser would rewrite (dot segments, escapes, backslashes, odd characters) goes
 * through the parser, so that routes match the same paths either way.
 */
export function pathOf(target: string | undefined): string {
  if (target === undefined) return '/';
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  return /^\/[A-Za-z0-9_\-/]*$/.test(path) && !path.includes('//') ? path : new URL(target, 'http://endpoint').pathname;
}

/** The query protocol is a form POST without `X-Amz-Target`; everything else is answered in JSON. */
function protocolOf(req: IncomingMessage): Protocol {
  return req.headers['x-amz-target'] === undefined && String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded') ? 'query' : 'json';
}

/** Starts the endpoint and resolves once it listens. */
export async function startEndpoint(options: EndpointOptions): Promise<LocalEndpoint> {
  const byPrefix = new Map(options.services.map((s) => [s.targetPrefix, s]));
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = options.log ?? (() => undefined);
  const routes = options.routes ?? [];
  const boundary = new TrustBoundary(options.trust);

  /** The body, or undefined once a 413 has been sent for it. */
  const body = async (req: IncomingMessage, res: ServerResponse, version: JsonVersion): Promise<Buffer | undefined> => {
    try {
      return await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        sendError(res, new ServiceError('RequestEntityTooLargeException', `Request body exceeds ${limit} bytes.`, { httpStatusCode: 413 }), version);
        res.on('finish', () => req.destroy());
        return undefined;
      }
      throw error;
    }
  };

  /** The query service named by the credential scope's service (the IAM API beside CloudFormation's), else the default. */
  const queryServiceFor = (authorization: string): QueryService | undefined => {
    const parsed = parseAuthorization(authorization, true);
    const scoped = parsed instanceof Refusal ? undefined : parsed.scope.service;
    return options.queryServices?.find((q) => q.signingName === scoped) ?? options.query;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.headers['x-amz-target'];
    const parsed = parseTarget(Array.isArray(target) ? target[0] : target);
    const service = parsed === undefined ? undefined : byPrefix.get(parsed.prefix);
    const version: JsonVersion = service?.version ?? '1.1';
    const protocol = protocolOf(req);
    // Host and Origin first, for every request: nothing a foreign page sends reaches a route or an API.
    const foreign = boundary.checkHostAndOrigin(req);
    if (foreign !== undefined) {
      sendRefusal(req, res, foreign, protocol, version);
      return;
    }
    const pathname = pathOf(req.url);
    const route = routes.length === 0 ? undefined : routes.find((r) => r.method === req.method && (r.path.endsWith('/') ? pathname.startsWith(r.path) : pathname === r.path));
    if (route !== undefined) {
      const url = new URL(req.url ?? '/', 'http://endpoint');
      if (route.authenticated !== true) {
        await route.handle(req, res, url);
        return;
      }
      if (req.headers['authorization'] === undefined) {
        sendRefusal(req, res, new Refusal('missing', 'Request is missing Authentication Token'), 'json', version);
        return;
      }
      const routeBody = await body(req, res, version);
      if (routeBody === undefined) return;
      const caller = await boundary.authenticate({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: routeBody });
      if (caller instanceof Refusal) sendRefusal(req, res, caller, 'json', version);
      else await route.handle(req, res, url, { caller, body: routeBody });
      return;
    }
    if (req.method !== 'POST') {
      sendError(res, new ServiceError('UnknownOperationException', `Only POST is supported, got ${req.method ?? '?'}.`, { httpStatusCode: 404 }), version);
      req.resume();
      return;
    }
    // An unsigned request is refused before its body is read: a cross-site form never gets parsed.
    if (req.headers['authorization'] === undefined) {
      sendRefusal(req, res, new Refusal('missing', 'Request is missing Authentication Token'), protocol, version);
      return;
    }
    const payload = await body(req, res, version);
    if (payload === undefined) return;
    // Query APIs share one path and form: the signing name in the credential scope says which one is called.
    const query = protocol === 'query' ? queryServiceFor(String(req.headers['authorization'])) : undefined;
    const caller = await boundary.authenticate(
      { method: req.method, url: req.url ?? '/', headers: req.headers, body: payload },
      query?.signingName ?? service?.signingName,
    );
    if (caller instanceof Refusal) {
      sendRefusal(req, res, caller, protocol, version);
      return;
    }
    const context: RequestContext = { caller };
    if (query !== undefined) {
      const result = await query.handle(new URLSearchParams(payload.toString('utf8')), context);
      send(res, result.status, { 'content-type': 'text/xml' }, result.body);
      return;
    }
    if (parsed === undefined) {
      sendError(res, new ServiceError('UnknownOperationException', 'Missing or malformed X-Amz-Target header (expected <ServicePrefix>.<Operation>).'), version);
      return;
    }
    if (service === undefined) {
      sendError(res, new ServiceError('UnknownOperationException', `Unknown service target prefix '${parsed.prefix}'. This endpoint serves: ${[...byPrefix.keys()].join(', ')}.`), version);
      return;
    }
    const handler = Object.hasOwn(service.operations, parsed.operation) ? service.operations[parsed.operation] : undefined;
    if (handler === undefined) {
      const known = findSdkService(service.model)?.operations.has(parsed.operation) === true;
      sendError(
        res,
        new ServiceError(
          'UnknownOperationException',
          known
            ? `${parsed.prefix}.${parsed.operation} is a real operation that the shellstep local engine does not support.`
            : `${parsed.prefix}.${parsed.operation} is not an operation of this service.`,
        ),
        version,
      );
      return;
    }
    let input: unknown;
    try {
      const text = payload.toString('utf8');
      // At most 1,000 levels (Jackson's limit): the shape check and the services walk the body recursively.
      input = text.trim() === '' ? {} : parseJson(text);
    } catch (error) {
      sendError(res, new ServiceError('SerializationException', `Request body is not valid JSON: ${(error as Error).message}`), version);
      return;
    }
    if (!isJsonObject(input)) {
      sendError(res, new ServiceError('SerializationException', 'Request body must be a JSON object.'), version);
      return;
    }
    try {
      const model = findSdkService(service.model);
      if (model !== undefined) checkRequestShape(model, parsed.operation, input);
      const result = await handler(withoutNullMembers(input) as JsonObject, context);
      send(res, 200, { 'content-type': contentType(version) }, serializeResult(result));
    } catch (error) {
      if (!(error instanceof ServiceError) || error.$fault === 'server') log(`${parsed.prefix}.${parsed.operation}: ${(error as Error).stack ?? String(error)}`);
      sendError(res, error, version);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`request failed: ${(error as Error).stack ?? String(error)}`);
      sendError(res, error, '1.1');
    });
  });
  // Slow or stalled clients cannot hold the endpoint: headers within 10 s, the whole request within 60 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  boundary.listening(address.port, address.address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
