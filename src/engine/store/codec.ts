/**
 * A record with Maps, Sets and Dates as JSON, and back: for records whose shape belongs to their service (a stack holds
 * all three), so that the snapshot follows the record's fields without a list of them. Promises and functions (work in
 * flight) are left out; the service that restores a record gives it new ones.
 */
import type { JsonValue } from '../../model/json.js';

const MAP = '$map';
const SET = '$set';
const DATE = '$date';
/** A plain object that looks like one of the tags (a template may hold `{"$date": 1}`): kept as its entries. */
const OBJECT = '$obj';
const TAGS: ReadonlySet<string> = new Set([MAP, SET, DATE, OBJECT]);

function looksTagged(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && TAGS.has(keys[0]!);
}

export function encodeRecord(record: object): JsonValue {
  return JSON.parse(
    JSON.stringify(record, function (this: Record<string, unknown>, key: string, value: unknown) {
      // The holder's own value: JSON.stringify has already turned a Date into its ISO text by now.
      const raw = key === '' ? value : this[key];
      if (raw instanceof Date) return { [DATE]: raw.getTime() };
      if (raw instanceof Map) return { [MAP]: [...raw.entries()] };
      if (raw instanceof Set) return { [SET]: [...raw.values()] };
      if (raw instanceof Promise || typeof raw === 'function') return undefined;
      if (looksTagged(value)) return { [OBJECT]: Object.entries(value) };
      return value;
    }),
  ) as JsonValue;
}

export function decodeRecord<T>(value: JsonValue): T {
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) => {
    if (!looksTagged(item)) return item;
    if (typeof item[DATE] === 'number') return new Date(item[DATE]);
    if (Array.isArray(item[MAP])) return new Map(item[MAP] as Array<[unknown, unknown]>);
    if (Array.isArray(item[SET])) return new Set(item[SET] as unknown[]);
    if (Array.isArray(item[OBJECT])) return Object.fromEntries(item[OBJECT] as Array<[string, unknown]>);
    return item;
  }) as T;
}
