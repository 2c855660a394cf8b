/**
 * The endpoint's own health and reset routes, for test harnesses: `GET /_shellstep/health` (which services run, the
 * engine of each region, the version, the state) and `POST /_shellstep/reset` (fresh engines with serve's startup
 * work redone), and the paths other local endpoints use for the same, so that harnesses written for them work
 * unchanged: LocalStack's `GET /_localstack/health` and moto's `POST /moto-api/reset`, each in its own response shape.
 * They pass the endpoint's Host and Origin checks like every request, and need no signature (CONTRACTS, routes).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegionalEngines } from '../engine/regions/regional-engines.js';
import type { Route } from './server.js';

export interface ControlRoutesOptions {
  /** The services the endpoint runs, by SigV4 signing name (`ssm`, `states`, `cloudformation`, `sts`). */
  readonly services: readonly string[];
  /** Default: the package's version. */
  readonly version?: string;
}

export const HEALTH_PATH = '/_shellstep/health';
export const RESET_PATH = '/_shellstep/reset';

/** LocalStack names Step Functions `stepfunctions` in its health document (its service name, not the signing name). */
const LOCALSTACK_NAMES: Readonly<Record<string, string>> = { states: 'stepfunctions' };

let packageVersion: string | undefined;
function ownVersion(): string {
  packageVersion ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return packageVersion;
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  // The request's body (if any) is not read: nothing in it is used.
  req.resume();
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function controlRoutes(engines: RegionalEngines, options: ControlRoutesOptions): Route[] {
  const version = options.version ?? ownVersion();
  const startedAt = new Date().toISOString();
  const serviceState = () => (engines.state === 'closed' ? 'stopping' : 'running');

  const health = () => ({
    status: engines.state,
    version,
    startedAt,
    accountId: engines.accountId,
    defaultRegion: engines.defaultRegion,
    services: Object.fromEntries(options.services.map((name) => [name, serviceState()])),
    regions: Object.fromEntries(
      engines.list().map((engine) => [engine.region, { partition: engine.partition, instances: engine.instances.list().length }]),
    ),
    resets: engines.resets,
  });

  /** Resets, then answers `ok` with `body`; a failed reset (a startup template that no longer deploys) answers 500. */
  const reset = async (req: IncomingMessage, res: ServerResponse, ok: (ms: number) => unknown) => {
    const started = performance.now();
    try {
      await engines.reset();
    } catch (error) {
      sendJson(req, res, 500, { status: 'error', message: `reset failed: ${(error as Error).message}` });
      return;
    }
    sendJson(req, res, 200, ok(Math.round(performance.now() - started)));
  };

  return [
    { method: 'GET', path: HEALTH_PATH, handle: (req, res) => sendJson(req, res, 200, health()) },
    { method: 'POST', path: RESET_PATH, handle: (req, res) => reset(req, res, (ms) => ({ status: 'ok', resets: engines.resets, milliseconds: ms })) },
    {
      // LocalStack's health document: {"services": {<name>: "running"|"available"|…}, "edition", "version"}.
      method: 'GET',
      path: '/_localstack/health',
      handle: (req, res) =>
        sendJson(req, res, 200, {
          services: Object.fromEntries(options.services.map((name) => [LOCALSTACK_NAMES[name] ?? name, serviceState()])),
          edition: 'shellstep',
          version,
        }),
    },
    // moto's reset: POST answers {"status": "ok"}; any other method 400 {"Error": "Need to POST to reset Moto"}
    // (moto_api/_internal/responses.py, reset_response).
    { method: 'POST', path: '/moto-api/reset', handle: (req, res) => reset(req, res, () => ({ status: 'ok' })) },
    { method: 'GET', path: '/moto-api/reset', handle: (req, res) => sendJson(req, res, 400, { Error: 'Need to POST to reset Moto' }) },
  ];
}
