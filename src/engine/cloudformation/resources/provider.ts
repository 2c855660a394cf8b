/** What a resource type needs to be created, updated and deleted in the local engine. */
import type { AwsApi } from '../../aws-api.js';
import type { IdGenerator } from '../../ids.js';
import type { RoleRegistry } from '../../iam/roles.js';
import type { JsonObject, JsonValue } from '../../../model/json.js';
import { validationError } from '../intrinsics.js';

export interface ProviderContext {
  readonly api: AwsApi;
  readonly roles: RoleRegistry;
  readonly ids: IdGenerator;
  readonly stackName: string;
  readonly logicalId: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

export interface CreatedResource {
  /** The physical id, which is also what `Ref` returns for every type supported here. */
  readonly physicalId: string;
  readonly attributes: Readonly<Record<string, JsonValue>>;
}

export interface ResourceProvider {
  create(properties: JsonObject, context: ProviderContext): Promise<CreatedResource>;
  /** Updates in place; absent means every change replaces the resource. */
  update?(current: CreatedResource, properties: JsonObject, previous: JsonObject, context: ProviderContext): Promise<CreatedResource>;
  delete(current: CreatedResource, properties: JsonObject, context: ProviderContext): Promise<void>;
}

/** Thrown by `update` when the change can only be made by replacing the resource. */
export class NeedsReplacement extends Error {
  override readonly name = 'NeedsReplacement';
}

/**
 * Asks for a replacement. CloudFormation creates the new resource before it deletes the old one, so a resource
 * whose custom name stays the same cannot be replaced: AWS fails the update with this message (aws-semantics §9, D6).
 */
export function replacement(nameProperty: string, properties: JsonObject, previous: JsonObject): never {
  const name = properties[nameProperty];
  if (typeof name === 'string' && name === previous[nameProperty]) {
    throw validationError(`CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${name} and update the stack again.`);
  }
  throw new NeedsReplacement();
}

/**
 * A CloudFormation-style generated name: `<stack>-<logicalId>-<RANDOM>`, trimmed to `max` characters
 * (CloudFormation User Guide, "Name type").
 */
export function generatedName(context: ProviderContext, max: number): string {
  const suffix = context.ids.hex(12).toUpperCase();
  const base = `${context.stackName}-${context.logicalId}`.slice(0, Math.max(1, max - suffix.length - 1));
  return `${base}-${suffix}`;
}
