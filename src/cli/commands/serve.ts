/** `shellstep serve`: the local engine behind an AWS endpoint for the SDK, the AWS CLI and boto3. */
import { InvalidArgumentError, type Command } from 'commander';
import { join, resolve } from 'node:path';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, isAccountId, isRegionName } from '../../engine/regions/partitions.js';
import type { Store } from '../../engine/store/index.js';
import { ExitCode } from '../exit-codes.js';
import { collect, instanceSpec, keyValue, oneOf, port, type InstanceSpec } from '../options.js';
import { resolveFile, SHIPPED_TEMPLATES } from '../shipped.js';
import { isLoopbackHost, serveSecurity } from './serve-security.js';

/**
 * The store of `--data-dir` (undefined without it), or null after printing why the folder cannot be used: the message
 * names the file (a foreign or damaged database, a newer schema, another serve using it).
 */
async function openDataDir(dataDir: string | undefined): Promise<{ store: Store; instancesDir: string; file: string } | null | undefined> {
  if (dataDir === undefined) return undefined;
  const { openSqliteStore, StoreOpenError, DATABASE_FILE } = await import('../../engine/store/index.js');
  try {
    return { store: openSqliteStore(dataDir), instancesDir: join(resolve(dataDir), 'instances'), file: join(resolve(dataDir), DATABASE_FILE) };
  } catch (error) {
    if (!(error instanceof StoreOpenError)) throw error;
    process.stderr.write(`--data-dir: ${error.message}\n`);
    return null;
  }
}

/** How long serve may spend stopping before it exits anyway (the promise is 2 s; the rest is the helper's share). */
export const STOP_DEADLINE_MS = 1000;

interface ServeOptions {
  host: string;
  port: number;
  template?: string[];
  parameter?: Record<string, string>;
  instance?: InstanceSpec[];
  clock: 'real' | 'fast';
  region: string;
  accountId: string;
  iam: boolean;
  allowHost?: string[];
  allowOrigin?: string[];
  allowRemote?: boolean;
  credentials?: string;
  role?: string[];
  inheritAwsEnv?: boolean;
  dataDir?: string;
  mockConfig?: string;
}

/**
 * The variables that point the AWS CLI, boto3 and the SDKs at the endpoint: with placeholder keys when any key is
 * accepted, without keys when signatures are verified (the client signs with a key of the credentials file).
 */
export function endpointEnvironment(url: string, region: string, anyKey: boolean): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    ...(anyKey ? { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } : {}),
  };
}

function regionName(value: string): string {
  if (!isRegionName(value)) throw new InvalidArgumentError(`expected a region name such as us-east-1, eu-west-1 or cn-north-1, got '${value}'`);
  return value;
}

function accountId(value: string): string {
  if (!isAccountId(value)) throw new InvalidArgumentError(`expected 12 digits, got '${value}'`);
  return value;
}

