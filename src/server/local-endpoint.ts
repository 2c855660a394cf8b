/**
 * Puts the local engines behind the AWS endpoint: SSM on AWS JSON 1.1 (`AmazonSSM.*`), Step Functions on AWS JSON
 * 1.0 (`AWSStepFunctions.*`), CloudFormation, STS and the IAM role API on the query protocol
 * (told apart by the credential scope's service). Each request goes to the engine of the
 * region its SigV4 credential scope names (regions/regional-engines.ts). A request signed with a key that
 * the engine's credential registry gives to a role session (a local instance's) is authorized against that role's
 * policies, as the engine authorizes the calls runbooks and state machines make with theirs; other callers stand
 * for the user and are not checked.
 */
import { cloudFormationHandlers } from '../engine/cloudformation/api-handlers.js';
import type { LocalEngine } from '../engine/local-engine.js';
import { isRegionName, partitionOf } from '../engine/regions/partitions.js';
import { EnginesUnavailable, RegionalEngines, RegionRefused } from '../engine/regions/regional-engines.js';
import { StsService } from '../engine/sts/sts-service.js';
import { ServiceError } from '../errors/service-error.js';
import { STEP_FUNCTIONS_OPERATIONS, stepFunctionsHandlers } from '../engine/states/api-handlers.js';
import { SSM_OPERATIONS, ssmHandlers } from '../engine/ssm-service.js';
import type { JsonObject } from '../model/json.js';
import { errorResponse } from './aws-json-protocol.js';
import { consolePrincipal, consoleRoutes, type ConsoleRoutesOptions } from './console-routes.js';
import { controlRoutes } from './control-routes.js';
import { queryErrorResponse, queryService, type QueryOperation } from './query-protocol.js';
import { startEndpoint, type JsonService, type LocalEndpoint, type OperationHandler, type QueryService, type RequestContext, type Route } from './server.js';
import { Refusal, type Protocol } from './trust-boundary.js';

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface LocalEndpointOptions {
  readonly host?: string;
  readonly port?: number;
  readonly log?: (line: string) => void;
  /** Host names served beside loopback (`--allow-host`): exact, or `*.example.com`. */
  readonly allowHosts?: readonly string[];
  /** Origins accepted beside the endpoint's own (`--allow-origin`). */
  readonly allowOrigins?: readonly string[];
  /** Check SigV4 signatures against `engine.credentials` (and the 5-minute date rule). Default false. */
  readonly verifySignatures?: boolean;
  /** Serve the web console at `/_shellstep/console/`, signing with a key the engine's registry issues for it. */
  readonly console?: Omit<ConsoleRoutesOptions, 'credentials'>;
  /** The version the health routes report. Default: the package's. */
  readonly version?: string;
}

/** The role a request acts as, and its session name: its access key's role session, if the registry gave the key to one. */
function roleOf(context: RequestContext): { roleArn: string; session: string } | undefined {
  const principal = context.caller.principal;
  if (principal?.roleArn === undefined) return undefined;
  return { roleArn: principal.roleArn, session: principal.arn.slice(principal.arn.lastIndexOf('/') + 1) };
}

function table(
  engine: LocalEngine,
  service: string,
  names: readonly string[],
  handlers: Readonly<Record<string, (input: JsonObject, context: { roleArn?: string }) => Promise<unknown>>>,
): Record<string, OperationHandler> {
  const out: Record<string, OperationHandler> = {};
  for (const name of names) {
    const handler = handlers[name];
    if (handler === undefined) continue;
    out[name] = (input, context) => {
      const role = roleOf(context);
      if (role === undefined) return handler(input, {});
      engine.authorize(service, name, input, role.roleArn, role.session);
      return handler(input, { roleArn: role.roleArn });
    };
  }
  return out;
}

/** The query operations, each authorized against the caller's role first (as `table` does for the JSON services). */
function authorizedQuery(engine: LocalEngine, service: string, operations: Readonly<Record<string, QueryOperation>>): Record<string, QueryOperation> {
  const out: Record<string, QueryOperation> = {};
  for (const [name, operation] of Object.entries(operations)) {
    out[name] = (input, context) => {
      const role = roleOf(context);
      if (role !== undefined) engine.authorize(service, name, input as JsonObject, role.roleArn, role.session);
      return operation(input, context);
    };
  }
  return out;
}

