/** JSON values as they travel through runbooks, state machines and the AWS JSON protocol. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A deep copy of a JSON value that shares its strings: they cannot change, and structuredClone would copy each one
 * (one more string per execution for every parameter value an execution keeps).
 */
export function copyJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(copyJson);
  if (!isJsonObject(value)) return value;
  // Assigning a member named __proto__ would set the prototype instead; fromEntries defines it as a member.
  if (Object.hasOwn(value, '__proto__')) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyJson(v)]));
  const copy: JsonObject = {};
  // for-in over own members: the keys as Object.keys lists them, without its array and entry pairs (hot paths copy
  // every SendCommand's members and every parameter default).
  for (const key in value) if (Object.hasOwn(value, key)) copy[key] = copyJson(value[key]!);
  return copy;
}
