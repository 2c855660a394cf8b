/**
 * AWS STS, the part every tool calls first: `GetCallerIdentity` — who the request's credentials stand for. The caller
 * is the principal the credential registry gives the request's access key: a local instance's role session
 * (`arn:aws:sts::<acct>:assumed-role/<role>/<instance id>`, as EC2 names an instance profile's session), a user of
 * `--credentials` (`arn:aws:iam::<acct>:user/<section>`), the console's user; a key the registry does not know (an
 * endpoint that does not verify signatures accepts any) stands for the local user, `user/shellstep-local-user`.
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../iam/credential-registry.js';

/** The IAM user that requests signed with an unregistered key stand for (docs/fidelity.md). */
export const LOCAL_USER_NAME = 'shellstep-local-user';

export interface CallerIdentity {
  /** `AIDA…` for a user; `AROA…:<session>` for a role session (the role's unique id, then the session name). */
  readonly UserId: string;
  readonly Account: string;
  readonly Arn: string;
}

/** Who called, as the endpoint knows it: the registered principal (if any) and the partition of the signed region. */
export interface StsCaller {
  readonly principal?: Principal;
  readonly partition: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * IAM unique ids are a 4-letter type prefix (`AIDA` user, `AROA` role) and 17 upper-case characters
 * (IAM User Guide, "Unique identifiers"). The local engine derives them from the ARN, so one principal keeps one id.
 */
export function uniqueId(prefix: 'AIDA' | 'AROA', arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let out = prefix;
  for (let i = 0; i < 17; i++) out += BASE32[digest[i]! & 31];
  return out;
}

export class StsService {
  readonly #accountId: string;

  constructor(options: { accountId: string }) {
    this.#accountId = options.accountId;
  }

  /** GetCallerIdentity takes no parameters ("No permissions are required to perform this operation"). */
  GetCallerIdentity(caller: StsCaller): CallerIdentity {
    const principal = caller.principal;
    if (principal === undefined) {
      const arn = `arn:${caller.partition}:iam::${this.#accountId}:user/${LOCAL_USER_NAME}`;
      return { UserId: uniqueId('AIDA', arn), Account: this.#accountId, Arn: arn };
    }
    if (principal.roleArn !== undefined) {
      // A role session's UserId is "<role unique id>:<role session name>" (API_GetCallerIdentity, examples).
      const session = principal.arn.slice(principal.arn.lastIndexOf('/') + 1);
      return { UserId: `${uniqueId('AROA', principal.roleArn)}:${session}`, Account: principal.accountId, Arn: principal.arn };
    }
    return { UserId: uniqueId('AIDA', principal.arn), Account: principal.accountId, Arn: principal.arn };
  }
}
