/** AWS::IAM::Role: registered with the engine's role registry so that calls made with it are authorized. */
import { isJsonObject, type JsonObject } from '../../../model/json.js';
import type { PolicyDocument } from '../../iam/policy-evaluation.js';
import type { LocalRole } from '../../iam/roles.js';
import { parseJson } from '../../../validate/nesting.js';
import { validationError } from '../intrinsics.js';
import { generatedName, replacement, type ProviderContext, type ResourceProvider } from './provider.js';

function policyDocument(value: unknown, where: string): PolicyDocument {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (!isJsonObject(parsed) || parsed['Statement'] === undefined) throw validationError(`${where} must be a policy document with a Statement.`);
  return parsed as unknown as PolicyDocument;
}

function build(arn: string, name: string, properties: JsonObject, context: ProviderContext, previous?: LocalRole): LocalRole {
  const inline = new Map<string, PolicyDocument>();
  const policies = Array.isArray(properties['Policies']) ? properties['Policies'] : [];
  for (const [i, p] of policies.entries()) {
    if (!isJsonObject(p) || typeof p['PolicyName'] !== 'string') throw validationError(`Policies[${i}] needs a PolicyName.`);
    inline.set(p['PolicyName'], policyDocument(p['PolicyDocument'], `Policies[${i}].PolicyDocument`));
  }
  const attached = new Map(previous?.attached ?? []);
  for (const arnValue of Array.isArray(properties['ManagedPolicyArns']) ? properties['ManagedPolicyArns'] : []) {
    const document = typeof arnValue === 'string' ? context.roles.managedPolicy(arnValue) : undefined;
    // AWS-managed policies are not in the registry: the engine cannot evaluate them, so it says so.
    if (document === undefined) throw validationError(`ManagedPolicyArns: ${String(arnValue)} is not a policy created by a loaded stack; the local engine cannot evaluate AWS-managed policies.`);
    attached.set(String(arnValue), document);
  }
  const role: LocalRole = {
    arn,
    name,
    trustPolicy: policyDocument(properties['AssumeRolePolicyDocument'], 'AssumeRolePolicyDocument'),
    inline,
    attached,
  };
  const boundary = properties['PermissionsBoundary'];
  if (typeof boundary === 'string') {
    const document = context.roles.managedPolicy(boundary);
    if (document === undefined) throw validationError(`PermissionsBoundary ${boundary} is not a policy created by a loaded stack.`);
    role.permissionsBoundary = document;
  }
  return role;
}

export const iamRole: ResourceProvider = {
  async create(properties, context) {
    // Role names: up to 64 characters; a path prefixes the name in the ARN.
    const name = typeof properties['RoleName'] === 'string' ? properties['RoleName'] : generatedName(context, 64);
    if (context.roles.byName(name, context.partition) !== undefined) throw validationError(`Role with name ${name} already exists.`);
    const path = typeof properties['Path'] === 'string' ? properties['Path'] : '/';
    const arn = `arn:${context.partition}:iam::${context.accountId}:role${path}${name}`;
    context.roles.put(build(arn, name, properties, context));
    return { physicalId: name, attributes: { Arn: arn, RoleId: `AROA${context.ids.hex(17).toUpperCase()}` } };
  },
  async update(current, properties, previous, context) {
    // RoleName and Path replace the role (resource specification).
    if (properties['RoleName'] !== previous['RoleName'] || properties['Path'] !== previous['Path']) replacement('RoleName', properties, previous);
    const arn = String(current.attributes['Arn']);
    context.roles.put(build(arn, current.physicalId, properties, context, context.roles.get(arn)));
    return current;
  },
  async delete(current, _properties, context) {
    context.roles.delete(String(current.attributes['Arn']));
  },
};
