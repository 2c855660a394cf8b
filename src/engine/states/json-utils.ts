/** Small JSON helpers shared by the interpreter: deep equality and the AWS payload size. */
import type { JsonValue } from '../../model/json.js';

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEquals(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !jsonEquals(a[key], b[key])) return false;
  }
  return true;
}

/**
 * "The maximum input or output size for a task, state, or execution is 256 KiB of data as a UTF-8 encoded
 * string" (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, "Quotas related to state throttling").
 */
export const MAX_PAYLOAD_BYTES = 262_144;

/** Whether a serialized JSON text is longer than `limit` bytes in UTF-8. */
export function exceedsPayloadLimit(jsonText: string, limit = MAX_PAYLOAD_BYTES): boolean {
  const text = jsonText;
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short texts need no byte count.
  if (text.length * 3 <= limit) return false;
  return Buffer.byteLength(text, 'utf8') > limit;
}

