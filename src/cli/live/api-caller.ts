/**
 * How the CLI reaches services: in-process (the embedded local engine) or through the AWS SDK v3 clients
 * (a local endpoint with `--endpoint-url`, or AWS itself with the normal credential chain). The clients are
 * optional peer dependencies, imported only by the commands that talk to an endpoint, so that the offline engine
 * installs light; without them those commands say in one line what to install.
 */
import type { AwsApi } from '../../engine/aws-api.js';
import type { JsonObject, JsonValue } from '../../model/json.js';

export interface ClientOptions {
  /** A local endpoint; absent means AWS. */
  readonly endpointUrl?: string;
  readonly region?: string;
}

type SdkModule = Record<string, unknown>;
interface SdkClient {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

/** The client package and class of each service the CLI calls. */
const CLIENTS: Readonly<Record<string, { readonly pkg: string; readonly client: string }>> = {
  ssm: { pkg: '@aws-sdk/client-ssm', client: 'SSMClient' },
  sfn: { pkg: '@aws-sdk/client-sfn', client: 'SFNClient' },
  cloudformation: { pkg: '@aws-sdk/client-cloudformation', client: 'CloudFormationClient' },
};

/** The npm command that installs every client the CLI can use. */
export const SDK_INSTALL_COMMAND = `npm install ${Object.values(CLIENTS)
  .map((c) => c.pkg)
  .sort()
  .join(' ')}`;

/** The clients are not installed: the message is the whole answer, one line. */
export class MissingSdkError extends Error {
  override readonly name = 'MissingSdkError';
  constructor(pkg: string) {
    super(`${pkg} is not installed: commands that talk to AWS or to an endpoint use the AWS SDK for JavaScript v3 (${SDK_INSTALL_COMMAND})`);
  }
}

/** Imports a client package; a test gives its own. */
export type ModuleImporter = (pkg: string) => Promise<SdkModule>;

const importModule: ModuleImporter = (pkg) => import(pkg) as Promise<SdkModule>;

function isModuleNotFound(error: unknown, pkg: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(pkg);
}

/** An `AwsApi` over the SDK v3 clients: `call('sfn', 'StartExecution', …)` sends `StartExecutionCommand`. */
export class SdkApi implements AwsApi {
  readonly #clients = new Map<string, SdkClient>();
  readonly #modules = new Map<string, SdkModule>();
  readonly #options: ClientOptions;

  private constructor(options: ClientOptions) {
    this.#options = options;
  }

  /** Loads the clients of `services` (all by default); rejects with a MissingSdkError when one is not installed. */
  static async open(options: ClientOptions = {}, services: readonly string[] = Object.keys(CLIENTS), load: ModuleImporter = importModule): Promise<SdkApi> {
    const api = new SdkApi(options);
    for (const service of services) {
      const entry = CLIENTS[service];
      if (entry === undefined) throw new Error(`No SDK client for service '${service}'.`);
      try {
        api.#modules.set(service, await load(entry.pkg));
      } catch (error) {
        throw isModuleNotFound(error, entry.pkg) ? new MissingSdkError(entry.pkg) : error;
      }
    }
    return api;
  }

  async call(service: string, operation: string, input: JsonObject): Promise<JsonValue> {
    const module = this.#modules.get(service);
    if (module === undefined) throw new Error(`No SDK client loaded for service '${service}'.`);
    const Command = module[`${operation}Command`] as (new (input: unknown) => unknown) | undefined;
    if (Command === undefined) throw new Error(`The AWS SDK has no ${service} ${operation} command.`);
    const output = (await this.#client(service, module).send(new Command(input))) as Record<string, unknown>;
    const { $metadata, ...rest } = output;
    void $metadata;
    return JSON.parse(JSON.stringify(rest)) as JsonValue;
  }

  #client(service: string, module: SdkModule): SdkClient {
    let client = this.#clients.get(service);
    if (client === undefined) {
      const Client = module[CLIENTS[service]!.client] as new (config: unknown) => SdkClient;
      const local = this.#options.endpointUrl !== undefined;
      client = withoutNodeVersionWarning(
        () =>
          new Client({
            ...(this.#options.region === undefined ? (local ? { region: 'us-east-1' } : {}) : { region: this.#options.region }),
            ...(local ? { endpoint: this.#options.endpointUrl } : {}),
            // A local endpoint takes any credentials (signed with them); use placeholders when the environment has none.
            ...(local && process.env['AWS_ACCESS_KEY_ID'] === undefined && process.env['AWS_PROFILE'] === undefined
              ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
              : {}),
          }),
      );
      this.#clients.set(service, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}

const NODE_VERSION_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * The SDK warns once per process, on stderr, that its releases after January 2027 need Node 22; shellstep supports
 * Node 20 and says so in its README, so the CLI's output does not repeat it. The SDK's own switch is set only while a
 * client is made (when the SDK checks it), so that commands of local instances do not inherit it.
 */
function withoutNodeVersionWarning<T>(make: () => T): T {
  if (process.env[NODE_VERSION_WARNING_SWITCH] !== undefined) return make();
  process.env[NODE_VERSION_WARNING_SWITCH] = 'true';
  try {
    return make();
  } finally {
    delete process.env[NODE_VERSION_WARNING_SWITCH];
  }
}