/** The URL commands on this machine use: a wildcard binding (0.0.0.0, ::) is reached through loopback. */
function localUrl(endpoint: LocalEndpoint): string {
  const url = new URL(endpoint.url);
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  else if (url.hostname === '[::]') url.hostname = '[::1]';
  return url.origin;
}

/** One engine's APIs: its JSON services and its query services (chosen by the credential scope's signing name). */
interface EngineApi {
  readonly services: readonly JsonService[];
  readonly query: QueryService;
  readonly queryServices: readonly QueryService[];
}

function engineApi(engine: LocalEngine): EngineApi {
  const services: JsonService[] = [
    { targetPrefix: 'AmazonSSM', version: '1.1', model: 'ssm', signingName: 'ssm', operations: table(engine, 'ssm', SSM_OPERATIONS, ssmHandlers(engine.ssm)) },
    {
      targetPrefix: 'AWSStepFunctions',
      version: '1.0',
      model: 'stepfunctions',
      signingName: 'states',
      operations: table(engine, 'sfn', STEP_FUNCTIONS_OPERATIONS, stepFunctionsHandlers(engine.sfn)),
    },
  ];
  const query = queryService(authorizedQuery(engine, 'cloudformation', cloudFormationHandlers(engine.cloudformation)));
  const iam = engine.iam;
  const iamQuery = queryService(
    authorizedQuery(engine, 'iam', {
      CreateRole: (input) => iam.CreateRole(input),
      GetRole: (input) => iam.GetRole(input),
      ListRoles: (input) => iam.ListRoles(input),
      DeleteRole: (input) => iam.DeleteRole(input),
      PutRolePolicy: (input) => iam.PutRolePolicy(input),
      GetRolePolicy: (input) => iam.GetRolePolicy(input),
      ListRolePolicies: (input) => iam.ListRolePolicies(input),
      DeleteRolePolicy: (input) => iam.DeleteRolePolicy(input),
    }),
    { namespace: 'https://iam.amazonaws.com/doc/2010-05-08/', signingName: 'iam' },
  );
  return { services, query, queryServices: [iamQuery] };
}

/** What the set throws, as the endpoint answers it. */
function unavailable(error: unknown, protocol: Protocol): unknown {
  if (error instanceof RegionRefused) return new Refusal('bad-signature', error.message).toError(protocol);
  // AWS's common error for a temporary failure; the SDKs retry a 503 (transient status), so a reset stays invisible.
  if (error instanceof EnginesUnavailable) return new ServiceError('ServiceUnavailable', error.message, { httpStatusCode: 503, fault: 'server' });
  return error;
}

/** The region a request is for: its credential scope's. A name that is no region is refused as AWS refuses it. */
function engineOf(engines: RegionalEngines, context: RequestContext, protocol: Protocol): LocalEngine {
  try {
    return engines.for(context.caller.scope.region);
  } catch (error) {
    throw unavailable(error, protocol);
  }
}

/** Makes `make(engine)` once per engine, on its first use. */
function perEngine<T>(make: (engine: LocalEngine) => T): (engine: LocalEngine) => T {
  const made = new WeakMap<LocalEngine, T>();
  return (engine) => {
    let value = made.get(engine);
    if (value === undefined) made.set(engine, (value = make(engine)));
    return value;
  };
}

/**
 * The endpoint's services, each dispatching to the engine of the request's region. Every engine has the same
 * operations, so the default region's APIs give the table; each engine's own handlers are made on its first request.
 */
function regionalApi(engines: RegionalEngines): EngineApi {
  const apiOf = perEngine(engineApi);
  const shape = apiOf(engines.default);
  const services = shape.services.map((service, index): JsonService => {
    const operations: Record<string, OperationHandler> = {};
    for (const name of Object.keys(service.operations)) {
      operations[name] = (input, context) => apiOf(engineOf(engines, context, 'json')).services[index]!.operations[name]!(input, context);
    }
    return { ...service, operations };
  });
  const regional = (pick: (api: EngineApi) => QueryService): QueryService => ({
    ...(pick(shape).signingName === undefined ? {} : { signingName: pick(shape).signingName! }),
    async handle(params, context) {
      let engine: LocalEngine;
      try {
        engine = engineOf(engines, context, 'query');
      } catch (error) {
        return queryErrorResponse(error);
      }
      return pick(apiOf(engine)).handle(params, context);
    },
  });
  return {
    services,
    query: regional((api) => api.query),
    queryServices: [...shape.queryServices.map((_, index) => regional((api) => api.queryServices[index]!)), stsQuery(engines)],
  };
}

