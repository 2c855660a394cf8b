/** Parsers for repeatable CLI options, with errors that say what is wrong. */
import { InvalidArgumentError } from 'commander';

/** `K=V`, collected into a record. */
export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got '${value}'`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export interface InstanceSpec {
  /** An explicit id, or undefined for a generated one. */
  readonly instanceId?: string;
  readonly tags: Record<string, string>;
  /** The instance profile's role: an ARN, or a role name in the engine's account. */
  readonly role?: string;
}

/**
 * `ID[:tag=value,...][;role=ROLE]` where ID is `i-…`, `mi-…` or `auto` and ROLE a role ARN or name. `;` separates the
 * role because neither tags (letters, digits, spaces and `_.:/=+-@`) nor role ARNs can contain it.
 */
export function instanceSpec(text: string, previous: InstanceSpec[] = []): InstanceSpec[] {
  const semicolon = text.indexOf(';');
  const value = semicolon === -1 ? text : text.slice(0, semicolon);
  let role: string | undefined;
  if (semicolon !== -1) {
    const extra = text.slice(semicolon + 1);
    if (!extra.startsWith('role=') || extra.length === 'role='.length) throw new InvalidArgumentError(`expected ';role=ROLE-ARN-OR-NAME' after the tags, got ';${extra}' in '${text}'`);
    role = extra.slice('role='.length);
  }
  const colon = value.indexOf(':');
  const id = colon === -1 ? value : value.slice(0, colon);
  const tags: Record<string, string> = {};
  if (colon !== -1) {
    for (const pair of value.slice(colon + 1).split(',').filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new InvalidArgumentError(`tags are key=value pairs, got '${pair}' in '${value}'`);
      tags[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  if (id !== 'auto' && !/^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/.test(id)) {
    throw new InvalidArgumentError(`'${id}' is not an instance id (i- followed by 8 or 17 hex digits, mi- followed by 17) or 'auto'`);
  }
  return [...previous, { ...(id === 'auto' ? {} : { instanceId: id }), tags, ...(role === undefined ? {} : { role }) }];
}
