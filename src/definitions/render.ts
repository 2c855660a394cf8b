/**
 * The one serializer for generated artifacts: two-space JSON in the source's key order (the typed sources
 * are code, so that order is deterministic) and a trailing newline.
 */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
