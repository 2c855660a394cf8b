/**
 * IAM roles known to the local engine, as CloudFormation, the IAM API (iam-service.ts) or `define` created them:
 * trust policy, inline policies, policies attached by `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy`, and
 * permissions boundary.
 */
import { ServiceError } from '../../errors/service-error.js';
import { evaluate, trusts, type AuthorizationRequest, type PolicyDocument } from './policy-evaluation.js';

export interface LocalRole {
  readonly arn: string;
  readonly name: string;
  readonly trustPolicy: PolicyDocument;
  /** Inline policies by name. */
  readonly inline: Map<string, PolicyDocument>;
  /** Attached policies by the name or ARN of the policy resource that attached them. */
  readonly attached: Map<string, PolicyDocument>;
  permissionsBoundary?: PolicyDocument;
}

/** `arn:<partition>:iam::<account>:role/<path/><name>` (IAM role ARN; names are `[\w+=,.@-]{1,64}`). */
export const ROLE_ARN_PATTERN = /^arn:[\w-]+:iam::\d{12}:role\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]{1,64}$/;

/** The role of local instances' commands (their instance profile), which every local engine defines. */
export const DEFAULT_INSTANCE_ROLE_NAME = 'shellstep-local-instance';
/**
 * The role of the state machines the CLI creates for you (`shellstep run FILE --endpoint-url`, `run-command`):
 * defined by the engine, trusted by Step Functions, it allows every action (docs/security.md).
 */
export const CLI_STATE_MACHINE_ROLE_NAME = 'shellstep-local';

/** The policy of a role defined without one: every action on every resource, as the user's own credentials. */
export const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** Who may assume a role defined without a trust policy: the services that assume roles in the local engine. */
export const DEFAULT_TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: ['states.amazonaws.com', 'ssm.amazonaws.com', 'ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
};

/**
 * Who assumes a role: an AWS service (`states.amazonaws.com`) acting for a resource (`aws:SourceArn`), or a role
 * session (a Task's `Credentials`, assumed by the execution role).
 */
export type Assumer = { readonly service: string; readonly sourceArn?: string } | { readonly roleArn: string };

/** Whether a role may be assumed: the check the services make before they use a role (the local engine supplies it). */
export type RoleAssumption = (roleArn: string, by: Assumer) => boolean;

export interface RoleDefinition {
  /** Inline policies by name. Default: one, `shellstep-allow-all`, that allows everything. */
  readonly policies?: Readonly<Record<string, PolicyDocument>>;
  /** Default: trusted by Step Functions, Systems Manager and EC2. */
  readonly trustPolicy?: PolicyDocument;
}

/** What the IAM API shows of a role beside its policies (GetRole's `Role` members). */
export interface RoleDetails {
  readonly roleId: string;
  readonly createDate: Date;
  readonly path: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly tags?: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  /** The managed policy ARN of the permissions boundary, as CreateRole named it. */
  readonly permissionsBoundaryArn?: string;
}

/**
 * The roles of one account. IAM is global to an account, so one registry may serve the engines of every region
 * (`LocalEngineOptions.roles`); everything the IAM API shows of a role lives here for that reason.
 */
export class RoleRegistry {
  readonly #roles = new Map<string, LocalRole>();
  readonly #details = new Map<string, RoleDetails>();
  readonly #managedPolicies = new Map<string, PolicyDocument>();
  /** The roles the IAM API made: the only ones its store keeps (template roles come back with their stacks). */
  readonly #madeByApi = new Set<string>();

  put(role: LocalRole): void {
    this.#roles.set(role.arn, role);
  }

  /**
   * Defines a role by hand, as `serve --role` and tests do (roles that no template creates): with the given inline
   * policies, or allowed everything. Replaces a role of the same ARN.
   */
  define(arn: string, definition: RoleDefinition = {}): LocalRole {
    if (!ROLE_ARN_PATTERN.test(arn)) throw new Error(`'${arn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/name).`);
    const role: LocalRole = {
      arn,
      name: arn.slice(arn.lastIndexOf('/') + 1),
      trustPolicy: definition.trustPolicy ?? DEFAULT_TRUST,
      inline: new Map(Object.entries(definition.policies ?? { 'shellstep-allow-all': ALLOW_ALL })),
      attached: new Map(),
    };
    this.put(role);
    return role;
  }

