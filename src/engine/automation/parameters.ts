/**
 * StartAutomationExecution `Parameters`: AWS's limits on the map, then the runbook's declared types, defaults,
 * allowedValues, allowedPattern and item/character bounds (aws-semantics §1.2, §7.4).
 *
 * Everything arrives as `map<string, list<string>>`, so typed parameters are parsed from strings: an Integer from
 * one decimal string, a Boolean from `"true"`/`"false"`, a StringMap from one JSON-object string, and a MapList from
 * one JSON-object string per list element (UNCONFIRMED encoding; docs/fidelity.md).
 */
import { ssmError } from '../../errors/ssm-errors.js';
import type { JsonObject, JsonValue } from '../../model/json.js';
import { copyJson, isJsonObject } from '../../model/json.js';
import type { Runbook, RunbookParameter } from '../../model/runbook.js';
import type { AutomationParameterMap } from '../../model/ssm.js';
import { allowedPatternRegex } from '../run-command/command-documents.js';

/** `AutomationParameterMap` ≤ 200 entries (botocore). */
export const MAX_PARAMETER_KEYS = 200;
/** `AutomationParameterKey` 1..50 characters. */
export const MAX_PARAMETER_KEY_LENGTH = 50;
/** `AutomationParameterValueList` ≤ 50 items (was 10 until 2021-03). */
export const MAX_PARAMETER_VALUES = 50;
/** `AutomationParameterValue` 1..512 characters: a longer task token is rejected at start (sample defect D11e). */
export const MAX_PARAMETER_VALUE_LENGTH = 512;

const PARAMETER_STORE_DEFAULT = /^\{\{\s*ssm:/;
const INTEGER = /^-?\d+$/;

function invalid(message: string): Error {
  return ssmError('InvalidAutomationExecutionParametersException', message);
}

/** Checks the API-level shape and limits of the `Parameters` map. */
export function checkParameterMapLimits(parameters: unknown): AutomationParameterMap {
  if (parameters === undefined) return {};
  if (!isJsonObject(parameters as JsonValue)) throw invalid('Parameters must be a map of parameter name to a list of strings.');
  const entries = Object.entries(parameters as Record<string, unknown>);
  if (entries.length > MAX_PARAMETER_KEYS) throw invalid(`Parameters has ${entries.length} keys; at most ${MAX_PARAMETER_KEYS} are allowed.`);
  for (const [key, values] of entries) {
    if (key.length < 1 || key.length > MAX_PARAMETER_KEY_LENGTH) {
      throw invalid(`Parameter name '${key.slice(0, 60)}' must be 1 to ${MAX_PARAMETER_KEY_LENGTH} characters.`);
    }
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw invalid(`Parameter ${key} must be a list of strings.`);
    }
    if (values.length > MAX_PARAMETER_VALUES) throw invalid(`Parameter ${key} has ${values.length} values; at most ${MAX_PARAMETER_VALUES} are allowed.`);
    for (const value of values as string[]) {
      if (value.length < 1 || value.length > MAX_PARAMETER_VALUE_LENGTH) {
        throw invalid(`A value of parameter ${key} is ${value.length} characters long; each value must be 1 to ${MAX_PARAMETER_VALUE_LENGTH} characters.`);
      }
    }
  }
  return parameters as AutomationParameterMap;
}

/** Resolves every declared parameter to its typed value (given or default); throws on any violation. */
export function resolveAutomationParameters(runbook: Runbook, given: AutomationParameterMap): Record<string, JsonValue> {
  const declared = runbook.parameters ?? {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) throw invalid(`Parameter ${name} is not defined in the document.`);
  }
  const resolved: Record<string, JsonValue> = {};
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
      value = fromStrings(name, spec, values);
    }
    checkConstraints(name, spec, value);
    resolved[name] = value;
  }
  return resolved;
}

function single(name: string, values: readonly string[]): string {
  if (values.length !== 1) throw invalid(`Parameter ${name} takes exactly one value; got ${values.length}.`);
  return values[0]!;
}

function fromStrings(name: string, spec: RunbookParameter, values: readonly string[]): JsonValue {
  switch (spec.type) {
    case 'String':
      return single(name, values);
    case 'StringList':
      return [...values];
    case 'Integer': {
      const text = single(name, values);
      // "Integer: integral numbers; not decimals" (§1.2).
      if (!INTEGER.test(text) || !Number.isSafeInteger(Number(text))) throw invalid(`Parameter ${name} must be an Integer; got '${text}'.`);
      return Number(text);
    }
    case 'Boolean': {
      const text = single(name, values);
      if (text !== 'true' && text !== 'false') throw invalid(`Parameter ${name} must be a Boolean (true or false); got '${text}'.`);
      return text === 'true';
    }
    case 'StringMap': {
      const parsed = parseJson(name, single(name, values));
      if (!isJsonObject(parsed)) throw invalid(`Parameter ${name} must be a StringMap given as one JSON object string.`);
      return parsed;
    }
    case 'MapList':
      return values.map((v) => {
        const parsed = parseJson(name, v);
        if (!isJsonObject(parsed)) throw invalid(`Each value of MapList parameter ${name} must be one JSON object string; got '${v.slice(0, 80)}'.`);
        return parsed;
      });
  }
}

function parseJson(name: string, text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
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

function checkConstraints(name: string, spec: RunbookParameter, value: JsonValue): void {
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

/** Renders a typed value back into the API's list of strings (`AutomationExecution.Parameters`, step `Outputs`). */
export function toStringList(value: JsonValue): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (typeof value === 'string') return [value];
  if (value === null) return [];
  if (typeof value === 'object') return [JSON.stringify(value as JsonObject)];
  return [String(value)];
}
