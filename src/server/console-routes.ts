/**
 * The local web console's routes on the endpoint's own origin (`/_shellstep/console/`): its static files (built by
 * Vite into `dist/console/`), the credential pair the page signs its requests with, and the few things the public AWS
 * APIs cannot give a browser: live updates as server-sent events (an execution's history as it happens, "something
 * changed" notices, a running command's output) and the instance list with tags. Everything else the console reads
 * through the Step Functions, SSM and CloudFormation APIs, signed like any other client's requests.
 *
 * Static files and the credentials need only the endpoint's Host and Origin checks (a page of another origin cannot
 * read them: no CORS grant is given); the data routes are `authenticated`, like the AWS APIs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceError } from '../errors/service-error.js';
import type { Change } from '../engine/changes.js';
import type { Principal } from '../engine/iam/credential-registry.js';
import { INSTANCE_ID_PATTERN } from '../engine/instances/instance-registry.js';
import { isTerminalInvocation } from '../engine/run-command/command-status.js';
import type { LocalEngine } from '../engine/local-engine.js';
import { toJson } from '../engine/states/api-handlers.js';
import type { HistoryEvent } from '../engine/states/history.js';
import { errorResponse, serializeResult } from './aws-json-protocol.js';
import type { Route } from './server.js';

export const CONSOLE_PATH = '/_shellstep/console/';

/** The pair the console signs with: a key the engine's credential registry issued at start (`consolePrincipal`). */
export interface ConsoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface ConsoleRoutesOptions {
  readonly credentials: ConsoleCredentials;
  /** Folder of the built console. Default: the package's `dist/console/`. */
  readonly staticDir?: string;
  /** Most live streams open at once; more are refused with ThrottlingException. Default 64. */
  readonly maxStreams?: number;
  /** How often change notices are sent, coalesced (ms). Default 200. */
  readonly changeIntervalMs?: number;
}

const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));
/** A client that reads slower than this much unsent data is cut off (it reconnects and replays). */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** Comment lines that keep idle streams alive through proxies and let a dead client be noticed. */
const HEARTBEAT_MS = 15_000;
const COMMAND_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
/** The page loads only its own files and talks only to its own origin. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Who the console's key stands for: the local console user (an IAM user of the engine's account, never IAM-checked). */
export function consolePrincipal(engine: LocalEngine): Principal {
  return { arn: `arn:${engine.partition}:iam::${engine.accountId}:user/shellstep-console`, accountId: engine.accountId };
}

interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

