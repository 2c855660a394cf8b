/**
 * The IAM role API, the part tests use to make roles for Step Functions, Automation and instances (as with moto or
 * LocalStack: `iam.create_role(...)` then `sfn.create_state_machine(roleArn=...)`): CreateRole, GetRole, ListRoles,
 * DeleteRole and the inline role policies (PutRolePolicy, GetRolePolicy, ListRolePolicies, DeleteRolePolicy), over
 * the same role registry that templates fill. Names, errors and response members follow the IAM API reference
 * (botocore `iam/2010-05-08`): `NoSuchEntity` 404, `EntityAlreadyExists` 409, `DeleteConflict` 409,
 * `MalformedPolicyDocument` 400; policy documents come back URL-encoded, as IAM returns them.
 */
import { ServiceError } from '../../errors/service-error.js';
import { isJsonObject, type JsonValue } from '../../model/json.js';
import type { Clock } from '../clock.js';
import { memoryStore, type Store } from '../store/index.js';
import type { IdGenerator } from '../ids.js';
import type { PolicyDocument } from './policy-evaluation.js';
import type { LocalRole, RoleDetails, RoleRegistry } from './roles.js';

export interface IamServiceOptions {
  readonly roles: RoleRegistry;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly accountId: string;
  readonly partition: string;
  /**
   * Where the roles this API creates are kept (`serve --data-dir`); template roles come back with their stacks. IAM
   * is global, so every engine of a partition is given the same store (RegionalEngines: scope `iam-<partition>`).
   */
  readonly store?: Store;
}

/** The store kind of the roles made through this API. */
const ROLE_KIND = 'iam-role';

/** A role made through this API, as the store keeps it. */
interface SavedRole {
  readonly arn: string;
  readonly name: string;
  readonly trustPolicy: PolicyDocument;
  readonly inline: Record<string, PolicyDocument>;
  readonly roleId: string;
  readonly createDate: string;
  readonly path: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly tags?: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  readonly permissionsBoundaryArn?: string;
}

/** `[\w+=,.@-]+`, 1–64 characters (RoleName in the API reference). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** `((/[A-Za-z0-9\.,\+@=_-]+)*)/`, up to 512 characters (Path). */
const PATH = /^(\/[A-Za-z0-9.,+@=_-]+)*\/$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