  delete(arn: string): void {
    this.#roles.delete(arn);
    this.#details.delete(arn);
    this.#madeByApi.delete(arn);
  }

  /** Records that the IAM API made (or restored) the role, in whichever region's endpoint it was called. */
  markMadeByApi(arn: string): void {
    this.#madeByApi.add(arn);
  }

  madeByApi(arn: string): boolean {
    return this.#madeByApi.has(arn);
  }

  /** The role's IAM details, made by `make` the first time they are asked for (roles from templates and `define`). */
  details(arn: string, make: () => RoleDetails): RoleDetails {
    let details = this.#details.get(arn);
    if (details === undefined) {
      details = make();
      this.#details.set(arn, details);
    }
    return details;
  }

  get(arn: string): LocalRole | undefined {
    return this.#roles.get(arn);
  }

  /**
   * Every role; of `partition` only when given. Each partition (aws, aws-cn, aws-us-gov) is its own IAM, so one name
   * may be a role in two of them (the registry is shared by every region of the account).
   */
  list(partition?: string): LocalRole[] {
    const roles = [...this.#roles.values()];
    if (partition === undefined) return roles;
    const prefix = `arn:${partition}:`;
    return roles.filter((role) => role.arn.startsWith(prefix));
  }

  /** The role named `name`; in `partition` only when given. */
  byName(name: string, partition?: string): LocalRole | undefined {
    return this.list(partition).find((role) => role.name === name);
  }

  putManagedPolicy(arn: string, document: PolicyDocument): void {
    this.#managedPolicies.set(arn, document);
  }

  managedPolicy(arn: string): PolicyDocument | undefined {
    return this.#managedPolicies.get(arn);
  }

  deleteManagedPolicy(arn: string): void {
    this.#managedPolicies.delete(arn);
  }

  /**
   * Throws AWS's `AccessDeniedException` unless the role allows the request. A role the registry does not know has
   * nothing to evaluate here; the local engine refuses it before (LocalEngine.authorize).
   */
  authorize(roleArn: string | undefined, request: AuthorizationRequest, sessionName = 'shellstep'): void {
    if (roleArn === undefined) return;
    const role = this.#roles.get(roleArn);
    if (role === undefined) return;
    const result = evaluate(request, [...role.inline.values(), ...role.attached.values()], role.permissionsBoundary);
    if (result.decision === 'Allow') return;
    const principal = assumedRoleArn(role, sessionName);
    const reason =
      result.decision === 'ExplicitDeny'
        ? `with an explicit deny in an identity-based policy`
        : `because no identity-based policy allows the ${request.action} action`;
    // The AccessDenied message format AWS uses: "User: <principal> is not authorized to perform: <action> on resource: <arn> <reason>".
    throw new ServiceError(
      'AccessDeniedException',
      `User: ${principal} is not authorized to perform: ${request.action} on resource: ${result.deniedResource ?? '*'} ${reason}`,
    );
  }

  /**
   * Whether `by` may assume the role: the role must exist (a template, `define` or the IAM API created it), and a
   * service must be trusted by its trust policy, under its global or regional name (`states.amazonaws.com`,
   * `states.<region>.amazonaws.com`) with `aws:SourceAccount` and `aws:SourceArn` as condition context. A role
   * session assuming another role is not checked against the trust policy (AWS principals are not evaluated).
   */
  canAssume(roleArn: string, by: Assumer, scope: { accountId: string; region: string }): boolean {
    const role = this.#roles.get(roleArn);
    if (role === undefined) return false;
    if (!('service' in by)) return true;
    const context = { 'aws:SourceAccount': scope.accountId, ...(by.sourceArn === undefined ? {} : { 'aws:SourceArn': by.sourceArn }) };
    const regional = by.service.replace(/^([^.]+)\./, `$1.${scope.region}.`);
    return trusts(role.trustPolicy, by.service, context) || trusts(role.trustPolicy, regional, context);
  }
}

function assumedRoleArn(role: LocalRole, session: string): string {
  const [, partition, , , account] = role.arn.split(':');
  return `arn:${partition ?? 'aws'}:sts::${account ?? ''}:assumed-role/${role.name}/${session}`;
}
