/**
 * SendCommand `Targets` resolution (aws-semantics §6.6): keys `InstanceIds`, `tag:<key>`, `tag-key`; several keys
 * AND, several values OR. The key names are compared without case, as AWS's own example's `instanceids` shows
 * (aws-cli examples/ssm/send-command.rst); a tag's own key after `tag:` keeps its case, as tags do. `resource-groups:*` needs Resource Groups, which the local engine does not have:
 * `InvalidTarget`, never a silent empty match.
 */
import { ssmError } from '../../errors/ssm-errors.js';
import type { Target } from '../../model/ssm.js';
import type { InstanceRegistry } from '../instances/instance-registry.js';

/** API limit on the `Targets` list. */
export const MAX_TARGETS = 5;
/** API limit on `Target.Values`. */
export const MAX_TARGET_VALUES = 50;

export interface ResolvedTargets {
  /** Matching node ids, in a stable order. */
  readonly instanceIds: string[];
  /** Ids named under `Key=InstanceIds` that SSM does not know: their invocations are `Undeliverable`. */
  readonly unknownIds: string[];
}

export function resolveTargets(targets: readonly Target[], registry: InstanceRegistry): ResolvedTargets {
  if (targets.length === 0 || targets.length > MAX_TARGETS) {
    throw ssmError('ValidationException', `Targets must hold 1 to ${MAX_TARGETS} entries; got ${targets.length}.`);
  }
  let candidates: Set<string> | undefined;
  const unknownIds: string[] = [];
  const live = registry.list().filter((i) => i.pingStatus !== 'Inactive');
  for (const target of targets) {
    const key = target.Key ?? '';
    const values = target.Values ?? [];
    if (key === '' || values.length === 0) throw ssmError('InvalidTarget', 'Each target needs a Key and at least one value.');
    if (values.length > MAX_TARGET_VALUES) throw ssmError('InvalidTarget', `Target ${key} has more than ${MAX_TARGET_VALUES} values.`);
    let match: string[];
    const lower = key.toLowerCase();
    if (lower === 'instanceids') {
      match = [];
      for (const id of values) {
        if (registry.get(id) === undefined) unknownIds.push(id);
        else match.push(id);
      }
    } else if (lower.startsWith('tag:')) {
      const tagKey = key.slice(4);
      match = live.filter((i) => i.tags[tagKey] !== undefined && values.includes(i.tags[tagKey]!)).map((i) => i.instanceId);
    } else if (lower === 'tag-key') {
      match = live.filter((i) => values.some((k) => i.tags[k] !== undefined)).map((i) => i.instanceId);
    } else {
      throw ssmError('InvalidTarget', `Target key ${key} is not supported by the local engine (InstanceIds, tag:<key>, tag-key).`);
    }
    candidates = candidates === undefined ? new Set(match) : new Set(match.filter((id) => candidates!.has(id)));
  }
  return { instanceIds: [...(candidates ?? [])], unknownIds: [...new Set(unknownIds)] };
}
