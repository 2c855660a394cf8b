/**
 * fast-check generators shared by the fuzz suites: JSON-ish values that are sometimes right, often slightly wrong
 * (wrong type, too long, empty, unknown key) and sometimes garbage.
 */
import fc from 'fast-check';

/** Strings an AWS field might get: empty, short, near and over common limits, odd characters. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'x', 'null', '{}', '[]', '$LATEST', '$DEFAULT', '1', '0', '-1', '3600', 'Shell', 'PowerShell', 'shell', '{{ Commands }}', '{{ nope }}', '\u0000', '\uFFFF', '💥'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: 0, max: 3000 }).map((n) => 'a'.repeat(n)),
);

/** A value of any JSON type, biased to the small and the wrong. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER) },
  { weight: 1, arbitrary: fc.array(anyString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Sometimes `good`, sometimes any value, sometimes absent (undefined). */
export function maybe<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: good }, { weight: 2, arbitrary: anyValue }, { weight: 1, arbitrary: fc.constant(undefined) });
}

/** Builds an object from optional members, leaving out the undefined ones. */
export function record(members: Readonly<Record<string, fc.Arbitrary<unknown>>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(members).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
}

/**
 * Shell commands that are safe to run for real: fuzzing must never turn a random string into a command line. Random
 * text only ever reaches the shell single-quoted, as an argument of `printf`.
 */
export const safeCommand: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('true', 'exit 3', 'echo hello', 'printf "\\000\\377"', 'echo "$SSM_COMMAND_ID"', 'pwd'),
  fc.string({ maxLength: 40 }).map((s) => `printf '%s' '${s.replace(/'/g, `'\\''`).replace(/\u0000/g, '')}'`),
);
