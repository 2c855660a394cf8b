/**
 * Nesting limits for JSON and YAML that come from users (definitions, inputs, task results, templates, runbooks,
 * request bodies). Every walk the engine and its libraries make over such a value recurses (JSON.stringify,
 * structuredClone, ajv, jsonpath-plus, the `yaml` composer), so a document nested deeply enough would overflow
 * the stack; these checks are iterative and run before any of them.
 *
 * AWS's services parse JSON with Jackson, whose `StreamReadConstraints` refuse documents nested deeper than 1,000
 * levels by default (jackson-core 2.15+, `DEFAULT_MAX_DEPTH`); the messages below are Jackson's. That AWS keeps
 * the default is UNCONFIRMED (docs/fidelity.md).
 */

/** Jackson's default `StreamReadConstraints.maxNestingDepth`. */
export const MAX_JSON_NESTING = 1000;

/**
 * Documents that shellstep validates and interprets (state machine definitions, CloudFormation templates,
 * runbooks) nest at most this deep. Their checks recurse several frames per level: the ASL schema check overflowed
 * the stack at ~780 levels (a Map in a Map costs three levels and ~4 KB of stack), the `yaml` composer at ~790;
 * 300 keeps them within a third of the stack (up to 100 levels of nested Map, 75 of Parallel). AWS documents no
 * nesting limit for definitions, templates or runbooks (docs/fidelity.md).
 */
export const MAX_DOCUMENT_NESTING = 300;

/**
 * Jackson's words for a document past the limit (`StreamReadConstraints.validateNestingDepth`); for a limit of ours
 * (documents), the same words without naming Jackson's setting.
 */
export function nestingMessage(limit: number): string {
  const source = limit === MAX_JSON_NESTING ? ', from `StreamReadConstraints.getMaxNestingDepth()`' : '';
  return `Document nesting depth (${limit + 1}) exceeds the maximum allowed (${limit}${source})`;
}

/** A document nested past its limit, thrown where a JSON parser's SyntaxError would be. */
export class NestingTooDeepError extends SyntaxError {
  constructor(readonly limit: number) {
    super(nestingMessage(limit));
    this.name = 'NestingTooDeepError';
  }
}

/** Whether `value` has objects or arrays nested more than `limit` levels (`{}` is one level, a scalar none). */
export function nestingExceeds(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** `JSON.parse`, refusing documents nested past `limit` with Jackson's message (a SyntaxError, as a parse error). */
export function parseJson(text: string, limit = MAX_JSON_NESTING): unknown {
  const value = JSON.parse(text) as unknown;
  if (nestingExceeds(value, limit)) throw new NestingTooDeepError(limit);
  return value;
}

/** Throws NestingTooDeepError when `value` nests past `limit`; returns it otherwise. */
export function checkNesting<T>(value: T, limit = MAX_JSON_NESTING): T {
  if (nestingExceeds(value, limit)) throw new NestingTooDeepError(limit);
  return value;
}
