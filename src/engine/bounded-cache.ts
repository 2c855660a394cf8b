/** String keys longer than this, by default, are derived every time and not kept: the entries stay small. */
export const MAX_CACHED_KEY_LENGTH = 1_000;

/**
 * A cache of values derived from user input (policy wildcards, allowedPattern regexes, runbook strings) that the
 * engine derives again on every call otherwise. It holds at most `max` entries and forgets the oldest one when full,
 * so a long-running engine fed ever new inputs stays bounded, while the few inputs every execution repeats stay.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #derive: (key: K) => V;
  readonly #maxKeyLength: number;

  /** `derive` makes the value of a key not cached: a module-level function, so that a lookup allocates nothing. */
  constructor(
    readonly max: number,
    derive: (key: K) => V,
    /** String keys longer than this are derived every time, not kept. */
    maxKeyLength: number = MAX_CACHED_KEY_LENGTH,
  ) {
    this.#derive = derive;
    this.#maxKeyLength = maxKeyLength;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value of `key`, derived on a miss. A derivation that throws caches nothing. */
  get(key: K): V {
    if (typeof key === 'string' && key.length > this.#maxKeyLength) return this.#derive(key);
    const cached = this.#entries.get(key);
    if (cached !== undefined || this.#entries.has(key)) return cached as V;
    const value = this.#derive(key);
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value as K);
    this.#entries.set(key, value);
    return value;
  }
}
