/**
 * Access keys known to the local engine: access key id → secret (and session token, for temporary keys) and the
 * principal that signs with it. The endpoint's trust boundary looks keys up here to verify signatures and to learn
 * who is calling; local instances get temporary keys that stand for their role, as an EC2 instance profile gives.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */
import { randomBytes } from 'node:crypto';
import { parse as parseIni } from 'ini';

export interface Principal {
  /** The caller's ARN as STS names it: `arn:aws:iam::<acct>:user/<name>`, `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  readonly arn: string;
  readonly accountId: string;
  /** For an assumed-role session: the role whose policies authorize its calls. */
  readonly roleArn?: string;
}

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary (`ASIA…`) keys carry a session token that every request must send (`X-Amz-Security-Token`). */
  readonly sessionToken?: string;
  readonly principal: Principal;
}

/**
 * Access key ids are 16–128 word characters (IAM `accessKeyIdType`, pattern `[\w]+`); AWS issues 20 characters,
 * `AKIA` for long-term keys and `ASIA` for temporary ones, then base-32 letters and digits.
 */
export const ACCESS_KEY_ID_PATTERN = /^\w{16,128}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += BASE32[byte & 31];
  return out;
}

export class CredentialRegistry {
  readonly #keys = new Map<string, AccessKey>();

  /** Adds a key; a second key with the same id but another secret is refused (ids identify keys). */
  register(key: AccessKey): AccessKey {
    if (!ACCESS_KEY_ID_PATTERN.test(key.accessKeyId)) {
      throw new Error(`Access key id '${key.accessKeyId}' must be 16 to 128 letters, digits or underscores.`);
    }
    if (key.secretAccessKey.length === 0) throw new Error(`The secret access key of '${key.accessKeyId}' is empty.`);
    const known = this.#keys.get(key.accessKeyId);
    if (known !== undefined && (known.secretAccessKey !== key.secretAccessKey || known.sessionToken !== key.sessionToken)) {
      throw new Error(`Access key id '${key.accessKeyId}' is already registered with another secret.`);
    }
    this.#keys.set(key.accessKeyId, key);
    return key;
  }

  /** Makes a random key pair for `principal`: temporary keys (with a session token) for role sessions. */
  issue(principal: Principal, options: { temporary?: boolean } = {}): AccessKey {
    const temporary = options.temporary ?? principal.roleArn !== undefined;
    const key: AccessKey = {
      accessKeyId: `${temporary ? 'ASIA' : 'AKIA'}${base32(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      ...(temporary ? { sessionToken: randomBytes(96).toString('base64') } : {}),
      principal,
    };
    return this.register(key);
  }

  get(accessKeyId: string): AccessKey | undefined {
    return this.#keys.get(accessKeyId);
  }

  revoke(accessKeyId: string): void {
    this.#keys.delete(accessKeyId);
  }

  get size(): number {
    return this.#keys.size;
  }
}

/** The session ARN of a role assumed under `sessionName`: `arn:aws:sts::<acct>:assumed-role/<name>/<session>`. */
export function assumedRolePrincipal(roleArn: string, sessionName: string): Principal {
  const [, partition = 'aws', , , accountId = ''] = roleArn.split(':');
  // The role name is the last path segment of the resource (`role/path/name`).
  const name = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return { arn: `arn:${partition}:sts::${accountId}:assumed-role/${name}/${sessionName}`, accountId, roleArn };
}

/**
 * The keys of an AWS shared-credentials file (`[name]` sections with `aws_access_key_id`, `aws_secret_access_key` and
 * optionally `aws_session_token`, as `~/.aws/credentials` has them), each standing for an IAM user named after its
 * section. Sections without both key fields are reported, not skipped.
 */
export function parseSharedCredentials(text: string, account: { accountId: string; partition?: string }): AccessKey[] {
  const sections = parseIni(text) as Record<string, unknown>;
  const keys: AccessKey[] = [];
  for (const [name, section] of Object.entries(sections)) {
    if (typeof section !== 'object' || section === null) throw new Error(`'${name}' is not in a [section]: a credentials file has [name] sections of key = value lines.`);
    const fields = section as Record<string, unknown>;
    const accessKeyId = fields['aws_access_key_id'];
    const secretAccessKey = fields['aws_secret_access_key'];
    const sessionToken = fields['aws_session_token'];
    if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') {
      throw new Error(`Section [${name}] needs aws_access_key_id and aws_secret_access_key.`);
    }
    keys.push({
      accessKeyId,
      secretAccessKey,
      ...(typeof sessionToken === 'string' ? { sessionToken } : {}),
      principal: { arn: `arn:${account.partition ?? 'aws'}:iam::${account.accountId}:user/${name}`, accountId: account.accountId },
    });
  }
  if (keys.length === 0) throw new Error('The credentials file has no [section] with a key pair.');
  return keys;
}
