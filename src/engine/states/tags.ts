/**
 * Tags of Step Functions state machines and activities (TagResource, UntagResource, ListTagsForResource, and `tags` on
 * create). "Tags may only contain Unicode letters, digits, white space, or these symbols: _ . : / = + - @"; at most
 * 50 user tags per resource (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, "Maximum number
 * of tags per resource"). Versions and aliases cannot be tagged (recorded: "Resource not found: '<version arn>'").
 */
import { ServiceError } from '../../errors/service-error.js';
import { validationErrors } from './api-errors.js';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** "Maximum number of tags per resource: 50" (service quotas page). */
export const MAX_TAGS = 50;

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The tags of every taggable resource, by ARN, in the order they were first set. */
export class TagStore {
  readonly #tags = new Map<string, Map<string, string>>();

  /** Checks a TagList request member as AWS does: the character set, then the quota. */
  static check(tags: readonly Tag[] | undefined, member: string, resourceArn: string, existing: ReadonlyMap<string, string> = new Map()): void {
    if (tags === undefined) return;
    const violations: string[] = [];
    tags.forEach((tag, i) => {
      // UNCONFIRMED wording for the character set (docs/fidelity.md); the length limits are the API model's.
      if (!TAG_TEXT.test(tag.key)) violations.push(`Value '${tag.key}' at '${member}.${i + 1}.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$`);
      if (!TAG_TEXT.test(tag.value)) violations.push(`Value '${tag.value}' at '${member}.${i + 1}.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$`);
    });
    if (violations.length > 0) throw validationErrors(violations);
    const keys = new Set([...existing.keys(), ...tags.map((t) => t.key)]);
    if (keys.size > MAX_TAGS) throw new ServiceError('TooManyTags', `Too many tags: '${resourceArn}'`);
  }

  tagsOf(arn: string): ReadonlyMap<string, string> {
    return this.#tags.get(arn) ?? new Map();
  }

  set(arn: string, tags: readonly Tag[]): void {
    let map = this.#tags.get(arn);
    if (map === undefined) {
      map = new Map();
      this.#tags.set(arn, map);
    }
    for (const tag of tags) map.set(tag.key, tag.value);
  }

  remove(arn: string, keys: readonly string[]): void {
    const map = this.#tags.get(arn);
    if (map === undefined) return;
    for (const key of keys) map.delete(key);
  }

  /** Forgets a deleted resource's tags. */
  drop(arn: string): void {
    this.#tags.delete(arn);
  }

  list(arn: string): Tag[] {
    return [...this.tagsOf(arn)].map(([key, value]) => ({ key, value }));
  }
}