function validation(member: string, value: string, constraint: string): ServiceError {
  return new ServiceError('ValidationError', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string') {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    throw new ServiceError('ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function roleName(input: Record<string, unknown>): string {
  const name = requiredString(input, 'RoleName');
  if (!ROLE_NAME.test(name)) throw validation('roleName', name, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return name;
}

/** PolicyDocument and AssumeRolePolicyDocument: at most 131,072 characters (IAM API reference). */
const MAX_POLICY_LENGTH = 131_072;

/** A policy document as IAM accepts it: JSON with a Statement (the evaluator reports what it cannot evaluate). */
function policyDocument(text: string, member: string): PolicyDocument {
  if (text.length > MAX_POLICY_LENGTH) {
    throw new ServiceError(
      'ValidationError',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_LENGTH}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ServiceError('MalformedPolicyDocument', 'This policy contains invalid Json');
  }
  if (!isJsonObject(parsed) || parsed['Statement'] === undefined) throw new ServiceError('MalformedPolicyDocument', 'Syntax errors in policy.');
  return parsed as unknown as PolicyDocument;
}

const noSuchRole = (name: string) => new ServiceError('NoSuchEntity', `The role with name ${name} cannot be found.`, { httpStatusCode: 404 });

/** The IAM role API over a role registry; stateless itself, so engines sharing a registry show the same roles. */
export class IamService {
  readonly #options: IamServiceOptions;
  readonly #store: Store;

  constructor(options: IamServiceOptions) {
    this.#options = options;
    this.#store = options.store ?? memoryStore();
  }

  /**
   * Brings back the roles this API made before a restart (after the stacks, whose managed policies they may name).
   * The engines of a partition share the roles and their store: a role that one already restored, or that was
   * made since, is left as it is.
   */
  restore(): void {
    for (const { value } of this.#store.records(ROLE_KIND)) {
      if (!isJsonObject(value)) continue;
      const saved = value as unknown as SavedRole;
      if (this.#options.roles.get(saved.arn) !== undefined) continue;
      const boundary = saved.permissionsBoundaryArn === undefined ? undefined : this.#options.roles.managedPolicy(saved.permissionsBoundaryArn);
      this.#options.roles.put({
        arn: saved.arn,
        name: saved.name,
        trustPolicy: saved.trustPolicy,
        inline: new Map(Object.entries(saved.inline)),
        attached: new Map(),
        ...(boundary === undefined ? {} : { permissionsBoundary: boundary }),
      });
      const { roleId, path, maxSessionDuration, description, tags, permissionsBoundaryArn } = saved;
      this.#options.roles.details(saved.arn, () => ({
        roleId,
        createDate: new Date(saved.createDate),
        path,
        maxSessionDuration,
        ...(description === undefined ? {} : { description }),
        ...(tags === undefined ? {} : { tags }),
        ...(permissionsBoundaryArn === undefined ? {} : { permissionsBoundaryArn }),
      }));
      this.#options.roles.markMadeByApi(saved.arn);
    }
  }

  /** Writes a role this API made through to the store (nothing is built for a memory store). */
  #save(arn: string): void {
    if (!this.#store.durable || !this.#options.roles.madeByApi(arn)) return;
    this.#store.put(ROLE_KIND, arn, () => {
      const role = this.#options.roles.get(arn);
      if (role === undefined) return null;
      const details = this.#metadataOf(role);
      const saved: SavedRole = {
        arn,
        name: role.name,
        trustPolicy: role.trustPolicy,
        inline: Object.fromEntries(role.inline),
        roleId: details.roleId,
        createDate: details.createDate.toISOString(),
        path: details.path,
        maxSessionDuration: details.maxSessionDuration,
        ...(details.description === undefined ? {} : { description: details.description }),
        ...(details.tags === undefined ? {} : { tags: details.tags }),
        ...(details.permissionsBoundaryArn === undefined ? {} : { permissionsBoundaryArn: details.permissionsBoundaryArn }),
      };
      return saved as unknown as JsonValue;
    });
  }

  async CreateRole(input: Record<string, unknown>): Promise<{ Role: Record<string, unknown> }> {
    const name = roleName(input);
    const path = typeof input['Path'] === 'string' ? input['Path'] : '/';
    if (path.length > 512 || !PATH.test(path)) throw validation('path', path, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
    const trustPolicy = policyDocument(requiredString(input, 'AssumeRolePolicyDocument'), 'assumeRolePolicyDocument');
    // "Role names are not distinguished by case" (IAM identifiers).
    if (this.#find(name) !== undefined) throw new ServiceError('EntityAlreadyExists', `Role with name ${name} already exists.`, { httpStatusCode: 409 });
    const { accountId, partition } = this.#options;
    const arn = `arn:${partition}:iam::${accountId}:role${path}${name}`;
    const seconds = Number(input['MaxSessionDuration'] ?? 3600);
    if (!Number.isInteger(seconds) || seconds < 3600 || seconds > 43200) {
      throw validation('maxSessionDuration', String(input['MaxSessionDuration']), 'Member must have value between 3600 and 43200');
    }
    // A boundary must be a managed policy the engine knows (a template's AWS::IAM::ManagedPolicy): it is evaluated.
    const boundaryArn = typeof input['PermissionsBoundary'] === 'string' ? input['PermissionsBoundary'] : undefined;
    const boundary = boundaryArn === undefined ? undefined : this.#options.roles.managedPolicy(boundaryArn);
    if (boundaryArn !== undefined && boundary === undefined) {
      throw new ServiceError('NoSuchEntity', `Scope ARN: ${boundaryArn} does not exist or is not attachable.`, { httpStatusCode: 404 });
    }
    const given = Array.isArray(input['Tags']) ? (input['Tags'] as unknown[]) : [];
    const tags = given.filter(isJsonObject).map((t) => ({ Key: String(t['Key'] ?? ''), Value: String(t['Value'] ?? '') }));
    this.#options.roles.put({ arn, name, trustPolicy, inline: new Map(), attached: new Map(), ...(boundary === undefined ? {} : { permissionsBoundary: boundary }) });
    this.#options.roles.details(arn, () => ({
      roleId: this.#roleId(),
      createDate: new Date(this.#options.clock.now()),
      path,
      ...(typeof input['Description'] === 'string' ? { description: input['Description'] } : {}),
      maxSessionDuration: seconds,
      ...(tags.length === 0 ? {} : { tags }),
      ...(boundaryArn === undefined ? {} : { permissionsBoundaryArn: boundaryArn }),
    }));
    this.#options.roles.markMadeByApi(arn);
    this.#save(arn);
    return { Role: this.#view(this.#options.roles.get(arn)!) };
  }

  async GetRole(input: Record<string, unknown>): Promise<{ Role: Record<string, unknown> }> {
    return { Role: this.#view(this.#require(roleName(input))) };
  }

  /** Pages of `MaxItems` (1–1000, default 100) with an opaque `Marker`, as IAM pages its lists. */
  async ListRoles(input: Record<string, unknown>): Promise<{ Roles: Array<Record<string, unknown>>; IsTruncated: boolean; Marker?: string }> {
    const prefix = typeof input['PathPrefix'] === 'string' ? input['PathPrefix'] : '/';
    const maxItems = input['MaxItems'] === undefined ? 100 : Number(input['MaxItems']);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
      throw validation('maxItems', String(input['MaxItems']), 'Member must have value between 1 and 1000');
    }
    const start = input['Marker'] === undefined ? 0 : Number.parseInt(Buffer.from(String(input['Marker']), 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0) throw new ServiceError('ValidationError', 'Invalid Marker.');
    const roles = this.#options.roles.list(this.#options.partition).filter((role) => this.#metadataOf(role).path.startsWith(prefix));
    const page = roles.slice(start, start + maxItems);
    const more = start + maxItems < roles.length;
    return {
      Roles: page.map((role) => this.#view(role)),
      IsTruncated: more,
      ...(more ? { Marker: Buffer.from(String(start + maxItems), 'utf8').toString('base64url') } : {}),
    };
  }

  async DeleteRole(input: Record<string, unknown>): Promise<Record<string, never>> {
    const role = this.#require(roleName(input));
    if (role.inline.size > 0 || role.attached.size > 0) {
      throw new ServiceError('DeleteConflict', 'Cannot delete entity, must delete policies first.', { httpStatusCode: 409 });
    }
    const made = this.#options.roles.madeByApi(role.arn);
    this.#options.roles.delete(role.arn);
    if (made && this.#store.durable) this.#store.delete(ROLE_KIND, role.arn);
    return {};
  }

  async PutRolePolicy(input: Record<string, unknown>): Promise<Record<string, never>> {
    const role = this.#require(roleName(input));
    const name = requiredString(input, 'PolicyName');
    if (!POLICY_NAME.test(name)) throw validation('policyName', name, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
    role.inline.set(name, policyDocument(requiredString(input, 'PolicyDocument'), 'policyDocument'));
    this.#save(role.arn);
    return {};
  }

  async GetRolePolicy(input: Record<string, unknown>): Promise<{ RoleName: string; PolicyName: string; PolicyDocument: string }> {
    const role = this.#require(roleName(input));
    const name = requiredString(input, 'PolicyName');
    const document = role.inline.get(name);
    if (document === undefined) throw new ServiceError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, { httpStatusCode: 404 });
    return { RoleName: role.name, PolicyName: name, PolicyDocument: encodeURIComponent(JSON.stringify(document)) };
  }

  async ListRolePolicies(input: Record<string, unknown>): Promise<{ PolicyNames: string[]; IsTruncated: boolean }> {
    return { PolicyNames: [...this.#require(roleName(input)).inline.keys()].sort(), IsTruncated: false };
  }

  async DeleteRolePolicy(input: Record<string, unknown>): Promise<Record<string, never>> {
    const role = this.#require(roleName(input));
    const name = requiredString(input, 'PolicyName');
    if (!role.inline.delete(name)) throw new ServiceError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, { httpStatusCode: 404 });
    this.#save(role.arn);
    return {};
  }

  /** IAM names are unique case-insensitively (CreateRole refuses `X` beside `x`), in this partition's IAM. */
  #find(name: string): LocalRole | undefined {
    const lower = name.toLowerCase();
    return this.#options.roles.list(this.#options.partition).find((role) => role.name.toLowerCase() === lower);
  }

  #require(name: string): LocalRole {
    const role = this.#options.roles.byName(name, this.#options.partition);
    if (role === undefined) throw noSuchRole(name);
    return role;
  }

  /** `AROA` and 17 characters, as IAM's unique ids of roles. */
  #roleId(): string {
    return `AROA${this.#options.ids.hex(17).toUpperCase()}`;
  }

  /** Roles from templates and `define` get their details when first shown. */
  #metadataOf(role: LocalRole): RoleDetails {
    return this.#options.roles.details(role.arn, () => {
      const resource = role.arn.slice(role.arn.indexOf(':role/') + ':role'.length);
      return { roleId: this.#roleId(), createDate: new Date(this.#options.clock.now()), path: resource.slice(0, resource.lastIndexOf('/') + 1), maxSessionDuration: 3600 };
    });
  }

  #view(role: LocalRole): Record<string, unknown> {
    const metadata = this.#metadataOf(role);
    return {
      Path: metadata.path,
      RoleName: role.name,
      RoleId: metadata.roleId,
      Arn: role.arn,
      CreateDate: metadata.createDate,
      // IAM returns policy documents URL-encoded (RFC 3986); botocore decodes them, SDK v3 leaves them to the caller.
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(role.trustPolicy)),
      ...(metadata.description === undefined ? {} : { Description: metadata.description }),
      MaxSessionDuration: metadata.maxSessionDuration,
      ...(metadata.permissionsBoundaryArn === undefined
        ? {}
        : { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: metadata.permissionsBoundaryArn } }),
      ...(metadata.tags === undefined ? {} : { Tags: metadata.tags }),
    };
  }
}
