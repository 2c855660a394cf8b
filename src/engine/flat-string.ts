/**
 * Flat copies of strings that live as long as a record does. V8 keeps many strings as ropes of joined pieces:
 * Node's randomUUID() returns about twenty pieces (about 490 bytes against 66 flat), and a long JSON.stringify text is
 * built from parts. With thousands of waiting executions the ropes add up, and so do equal texts kept apart.
 */
import type { JsonValue } from '../model/json.js';

/** A flat copy of any string (for ids: measured to flatten UUIDs, which the cheaper in-place trick below did not always). */
export function flatString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * Compact JSON text of a value that a record keeps (history details, step inputs), flat when long. Converting the
 * text to a number makes V8 flatten it in place (the number is unused): measured to hold in optimized code, and
 * about 0.6 µs a text cheaper than `flatString`, which the interpreter's hot path notices (~10% on a Pass chain).
 * JSON.stringify's first part is 32 characters, so every longer text is a rope (measured with %DebugPrint; e.g. the
 * 64-character TaskSubmitted output of a waiting execution). Flattening one costs ~50 ns, a rope ~48 bytes more.
 */
export function keptJson(value: JsonValue): string {
  const text = JSON.stringify(value);
  if (text.length > 32) void Number(text);
  return text;
}

/** At most this many shared texts of at most this length: about 2 MB at worst, however many distinct texts pass by. */
const MAX_SHARED_TEXTS = 1000;
const MAX_SHARED_LENGTH = 2000;
const sharedTexts = new Map<string, string>();

/**
 * `keptJson`, with equal texts sharing one string: every execution of a runbook keeps the same step inputs (an
 * aws:branch step's Choices is ~400 bytes). When full, the table forgets the text used longest ago, so texts that
 * never repeat (task tokens, ids) cannot grow it.
 */
export function sharedJson(value: JsonValue): string {
  const text = keptJson(value);
  if (text.length > MAX_SHARED_LENGTH) return text;
  const shared = sharedTexts.get(text);
  if (shared !== undefined) {
    // Re-inserted, so that the Map's order is least recently used first.
    sharedTexts.delete(shared);
    sharedTexts.set(shared, shared);
    return shared;
  }
  if (sharedTexts.size >= MAX_SHARED_TEXTS) sharedTexts.delete(sharedTexts.keys().next().value!);
  sharedTexts.set(text, text);
  return text;
}