/** One line for a port that cannot be had, instead of the listen error's stack. */
function listenProblem(error: unknown, host: string, port: number): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return `serve: port ${port} on ${host} is in use (another shellstep serve?): choose another with --port, or --port 0 for any free port.`;
  if (code === 'EACCES') return `serve: not allowed to listen on port ${port} on ${host}: choose a port above 1023 with --port.`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `serve: ${host} is not an address of this machine: use --host 127.0.0.1.`;
  return undefined;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the local engine on an AWS endpoint (SSM, Step Functions, CloudFormation) until interrupted.')
    .option('--host <host>', 'address to bind; a non-loopback address needs --allow-remote', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', port, 4599)
    .option('--allow-host <name>', 'serve requests whose Host is this name too, beside loopback names (repeatable; *.example.com for subdomains)', collect)
    .option('--allow-origin <origin>', "accept requests from this browser origin too, beside the endpoint's own (repeatable; * for any)", collect)
    .option('--credentials <file>', 'verify SigV4 signatures against the keys of this AWS shared-credentials file (default: $SHELLSTEP_CREDENTIALS)')
    .option('--allow-remote', 'let --host be a non-loopback address (needs --credentials; prints what it exposes)')
    .option(
      '--template <name|file>',
      `deploy a CloudFormation template at start (repeatable): a shipped one by name (${SHIPPED_TEMPLATES.map((t) => `${t.name}: stack ${t.stackName}`).join('; ')}), or a file (a stack named after it)`,
      collect,
    )
    .option('--parameter <key=value>', 'a template parameter, for every template that declares it (repeatable)', keyValue)
    .option('--instance <id[:tag=value,...][;role=ROLE]>', "a local instance: an i-/mi- id or 'auto', with tags and its instance profile's role (repeatable)", instanceSpec)
    .option('--role <arn>', 'define an IAM role that no template or iam:CreateRole defines: trusted by Step Functions, Systems Manager and EC2, allowed every action (repeatable)', collect)
    .option('--inherit-aws-env', "let instances' commands keep your AWS variables (keys, profiles, endpoints) instead of an EC2-like environment")
    .option('--clock <mode>', "'real' or 'fast' (jump over idle waits)", oneOf(['real', 'fast'] as const), 'real')
    .option('--data-dir <dir>', 'keep every resource and record in an SQLite database in this folder, and bring them back at the next start (default: in memory)')
    .option('--region <region>', 'the default region: of --instance and --template, and of unsigned routes (requests use the region they are signed for)', regionName, DEFAULT_REGION)
    .option('--account-id <id>', 'the 12-digit account of every ARN', accountId, DEFAULT_ACCOUNT_ID)
    .option('--no-iam', 'turn IAM enforcement off: any role ARN is accepted, trust policies and role policies are not evaluated')
    .option('--mock-config <file>', "Step Functions Local mock configuration: StartExecution on '<stateMachineArn>#<TestCase>' runs that test case (default: $SFN_MOCK_CONFIG)")
    .addHelpText(
      'after',
      `
Listens first (a busy port fails at once), then creates the instances and deploys the templates. Prints
{"endpoint", "console", "environment", "instances", "stacks"} on stdout once ready, and on stderr the export line
that points the AWS CLI, boto3 and the SDKs at the endpoint, then logs. Open the "console" URL in a browser for
the web console (docs/console.md).

Requests need a SigV4 Authorization header (every SDK, the AWS CLI and boto3 send one), a loopback Host and no
foreign Origin. Without --credentials any key works. Roles must exist, as on AWS: a template's, --role's or one made
with the IAM API (aws iam create-role …); --no-iam accepts any.

Exit codes: 0 stopped by a signal; 1 unusable arguments, a busy port, or a template that failed to deploy.

Examples:
  $ shellstep serve --instance auto:Role=web --instance auto:Role=web --template runbooks
  $ shellstep serve --port 0 --instance i-0123456789abcdef0 --clock fast
  $ shellstep serve --instance i-0123456789abcdef0 --template runbooks --template sample \\
      --parameter InstanceId=i-0123456789abcdef0 --parameter SleepSeconds=2`,
    )
    .action(async (options: ServeOptions) => {
      let templates: Array<{ file: string; stackName: string }>;
      try {
        templates = (options.template ?? []).map((t) => resolveFile(t, SHIPPED_TEMPLATES, 'template'));
      } catch (error) {
        process.stderr.write(`serve: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Failure;
        return;
      }
      const security = serveSecurity(options);
      if (security === undefined) {
        process.exitCode = ExitCode.Failure;
        return;
      }
      const { makeEngines, StartupError } = await import('./serve-startup.js');
      const { startLocalEndpoint } = await import('../../server/local-endpoint.js');
      const { MockConfig } = await import('../../engine/states/mock-config/index.js');
      const mockConfigFile = options.mockConfig ?? process.env['SFN_MOCK_CONFIG'];
      let mockConfig: ReturnType<typeof MockConfig.load> | undefined;
      try {
        mockConfig = mockConfigFile === undefined || mockConfigFile === '' ? undefined : MockConfig.load(mockConfigFile);
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exitCode = ExitCode.Failure;
        return;
      }
      const persisted = await openDataDir(options.dataDir);
      if (persisted === null) {
        process.exitCode = ExitCode.Failure;
        return;
      }
      let made: ReturnType<typeof makeEngines>;
      try {
        made = makeEngines({
          region: options.region,
          accountId: options.accountId,
          clock: options.clock,
          iam: options.iam,
          inheritAwsEnv: options.inheritAwsEnv === true,
          roles: options.role ?? [],
          instances: options.instance ?? [],
          templates,
          parameters: options.parameter ?? {},
          log: (line) => process.stderr.write(`${line}\n`),
          ...(persisted === undefined ? {} : { store: persisted.store, instancesDir: persisted.instancesDir }),
          ...(mockConfig === undefined ? {} : { mockConfig }),
        });
      } catch (error) {
        persisted?.store.close();
        if (error instanceof StartupError) process.stderr.write(`${error.message}\n`);
        // A record the restore cannot read (edited by hand, or damaged inside valid JSON): named, not a stack trace.
        else if (persisted !== undefined)
          process.stderr.write(`--data-dir: ${persisted.file}: a kept record cannot be restored (${(error as Error).message}); move the file away to start with an empty data folder\n`);
        else throw error;
        process.exitCode = ExitCode.Failure;
        return;
      }
      const { engines } = made;
      try {
        for (const key of security.credentials(engines.default)) engines.credentials.register(key);
      } catch (error) {
        process.stderr.write(`${security.credentialsFile}: ${(error as Error).message}\n`);
        await engines.close();
        persisted?.store.close();
        process.exitCode = ExitCode.Failure;
        return;
      }
      const { CONSOLE_PATH } = await import('../../server/console-routes.js');
      // The console's page hands its key to whoever loads it: on loopback only, never to other machines.
      const withConsole = isLoopbackHost(options.host);
      // The port first: a busy one must not cost a deployment first.
      let endpoint: Awaited<ReturnType<typeof startLocalEndpoint>>;
      try {
        endpoint = await startLocalEndpoint(engines, {
          host: options.host,
          port: options.port,
          log: (line) => process.stderr.write(`${line}\n`),
          ...(withConsole ? { console: {} } : {}),
          verifySignatures: security.verify,
          ...(options.allowHost === undefined ? {} : { allowHosts: options.allowHost }),
          ...(options.allowOrigin === undefined ? {} : { allowOrigins: options.allowOrigin }),
        });
      } catch (error) {
        await engines.close();
        persisted?.store.close();
        const problem = listenProblem(error, options.host, options.port);
        if (problem === undefined) throw error;
        process.stderr.write(`${problem}\n`);
        process.exitCode = ExitCode.Failure;
        return;
      }
      let stopping = false;
      const exit = (code: number) => {
        // The last batch of records is written before the process ends (a persisted store writes once per turn).
        try {
          persisted?.store.close();
        } finally {
          process.exit(code);
        }
      };
      const stop = (code: number) => {
        // A second signal while stopping: the user means now.
        if (stopping) exit(code);
        stopping = true;
        // Whatever a request or a close waits for, serve ends within STOP_DEADLINE_MS (issue 13: within 2 s of SIGTERM or
        // SIGINT). Exiting closes the spawner helper's stdin, and the helper then kills every command's process group.
        setTimeout(() => exit(code), STOP_DEADLINE_MS).unref();
        void Promise.allSettled([endpoint.close(), engines.close()])
          // The executions the close stopped record their end in the next turns; then the last batch is written.
          .then(() => new Promise((resolve) => setTimeout(resolve, 20)))
          .then(() => exit(code));
      };
      process.on('SIGINT', () => stop(ExitCode.Success));
      process.on('SIGTERM', () => stop(ExitCode.Success));
      let started: Awaited<ReturnType<typeof made.setup>>;
      try {
        started = await made.setup();
      } catch (error) {
        if (!(error instanceof StartupError)) throw error;
        process.stderr.write(`${error.message}\n`);
        stop(ExitCode.Failure);
        return;
      }
      const { instances, stacks } = started;
      for (const warning of security.warnings(endpoint.url)) process.stderr.write(`${warning}\n`);
      if (!withConsole) process.stderr.write('The web console is not served on a non-loopback binding: its page gives a working key to whoever loads it.\n');
      const environment = endpointEnvironment(endpoint.url, engines.defaultRegion, !security.verify);
      const consoleUrl = withConsole ? { console: `${endpoint.url}${CONSOLE_PATH}` } : {};
      process.stdout.write(
        `${JSON.stringify({ endpoint: endpoint.url, ...consoleUrl, environment, instances, stacks }, null, 2)}\n`,
      );
      process.stderr.write(
        `shellstep local endpoint listening on ${endpoint.url} (Ctrl-C to stop). For the AWS CLI, boto3 and the SDKs ${security.verify ? `(signing with a key of ${security.credentialsFile})` : '(any key works)'}:\n` +
          `  export ${Object.entries(environment)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}\n`,
      );
    });
}
