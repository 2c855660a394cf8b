/**
 * What the CLI needs to know of a `shellstep serve` endpoint before it creates a state machine there: the account
 * and default region it serves (its `GET /_shellstep/health`), so that the CLI's role is the one that endpoint's
 * engine defines (`arn:<partition>:iam::<account>:role/shellstep-local`) and a request without `--region` goes to
 * the region serve deployed its templates in. Another local endpoint (moto, LocalStack) has no such route: the
 * defaults below stand.
 */
import { CLI_STATE_MACHINE_ROLE_NAME } from '../../engine/iam/roles.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, partitionOf } from '../../engine/regions/partitions.js';

export interface LocalEndpointIdentity {
  readonly accountId: string;
  readonly region: string;
  /** The role the endpoint's engine defines for the CLI's state machines, in `region`'s partition. */
  readonly roleArn: string;
}

/** How long the CLI waits for the health document before it takes the defaults. */
const HEALTH_TIMEOUT_MS = 2_000;

export async function localEndpointIdentity(endpointUrl: string, region: string | undefined): Promise<LocalEndpointIdentity> {
  let health: { accountId?: unknown; defaultRegion?: unknown } = {};
  try {
    const response = await fetch(new URL('/_shellstep/health', endpointUrl), { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    if (response.ok) health = (await response.json()) as typeof health;
  } catch {
    // Not a shellstep endpoint, or not answering: the request that follows says so in its own words.
  }
  const accountId = typeof health.accountId === 'string' && /^\d{12}$/.test(health.accountId) ? health.accountId : DEFAULT_ACCOUNT_ID;
  const chosen = region ?? (typeof health.defaultRegion === 'string' && health.defaultRegion !== '' ? health.defaultRegion : DEFAULT_REGION);
  return { accountId, region: chosen, roleArn: `arn:${partitionOf(chosen)}:iam::${accountId}:role/${CLI_STATE_MACHINE_ROLE_NAME}` };
}