/** STS answers from the credential registry and the account alone: no engine is made for it. */
function stsQuery(engines: RegionalEngines): QueryService {
  const sts = new StsService({ accountId: engines.accountId });
  return queryService(
    {
      GetCallerIdentity: async (_input, context) => {
        const region = context.caller.scope.region;
        if (!isRegionName(region)) throw new Refusal('bad-signature', `Credential should be scoped to a valid region, not '${region}'. `).toError('query');
        return sts.GetCallerIdentity({ ...(context.caller.principal === undefined ? {} : { principal: context.caller.principal }), partition: partitionOf(region) });
      },
    },
    { namespace: STS_NAMESPACE, signingName: 'sts', model: 'sts' },
  );
}

/**
 * The console's routes on the default region's engine, whichever it is now (a reset replaces it); its key is issued once,
 * in the registry every engine shares, so a page loaded before a reset keeps working after it.
 */
function regionalConsole(engines: RegionalEngines, options: Omit<ConsoleRoutesOptions, 'credentials'>): Route[] {
  const credentials = engines.credentials.issue(consolePrincipal(engines.default));
  const routesOf = perEngine((engine) => consoleRoutes(engine, { ...options, credentials }));
  return routesOf(engines.default).map((route, index): Route => ({
    ...route,
    handle: (req, res, url, context) => {
      let engine: LocalEngine;
      try {
        engine = engines.default;
      } catch (error) {
        const shaped = errorResponse(unavailable(error, 'json'), '1.1');
        req.resume();
        res.writeHead(shaped.status, { ...shaped.headers, 'content-length': String(Buffer.byteLength(shaped.body)) }).end(shaped.body);
        return;
      }
      return routesOf(engine)[index]!.handle(req, res, url, context);
    },
  }));
}

/**
 * Serves `engines` (or one engine, as the default region of a set that makes the others like it) on the AWS endpoint,
 * with the endpoint's own health and reset routes (and the console, when asked).
 */
export async function startLocalEndpoint(engines: LocalEngine | RegionalEngines, options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  const own = !(engines instanceof RegionalEngines);
  const set = engines instanceof RegionalEngines ? engines : RegionalEngines.around(engines);
  const api = regionalApi(set);
  const routes = [
    ...controlRoutes(set, { services: serviceNames(api), ...(options.version === undefined ? {} : { version: options.version }) }),
    ...(options.console === undefined ? [] : regionalConsole(set, options.console)),
  ];
  const endpoint = await startEndpoint({
    services: api.services,
    query: api.query,
    queryServices: api.queryServices,
    routes,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.log === undefined ? {} : { log: options.log }),
    trust: {
      credentials: set.credentials,
      ...(options.allowHosts === undefined ? {} : { allowHosts: options.allowHosts }),
      ...(options.allowOrigins === undefined ? {} : { allowOrigins: options.allowOrigins }),
      ...(options.verifySignatures === undefined ? {} : { verifySignatures: options.verifySignatures }),
    },
  });
  // Instances' commands now reach this endpoint, with keys of their role.
  const detach = set.serving(localUrl(endpoint));
  return {
    ...endpoint,
    close: async () => {
      detach();
      await endpoint.close();
      // The engines this endpoint made (other regions, resets) are its to close; the one it was given is its caller's.
      if (own) await Promise.all(set.list().filter((e) => e !== engines).map((e) => e.close()));
    },
  };
}

/** The services the endpoint runs, by SigV4 signing name (`ssm`, `states`, `cloudformation`, `sts`). */
function serviceNames(api: EngineApi): string[] {
  return [...api.services.map((s) => s.signingName), api.query.signingName, ...api.queryServices.map((q) => q.signingName)].filter((n): n is string => n !== undefined);
}
