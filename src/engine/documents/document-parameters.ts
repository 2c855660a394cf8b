/**
 * A document's parameters, Automation or Command: the declared types, defaults, allowedValues, allowedPattern and
 * item/character bounds applied to what a caller gave (aws-semantics §1.2; documents-syntax-data-elements-parameters).
 *
 * Everything arrives as `map<string, list<string>>` (StartAutomationExecution and SendCommand alike), so typed
 * parameters are parsed from strings: an Integer from one decimal string, a Boolean from `"true"`/`"false"`, a
 * StringMap from one JSON-object string, and a MapList from one JSON-object string per list element (UNCONFIRMED
 * encoding; docs/fidelity.md). Each API names its own error (`invalid`).
 */
import type { JsonValue } from '../../model/json.js';
import { copyJson, isJsonObject } from '../../model/json.js';
import type { RunbookParameter } from '../../model/runbook.js';
import { BoundedCache } from '../bounded-cache.js';
import { NestingTooDeepError, parseJson as parseJsonText } from '../../validate/nesting.js';

const PARAMETER_STORE_DEFAULT = /^\{\{\s*ssm:/;
const INTEGER = /^-?\d+$/;

/** Builds the error the calling API returns for a parameter problem. */
export type InvalidParameterError = (message: string) => Error;

/** Resolves every declared parameter to its typed value (given or default); throws `invalid(…)` on any violation. */
export function resolveDocumentParameters(
  declared: Readonly<Record<string, RunbookParameter>>,
  given: Readonly<Record<string, readonly string[]>>,
  invalid: InvalidParameterError,
): Record<string, JsonValue> {
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) throw invalid(`Parameter ${name} is not defined in the document.`);
  }
  // No prototype: a parameter named __proto__ is a parameter, not the object's prototype.
  const resolved = Object.create(null) as Record<string, JsonValue>;
  for (const name of Object.keys(declared)) {
    const spec = declared[name]!;
    // Own members only: a parameter named like an inherited member (toString) is not given by the object's prototype.
    const values = Object.hasOwn(given, name) ? given[name] : undefined;
    let value: JsonValue;
    if (values === undefined) {
      if (spec.default === undefined) throw invalid(`Parameter ${name} is required but was not provided.`);
      if (typeof spec.default === 'string' && PARAMETER_STORE_DEFAULT.test(spec.default)) {
        throw invalid(`Parameter ${name} defaults to a Parameter Store value (${spec.default}), which the local engine does not support.`);
      }
      value = copyJson(spec.default);
    } else {
      value = fromStrings(name, spec, values, invalid);
    }
    checkConstraints(name, spec, value, invalid);
    resolved[name] = value;
  }
  return resolved;
}

function single(name: string, values: readonly string[], invalid: InvalidParameterError): string {
  if (values.length !== 1) throw invalid(`Parameter ${name} takes exactly one value; got ${values.length}.`);
  return values[0]!;
}

function fromStrings(name: string, spec: RunbookParameter, values: readonly string[], invalid: InvalidParameterError): JsonValue {
  switch (spec.type) {
    case 'String':
      return single(name, values, invalid);
    case 'StringList':
      return [...values];
    case 'Integer': {
      const text = single(name, values, invalid);
      // "Integer: integral numbers; not decimals" (§1.2).
      if (!INTEGER.test(text) || !Number.isSafeInteger(Number(text))) throw invalid(`Parameter ${name} must be an Integer; got '${text}'.`);
      return Number(text);
    }
    case 'Boolean': {
      const text = single(name, values, invalid);
      if (text !== 'true' && text !== 'false') throw invalid(`Parameter ${name} must be a Boolean (true or false); got '${text}'.`);
      return text === 'true';
    }
    case 'StringMap': {
      const parsed = parseJson(name, invalid, single(name, values, invalid));
      if (!isJsonObject(parsed)) throw invalid(`Parameter ${name} must be a StringMap given as one JSON object string.`);
      return parsed;
    }
    case 'MapList':
      return values.map((v) => {
        const parsed = parseJson(name, invalid, v);
        if (!isJsonObject(parsed)) throw invalid(`Each value of MapList parameter ${name} must be one JSON object string; got '${v.slice(0, 80)}'.`);
        return parsed;
      });
  }
}

function parseJson(name: string, invalid: InvalidParameterError, text: string): JsonValue {
  try {
    return parseJsonText(text) as JsonValue;
  } catch (error) {
    if (error instanceof NestingTooDeepError) throw invalid(`Parameter ${name}: ${error.message}.`);
    throw invalid(`Parameter ${name} must be JSON; got '${text.slice(0, 80)}'.`);
  }
}

function hasType(type: RunbookParameter['type'], value: JsonValue): boolean {
  switch (type) {
    case 'String':
      return typeof value === 'string';
    case 'StringList':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'Integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'Boolean':
      return typeof value === 'boolean';
    case 'StringMap':
      return isJsonObject(value);
    case 'MapList':
      return Array.isArray(value) && value.every((v) => isJsonObject(v));
    default:
      return false;
  }
}

function checkConstraints(name: string, spec: RunbookParameter, value: JsonValue, invalid: InvalidParameterError): void {
  if (!hasType(spec.type, value)) throw invalid(`Parameter ${name} must be of type ${spec.type}.`);
  const scalars: string[] =
    typeof value === 'string' ? [value] : typeof value === 'number' ? [String(value)] : Array.isArray(value) && spec.type === 'StringList' ? (value as string[]) : [];
  if (spec.allowedValues !== undefined) {
    for (const s of scalars) {
      if (!spec.allowedValues.includes(s)) throw invalid(`Parameter ${name} value '${s}' is not one of the allowed values [${spec.allowedValues.join(', ')}].`);
    }
  }
  if (spec.allowedPattern !== undefined) {
    const pattern = allowedPatternRegex(spec.allowedPattern);
    for (const s of scalars) {
      if (!pattern.test(s)) throw invalid(`Parameter ${name} value '${s.slice(0, 80)}' does not match the allowed pattern ${spec.allowedPattern}.`);
    }
  }
  if (Array.isArray(value)) {
    if (spec.minItems !== undefined && value.length < spec.minItems) throw invalid(`Parameter ${name} needs at least ${spec.minItems} item(s).`);
    if (spec.maxItems !== undefined && value.length > spec.maxItems) throw invalid(`Parameter ${name} takes at most ${spec.maxItems} item(s).`);
  }
  for (const s of spec.type === 'String' || spec.type === 'StringList' ? scalars : []) {
    if (spec.minChars !== undefined && s.length < spec.minChars) throw invalid(`Parameter ${name} values need at least ${spec.minChars} characters.`);
    if (spec.maxChars !== undefined && s.length > spec.maxChars) throw invalid(`Parameter ${name} values take at most ${spec.maxChars} characters.`);
  }
}

export const MAX_CACHED_PATTERNS = 1000;
const allowedPatterns = new BoundedCache(MAX_CACHED_PATTERNS, (pattern: string) => new RegExp(`^(?:${pattern})$`));

/**
 * The compiled regex of a document parameter's allowedPattern, Command or Automation: every SendCommand and every
 * execution of a runbook checks the same few patterns. Bounded, since documents are user input. The whole value must
 * match (Java `matches()` semantics; UNCONFIRMED, docs/fidelity.md).
 */
export function allowedPatternRegex(pattern: string): RegExp {
  return allowedPatterns.get(pattern);
}

/** The number of compiled allowedPattern regexes cached (for tests). */
export function cachedPatternCount(): number {
  return allowedPatterns.size;
}
