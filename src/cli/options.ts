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

/**
 * A parser for a whole number of seconds in `min..max`; `why` says where the bounds come from when they are not
 * obvious. Commander prints the message after the option and value, on one line, and exits 1.
 */
export function wholeSeconds(min: number, max: number, why = ''): (value: string) => string {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`Expected a whole number of seconds from ${min} to ${max}${why === '' ? '' : ` (${why})`}.`);
    return String(n);
  };
}

/** `--port`: 0..65535, 0 for any free port. */
export function port(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError('Expected a port number from 0 to 65535 (0: any free port).');
  return n;
}

/** One of a fixed list of values, spelled exactly. */
export function oneOf<T extends string>(values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`Expected ${values.map((v) => `'${v}'`).join(' or ')}.`);
    return value as T;
  };
}

/** JSON text, checked here so that a typo is refused before anything starts. */
export function jsonText(value: string): string {
  try {
    JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`Expected JSON: ${(error as Error).message}.`);
  }
  return value;
}
