/**
 * Puts a `LocalEngine` behind the AWS endpoint: SSM on AWS JSON 1.1 (`AmazonSSM.*`), Step Functions on AWS JSON
 * 1.0 (`AWSStepFunctions.*`) and CloudFormation on the query protocol. A request signed with a key that
 * the engine's credential registry gives to a role session (a local instance's) is authorized against that role's
 * policies, as the engine authorizes the calls runbooks and state machines make with theirs; other callers stand
 * for the user and are not checked.
 */
import { cloudFormationHandlers } from '../engine/cloudformation/api-handlers.js';
import type { LocalEngine } from '../engine/local-engine.js';
import { STEP_FUNCTIONS_OPERATIONS, stepFunctionsHandlers } from '../engine/states/api-handlers.js';
import { SSM_OPERATIONS, ssmHandlers } from '../engine/ssm-service.js';
import type { JsonObject } from '../model/json.js';
import { consolePrincipal, consoleRoutes, type ConsoleRoutesOptions } from './console-routes.js';
import { queryService, type QueryOperation } from './query-protocol.js';
import { startEndpoint, type JsonService, type LocalEndpoint, type OperationHandler, type RequestContext } from './server.js';

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

export async function startLocalEndpoint(engine: LocalEngine, options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
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
  const endpoint = await startEndpoint({
    services,
    query,
    ...(options.console === undefined ? {} : { routes: consoleRoutes(engine, { ...options.console, credentials: engine.credentials.issue(consolePrincipal(engine)) }) }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.log === undefined ? {} : { log: options.log }),
    trust: {
      credentials: engine.credentials,
      ...(options.allowHosts === undefined ? {} : { allowHosts: options.allowHosts }),
      ...(options.allowOrigins === undefined ? {} : { allowOrigins: options.allowOrigins }),
      ...(options.verifySignatures === undefined ? {} : { verifySignatures: options.verifySignatures }),
    },
  });
  // Instances' commands now reach this endpoint, with keys of their role.
  const detach = engine.serving(localUrl(endpoint));
  return {
    ...endpoint,
    close: async () => {
      detach();
      await endpoint.close();
    },
  };
}
