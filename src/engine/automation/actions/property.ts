/** `PropertySelector` / `DesiredValues` shared by the wait and assert actions. */
import { JSONPath } from 'jsonpath-plus';
import type { JsonValue } from '../../../model/json.js';
import { inputFailure } from './action.js';

export function desiredValues(value: JsonValue | undefined): string[] {
  if (!Array.isArray(value) || value.length === 0) throw inputFailure('Input DesiredValues must be a non-empty StringList.');
  return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

/**
 * The selected property as strings. A selector matching several values must have all of them desired
 * (UNCONFIRMED, docs/fidelity.md); matching nothing never satisfies.
 */
export function selectedValues(response: JsonValue, selector: string): string[] {
  const found = JSONPath({ path: selector, json: response as object, wrap: true }) as JsonValue[] | undefined;
  return (found ?? []).flatMap((v) => (Array.isArray(v) ? v : [v])).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

export function matchesDesired(values: readonly string[], desired: readonly string[]): boolean {
  return values.length > 0 && values.every((v) => desired.includes(v));
}
