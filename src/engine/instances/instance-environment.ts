/**
 * A local instance's AWS environment, as an EC2 instance with an instance profile has it: none of the user's AWS
 * variables (the spawner helper removes them), its own `~/.aws` files, no instance metadata service to fall back on,
 * and, while an endpoint serves, the endpoint's URL and keys that stand for a session of the instance's role. A
 * command's `aws …` or SDK call then reaches the local engine, never the user's account.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessKey } from '../iam/credential-registry.js';
import type { LocalInstance } from './local-instance.js';

/**
 * One `[default]` section of `key = value` lines, as `aws configure` writes them. Written by hand: configparser (the
 * AWS CLI, boto3) would keep the quotes that an INI writer puts around values containing `=`.
 */
function defaultSection(values: Readonly<Record<string, string>>): string {
  return `[default]\n${Object.entries(values).map(([key, value]) => `${key} = ${value}\n`).join('')}`;
}

export interface InstanceEnvironmentInput {
  readonly region: string;
  /** The serving endpoint, if any; with it, `key` (the instance role's session). */
  readonly endpointUrl?: string | undefined;
  readonly key?: AccessKey | undefined;
}

/**
 * The variables to add to the instance's commands, after writing `<root>/.aws/config` and `<root>/.aws/credentials`
 * (the files the AWS CLI and boto3 read instead of the user's `~/.aws`).
 */
export function instanceEnvironment(instance: LocalInstance, input: InstanceEnvironmentInput): Record<string, string> {
  const dir = join(instance.rootDir, '.aws');
  const config = join(dir, 'config');
  const credentials = join(dir, 'credentials');
  const serving = input.endpointUrl !== undefined && input.key !== undefined;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(config, defaultSection({ region: input.region, ...(serving ? { endpoint_url: input.endpointUrl! } : {}) }), { mode: 0o600 });
  writeFileSync(
    credentials,
    serving
      ? defaultSection({
          aws_access_key_id: input.key!.accessKeyId,
          aws_secret_access_key: input.key!.secretAccessKey,
          ...(input.key!.sessionToken === undefined ? {} : { aws_session_token: input.key!.sessionToken }),
        })
      : '',
    { mode: 0o600 },
  );
  const env: Record<string, string> = {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    // No fallback to the EC2 instance metadata service of the machine itself (the SDKs' last credential source).
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
  };
  if (serving) {
    const key = input.key!;
    env['AWS_ENDPOINT_URL'] = input.endpointUrl!;
    env['AWS_ACCESS_KEY_ID'] = key.accessKeyId;
    env['AWS_SECRET_ACCESS_KEY'] = key.secretAccessKey;
    if (key.sessionToken !== undefined) env['AWS_SESSION_TOKEN'] = key.sessionToken;
  }
  return env;
}
