/**
 * Step `outputs` with `Selector` (JSONPath on the action's response, via jsonpath-plus) and `Type`
 * (default String; "Automation tries to convert the data type", aws-semantics §1.4).
 */
import { JSONPath } from 'jsonpath-plus';
import type { JsonValue } from '../../model/json.js';
import type { StepOutput } from '../../model/runbook.js';

/** The selected value, or undefined when the selector matches nothing (the output is then not set). */
export function selectOutput(response: JsonValue, output: StepOutput): JsonValue | undefined {
  const matches = JSONPath({ path: output.Selector, json: response as object, wrap: true }) as JsonValue[] | undefined;
  if (matches === undefined || matches.length === 0) return undefined;
  // A deep scan (`..`) or wildcard always yields a list; a plain path yields its single value.
  const many = output.Selector.includes('..') || output.Selector.includes('*');
  const raw = many ? matches : matches[0]!;
  return convertOutput(raw, output.Type ?? 'String');
}

export function convertOutput(value: JsonValue, type: NonNullable<StepOutput['Type']>): JsonValue {
  switch (type) {
    case 'String':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'Integer': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(n)) throw new Error(`Output value ${JSON.stringify(value)} cannot be converted to Integer.`);
      return n;
    }
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw new Error(`Output value ${JSON.stringify(value)} cannot be converted to Boolean.`);
    case 'StringList':
      return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    case 'StringMap':
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
      throw new Error(`Output value ${JSON.stringify(value)} cannot be converted to StringMap.`);
    case 'MapList':
      if (Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) return value;
      throw new Error(`Output value ${JSON.stringify(value)} cannot be converted to MapList.`);
  }
}
