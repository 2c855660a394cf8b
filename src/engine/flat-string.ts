/**
 * A flat copy of a string that lives as long as a record does. V8 keeps many strings as ropes of joined pieces:
 * Node's randomUUID() returns about twenty pieces (about 490 bytes against 66 flat), and a long JSON.stringify text is
 * built from parts. With thousands of waiting executions the ropes add up.
 */
export function flatString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
