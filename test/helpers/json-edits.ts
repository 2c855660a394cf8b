/**
 * Seeded broken variants of JSON documents for the comparison fuzzes (a precompiled validator against the one it
 * replaces): each edit sets, or deletes, one key on one of the document's objects.
 */
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../src/model/json.js';

export interface JsonEdit {
  /** Picks the object (modulo the number of objects). */
  readonly at: number;
  readonly key: string;
  /** undefined deletes the key. */
  readonly value: JsonValue | undefined;
}

/** Every object in `value`, itself included, depth first. */
export function objectsOf(value: JsonValue, found: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(value)) for (const v of value) objectsOf(v, found);
  else if (value !== null && typeof value === 'object') {
    found.push(value);
    for (const v of Object.values(value)) objectsOf(v, found);
  }
  return found;
}

export function jsonEdit(keys: readonly string[], values: readonly JsonValue[]): fc.Arbitrary<JsonEdit> {
  return fc.record({ at: fc.nat(), key: fc.constantFrom(...keys), value: fc.option(fc.constantFrom(...values), { nil: undefined }) });
}

/** A copy of `base` with the edits applied in order (a document without objects is returned unchanged). */
export function withEdits<T extends JsonValue>(base: T, edits: readonly JsonEdit[]): T {
  const doc = structuredClone(base);
  for (const { at, key, value } of edits) {
    const objects = objectsOf(doc);
    if (objects.length === 0) break;
    const target = objects[at % objects.length]!;
    if (value === undefined) delete target[key];
    else target[key] = structuredClone(value);
  }
  return doc;
}
