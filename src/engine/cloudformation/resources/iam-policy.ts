/** AWS::IAM::Policy (inline, attached to roles by name) and AWS::IAM::ManagedPolicy. */
import { isJsonObject, type JsonObject } from '../../../model/json.js';
import type { PolicyDocument } from '../../iam/policy-evaluation.js';
import { parseJson } from '../../../validate/nesting.js';
import { validationError } from '../intrinsics.js';
import { generatedName, replacement, type ProviderContext, type ResourceProvider } from './provider.js';

function document(properties: JsonObject): PolicyDocument {
  const d = properties['PolicyDocument'];
  const parsed = typeof d === 'string' ? parseJson(d) : d;
  if (!isJsonObject(parsed) || parsed['Statement'] === undefined) throw validationError('PolicyDocument must be a policy document with a Statement.');
  return parsed as unknown as PolicyDocument;
}

function roleNames(properties: JsonObject): string[] {
  return (Array.isArray(properties['Roles']) ? properties['Roles'] : []).map(String);
}

function attach(key: string, policy: PolicyDocument, names: string[], context: ProviderContext): void {
  for (const name of names) {
    const role = context.roles.byName(name, context.partition);
    if (role === undefined) throw validationError(`Roles: ${name} is not a role created by a loaded stack.`);
    role.attached.set(key, policy);
  }
}

function detach(key: string, names: string[], context: ProviderContext): void {
  for (const name of names) context.roles.byName(name, context.partition)?.attached.delete(key);
}

export const iamPolicy: ResourceProvider = {
  async create(properties, context) {
    const name = typeof properties['PolicyName'] === 'string' ? properties['PolicyName'] : generatedName(context, 128);
    const key = `${context.stackName}/${context.logicalId}/${name}`;
    attach(key, document(properties), roleNames(properties), context);
    return { physicalId: name, attributes: { Id: key } };
  },
  async update(current, properties, previous, context) {
    const key = String(current.attributes['Id']);
    detach(key, roleNames(previous), context);
    attach(key, document(properties), roleNames(properties), context);
    return current;
  },
  async delete(current, properties, context) {
    detach(String(current.attributes['Id']), roleNames(properties), context);
  },
};

export const iamManagedPolicy: ResourceProvider = {
  async create(properties, context) {
    const name = typeof properties['ManagedPolicyName'] === 'string' ? properties['ManagedPolicyName'] : generatedName(context, 128);
    const arn = `arn:${context.partition}:iam::${context.accountId}:policy/${name}`;
    const policy = document(properties);
    context.roles.putManagedPolicy(arn, policy);
    attach(arn, policy, roleNames(properties), context);
    return { physicalId: arn, attributes: { PolicyArn: arn } };
  },
  async update(current, properties, previous, context) {
    // ManagedPolicyName, Path and Description replace the policy (resource specification).
    if (['ManagedPolicyName', 'Path', 'Description'].some((k) => JSON.stringify(properties[k]) !== JSON.stringify(previous[k]))) {
      replacement('ManagedPolicyName', properties, previous);
    }
    const policy = document(properties);
    context.roles.putManagedPolicy(current.physicalId, policy);
    detach(current.physicalId, roleNames(previous), context);
    attach(current.physicalId, policy, roleNames(properties), context);
    return current;
  },
  async delete(current, properties, context) {
    detach(current.physicalId, roleNames(properties), context);
    context.roles.deleteManagedPolicy(current.physicalId);
  },
};
