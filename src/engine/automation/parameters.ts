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
import { isJsonObject } from '../../model/json.js';
import type { Runbook } from '../../model/runbook.js';
import type { AutomationParameterMap } from '../../model/ssm.js';
import { resolveDocumentParameters } from '../documents/index.js';

/** `AutomationParameterMap` ≤ 200 entries (botocore). */
export const MAX_PARAMETER_KEYS = 200;
/** `AutomationParameterKey` 1..50 characters. */
export const MAX_PARAMETER_KEY_LENGTH = 50;
/** `AutomationParameterValueList` ≤ 50 items (was 10 until 2021-03). */
export const MAX_PARAMETER_VALUES = 50;
/** `AutomationParameterValue` 1..512 characters: a longer task token is rejected at start (sample defect D11e). */
export const MAX_PARAMETER_VALUE_LENGTH = 512;

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

/** Resolves every parameter the runbook declares to its typed value (given or default); throws on any violation. */
export function resolveAutomationParameters(runbook: Runbook, given: AutomationParameterMap): Record<string, JsonValue> {
  return resolveDocumentParameters(runbook.parameters ?? {}, given, invalid);
}

/** Renders a typed value back into the API's list of strings (`AutomationExecution.Parameters`, step `Outputs`). */
export function toStringList(value: JsonValue): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (typeof value === 'string') return [value];
  if (value === null) return [];
  if (typeof value === 'object') return [JSON.stringify(value as JsonObject)];
  return [String(value)];
}
