/**
 * `{{ … }}` interpolation of step inputs (aws-semantics §1.3): parameters, `{{Step.Output}}`,
 * `{{automation:EXECUTION_ID}}` and `{{global:…}}`, with or without inner spaces.
 *
 * - A string that is exactly one placeholder takes the referenced value with its type (a StringList stays a list,
 *   an Integer a number), as AWS's own examples (`InstanceIds: "{{InstanceIds}}"`) rely on.
 * - Inside a larger string, strings are inserted as-is and other values as JSON (the agent's `ReplaceParameters`).
 * - A list element that is exactly one placeholder resolving to a list is spliced in (`['{{InstanceIds}}']`).
 * - Single pass: a resolved value is never expanded again.
 * - STRICT reading of an unresolvable reference (a step that did not run, or has no such output): the referring
 *   step fails input validation (UNCONFIRMED on AWS, sample defect D13; docs/fidelity.md).
 */
import { copyJson, type JsonValue } from '../../model/json.js';
import { BoundedCache } from '../bounded-cache.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([^{}]*?)\s*\}\}$/;

/**
 * Parsed whole placeholders (`{{ Name }}` → `Name`): every execution of a runbook interpolates the same step inputs.
 * Bounded in number and length, since runbooks are user input.
 */
export const MAX_CACHED_PLACEHOLDERS = 1000;
export const MAX_CACHED_PLACEHOLDER_LENGTH = 200;
const wholePlaceholders = new BoundedCache(MAX_CACHED_PLACEHOLDERS, (text: string) => WHOLE_PLACEHOLDER.exec(text)?.[1], MAX_CACHED_PLACEHOLDER_LENGTH);

/** The number of parsed placeholders cached (for tests). */
export function cachedPlaceholderCount(): number {
  return wholePlaceholders.size;
}

/** The reference of a string that is exactly one placeholder, else undefined. */
function wholeReference(text: string): string | undefined {
  if (!text.startsWith('{{') || !text.endsWith('}}')) return undefined;
  return wholePlaceholders.get(text);
}

export interface InterpolationScope {
  readonly parameters: Readonly<Record<string, JsonValue>>;
  /** Names of all steps in the runbook. */
  readonly stepNames: ReadonlySet<string>;
  /** Outputs of steps that ran, by step name. */
  readonly stepOutputs: ReadonlyMap<string, Readonly<Record<string, JsonValue>>>;
  /** `automation:EXECUTION_ID` and the `global:*` variables. */
  readonly variables: Readonly<Record<string, string>>;
}

/** A reference the scope cannot resolve; the step fails with FailureStage `InputValidation`. */
export class UnresolvedReferenceError extends Error {
  override readonly name = 'UnresolvedReference';
  constructor(
    readonly reference: string,
    message: string,
  ) {
    super(message);
  }
}

export function resolveReference(reference: string, scope: InterpolationScope): JsonValue {
  // Own members only: `{{ toString }}` names a parameter, not the variables object's prototype.
  const variable = Object.hasOwn(scope.variables, reference) ? scope.variables[reference] : undefined;
  if (variable !== undefined) return variable;
  if (reference.includes(':')) {
    throw new UnresolvedReferenceError(reference, `Variable {{${reference}}} is not supported (supported: ${Object.keys(scope.variables).join(', ')}).`);
  }
  if (Object.hasOwn(scope.parameters, reference)) return scope.parameters[reference]!;
  const dot = reference.indexOf('.');
  if (dot > 0) {
    const step = reference.slice(0, dot);
    const output = reference.slice(dot + 1);
    if (scope.stepNames.has(step)) {
      const outputs = scope.stepOutputs.get(step);
      if (outputs === undefined) {
        throw new UnresolvedReferenceError(reference, `{{${reference}}} refers to step ${step}, which has not run in this execution.`);
      }
      if (!Object.hasOwn(outputs, output)) {
        throw new UnresolvedReferenceError(reference, `{{${reference}}} refers to output ${output} of step ${step}, which that step did not produce.`);
      }
      return outputs[output]!;
    }
  }
  throw new UnresolvedReferenceError(reference, `{{${reference}}} is neither a parameter, a step output nor a supported variable.`);
}

/** Resolves every placeholder in `value`; throws `UnresolvedReferenceError` on the first one it cannot resolve. */
export function interpolate(value: JsonValue, scope: InterpolationScope): JsonValue {
  if (typeof value === 'string') {
    const reference = wholeReference(value);
    if (reference !== undefined) return copyJson(resolveReference(reference, scope));
    if (!value.includes('{{')) return value;
    return value.replace(PLACEHOLDER, (_match, ref: string) => {
      const resolved = resolveReference(ref, scope);
      return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    });
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const item of value) {
      const resolved = interpolate(item, scope);
      if (typeof item === 'string' && Array.isArray(resolved) && wholeReference(item) !== undefined) out.push(...resolved);
      else out.push(resolved);
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    // for…in reads V8's cached key list; Object.keys would copy it.
    for (const k in value) if (Object.hasOwn(value, k)) out[k] = interpolate(value[k]!, scope);
    return out;
  }
  return value;
}