/** The built files, read once: `index.html` and `assets/*` (names fixed at build time, so no path is ever joined). */
function loadStatic(dir: string): Map<string, StaticFile> | undefined {
  const files = new Map<string, StaticFile>();
  const add = (name: string) => files.set(name, { type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', body: readFileSync(join(dir, name)) });
  try {
    add('index.html');
  } catch {
    return undefined;
  }
  let assets: string[] = [];
  try {
    assets = readdirSync(join(dir, 'assets'));
  } catch {
    // A build without assets: only the page.
  }
  for (const name of assets) add(`assets/${name}`);
  return files;
}

function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const body = serializeResult(value);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

function sendError(res: ServerResponse, error: unknown): void {
  const shaped = errorResponse(error, '1.1');
  res.writeHead(shaped.status, { ...shaped.headers, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(shaped.body)) });
  res.end(shaped.body);
}

/** One open server-sent-events response. */
class EventStream {
  readonly #res: ServerResponse;
  readonly #heartbeat: NodeJS.Timeout;
  #closed = false;
  readonly #onClose: (() => void)[] = [];

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.#res = res;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    this.#heartbeat = setInterval(() => this.#write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.#heartbeat.unref();
    const close = () => this.close();
    req.on('close', close);
    res.on('close', close);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` when the stream closes (the client went away, or the stream ended). */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.push(fn);
  }

  send(event: string, data: unknown): void {
    this.#write(`event: ${event}\ndata: ${serializeResult(data)}\n\n`);
  }

  #write(text: string): void {
    if (this.#closed) return;
    if (this.#res.writableLength > MAX_UNSENT_BYTES) {
      this.#res.destroy();
      this.close();
      return;
    }
    this.#res.write(text);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    if (!this.#res.writableEnded && !this.#res.destroyed) this.#res.end();
    for (const fn of this.#onClose.splice(0)) fn();
  }
}

const TERMINAL_EVENTS = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

function param(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (value === null || value === '') throw new ServiceError('ValidationException', `Missing query parameter '${name}'.`);
  return value;
}

/** The console's routes, in match order (the static prefix last). */
export function consoleRoutes(engine: LocalEngine, options: ConsoleRoutesOptions): Route[] {
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  const maxStreams = options.maxStreams ?? 64;
  const changeIntervalMs = options.changeIntervalMs ?? 200;
  let files: Map<string, StaticFile> | undefined;
  let open = 0;

  /** Opens a stream within the limit, or answers ThrottlingException. */
  const openStream = (req: IncomingMessage, res: ServerResponse): EventStream | undefined => {
    if (open >= maxStreams) {
      sendError(res, new ServiceError('ThrottlingException', `More than ${maxStreams} console live streams are open.`, { httpStatusCode: 429 }));
      return undefined;
    }
    open++;
    const stream = new EventStream(req, res);
    stream.onClose(() => open--);
    return stream;
  };

  /** An execution's history: every event so far, then each one as it happens, in batches; ends with the execution. */
  const history = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const executionArn = param(url, 'executionArn');
    let pending: unknown[] = [];
    let ended = false;
    let stream: EventStream | undefined;
    const flush = () => {
      if (stream === undefined || pending.length === 0) return;
      stream.send('events', pending);
      pending = [];
      if (ended) stream.close();
    };
    let scheduled = false;
    const listener = (event: HistoryEvent) => {
      pending.push(toJson(event));
      if (TERMINAL_EVENTS.has(event.type)) ended = true;
      if (stream !== undefined && !scheduled) {
        scheduled = true;
        // Events of one turn (a Map's iterations) go out together.
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      }
    };
    // Throws ExecutionDoesNotExist / InvalidArn before any header is written.
    const unsubscribe = engine.sfn.subscribeToHistory(executionArn, listener, { replay: true });
    stream = openStream(req, res);
    if (stream === undefined) {
      unsubscribe();
      return;
    }
    stream.onClose(unsubscribe);
    flush();
  };

  /** "Something changed" notices (executions, automations, commands, instances), coalesced per interval. */
  const changes = (req: IncomingMessage, res: ServerResponse): void => {
    const stream = openStream(req, res);
    if (stream === undefined) return;
    const pending = new Map<string, Change | { kind: 'instance'; id: string }>();
    let timer: NodeJS.Timeout | undefined;
    const add = (change: Change | { kind: 'instance'; id: string }) => {
      pending.set(`${change.kind} ${change.id}`, change);
      timer ??= setTimeout(() => {
        timer = undefined;
        stream.send('changes', [...pending.values()]);
        pending.clear();
      }, changeIntervalMs);
    };
    const stopChanges = engine.changes.subscribe(add);
    const stopInstances = engine.instances.subscribe((event) => add({ kind: 'instance', id: event.instanceId }));
    stream.send('ready', {});
    stream.onClose(() => {
      stopChanges();
      stopInstances();
      if (timer !== undefined) clearTimeout(timer);
    });
  };

  /** A command invocation's output as the process writes it, then its full lengths once the command ends. */
  const output = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const commandId = param(url, 'commandId');
    const instanceId = param(url, 'instanceId');
    if (!COMMAND_ID.test(commandId)) throw new ServiceError('InvalidCommandId', 'Invalid command ID.');
    if (!INSTANCE_ID_PATTERN.test(instanceId)) throw new ServiceError('InvalidInstanceId', `Invalid instance id '${instanceId}'.`);
    const runCommand = engine.ssm.runCommand;
    if (runCommand.capturedOutput(commandId, instanceId) === undefined) throw new ServiceError('InvocationDoesNotExist', 'The command ID and instance ID you specified did not match any invocations.');
    const stream = openStream(req, res);
    if (stream === undefined) return;
    const stopWatching = runCommand.watchOutput(commandId, instanceId, (fd, text) => stream.send('output', { stream: fd === 1 ? 'stdout' : 'stderr', text }));
    // Ends with the invocation (not the command, whose other nodes may run on): its output is final then.
    const endIfDone = () => {
      const invocation = runCommand.invocationsOf(commandId).find((i) => i.InstanceId === instanceId);
      if (invocation === undefined || !isTerminalInvocation(invocation.Status)) return;
      const captured = runCommand.capturedOutput(commandId, instanceId);
      stream.send('end', { status: invocation.Status, stdoutLength: captured?.stdout.length ?? 0, stderrLength: captured?.stderr.length ?? 0 });
      stream.close();
    };
    const stopChanges = engine.changes.subscribe((change) => {
      if (change.kind === 'command' && change.id === commandId) endIfDone();
    });
    stream.onClose(() => {
      stopWatching();
      stopChanges();
    });
    endIfDone();
  };

  const instances = (res: ServerResponse): void => {
    sendJson(res, 200, {
      Instances: engine.instances.list().map((i) => ({
        ...i.describe(),
        Name: i.name,
        Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
        RootDir: i.rootDir,
      })),
    });
  };

  const guarded =
    (fn: (req: IncomingMessage, res: ServerResponse, url: URL) => void) =>
    (req: IncomingMessage, res: ServerResponse, url: URL): void => {
      try {
        fn(req, res, url);
      } catch (error) {
        if (!res.headersSent) sendError(res, error);
        else res.destroy();
      }
    };

  return [
    {
      method: 'GET',
      path: `${CONSOLE_PATH}credentials`,
      authenticated: false,
      handle: (_req, res) =>
        sendJson(res, 200, { accessKeyId: options.credentials.accessKeyId, secretAccessKey: options.credentials.secretAccessKey, region: engine.region }, {
          // Readable by the console's own page only (no CORS grant), never cached, never embedded elsewhere.
          'cross-origin-resource-policy': 'same-origin',
        }),
    },
    { method: 'GET', path: `${CONSOLE_PATH}api/history`, authenticated: true, handle: guarded(history) },
    { method: 'GET', path: `${CONSOLE_PATH}api/changes`, authenticated: true, handle: guarded(changes) },
    { method: 'GET', path: `${CONSOLE_PATH}api/output`, authenticated: true, handle: guarded(output) },
    { method: 'GET', path: `${CONSOLE_PATH}api/instances`, authenticated: true, handle: guarded((_req, res) => instances(res)) },
    {
      method: 'GET',
      path: CONSOLE_PATH.slice(0, -1),
      authenticated: false,
      handle: (_req, res) => {
        res.writeHead(308, { location: CONSOLE_PATH, 'content-length': '0' });
        res.end();
      },
    },
    {
      method: 'GET',
      path: CONSOLE_PATH,
      authenticated: false,
      handle: (_req, res, url) => {
        files ??= loadStatic(staticDir);
        if (files === undefined) {
          sendError(res, new ServiceError('ConsoleNotBuilt', `The console is not built (no ${join(staticDir, 'index.html')}): run npm run build.`, { httpStatusCode: 503, fault: 'server' }));
          return;
        }
        const name = url.pathname === CONSOLE_PATH ? 'index.html' : url.pathname.slice(CONSOLE_PATH.length);
        const file = files.get(name);
        if (file === undefined) {
          sendError(res, new ServiceError('NotFound', `No console file ${url.pathname}.`, { httpStatusCode: 404 }));
          return;
        }
        const page = name === 'index.html';
        res.writeHead(200, {
          'content-type': file.type,
          'content-length': String(file.body.length),
          'x-content-type-options': 'nosniff',
          // Asset names carry a content hash; the page itself is always asked for again.
          'cache-control': page ? 'no-cache' : 'public, max-age=31536000, immutable',
          ...(page ? { 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' } : {}),
        });
        res.end(file.body);
      },
    },
  ];
}
