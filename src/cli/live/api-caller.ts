/**
 * How the CLI reaches services: in-process (the embedded local engine) or through the AWS SDK v3 clients
 * (a local endpoint with `--endpoint-url`, or AWS itself with the normal credential chain).
 */
import * as cfn from '@aws-sdk/client-cloudformation';
import * as sfn from '@aws-sdk/client-sfn';
import * as ssm from '@aws-sdk/client-ssm';
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

const MODULES: Readonly<Record<string, { module: SdkModule; client: string }>> = {
  ssm: { module: ssm as unknown as SdkModule, client: 'SSMClient' },
  sfn: { module: sfn as unknown as SdkModule, client: 'SFNClient' },
  cloudformation: { module: cfn as unknown as SdkModule, client: 'CloudFormationClient' },
};

/** An `AwsApi` over the SDK v3 clients: `call('sfn', 'StartExecution', …)` sends `StartExecutionCommand`. */
export class SdkApi implements AwsApi {
  readonly #clients = new Map<string, SdkClient>();
  readonly #options: ClientOptions;

  constructor(options: ClientOptions = {}) {
    this.#options = options;
  }

  async call(service: string, operation: string, input: JsonObject): Promise<JsonValue> {
    const entry = MODULES[service];
    if (entry === undefined) throw new Error(`No SDK client for service '${service}'.`);
    const Command = entry.module[`${operation}Command`] as (new (input: unknown) => unknown) | undefined;
    if (Command === undefined) throw new Error(`The AWS SDK has no ${service} ${operation} command.`);
    const output = (await this.#client(service, entry).send(new Command(input))) as Record<string, unknown>;
    const { $metadata, ...rest } = output;
    void $metadata;
    return JSON.parse(JSON.stringify(rest)) as JsonValue;
  }

  #client(service: string, entry: { module: SdkModule; client: string }): SdkClient {
    let client = this.#clients.get(service);
    if (client === undefined) {
      const Client = entry.module[entry.client] as new (config: unknown) => SdkClient;
      const local = this.#options.endpointUrl !== undefined;
      client = new Client({
        ...(this.#options.region === undefined ? (local ? { region: 'us-east-1' } : {}) : { region: this.#options.region }),
        ...(local ? { endpoint: this.#options.endpointUrl } : {}),
        // The local endpoint accepts any credentials; use placeholders when the environment has none.
        ...(local && process.env['AWS_ACCESS_KEY_ID'] === undefined && process.env['AWS_PROFILE'] === undefined
          ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
          : {}),
      });
      this.#clients.set(service, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}
