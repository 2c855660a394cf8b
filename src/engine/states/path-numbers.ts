/**
 * Numbers that a `...Path` field reads from the state input. AWS parses what the path selects, so a numeric string
 * counts as its number (recorded: MaxConcurrencyPath selecting "1" runs the Map), and words a value it cannot parse in
 * one of two families, each recorded for one field and applied here to all its siblings:
 * - Map fields: 'The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer:
 *   $.ToleratedFailureCount' (also "which is not a valid float" for ToleratedFailurePercentagePath);
 * - seconds: 'The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5' and
 *   'The SecondsPath parameter references a negative value: $.input.waitSeconds == -1'.
 */
import type { JsonValue } from '../../model/json.js';
import { StatesRuntimeError } from '../../errors/states-errors.js';

/** Java's `Long.parseLong`: an optional sign and digits. */
const INTEGER_TEXT = /^[+-]?\d+$/;
/** Java's `Double.parseDouble` for decimal text (surrounding whitespace allowed). */
const FLOAT_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The integer a Map field's path selected, or AWS's error for what is not one. */
export function integerField(value: JsonValue, field: string, path: string): number {
  const number = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new StatesRuntimeError(`The ${field} field refers to value ${quoted(value)} which is not a valid integer: ${path}`);
  }
  return number;
}

/** The number a Map field's path selected (ToleratedFailurePercentagePath), or AWS's error for what is not one. */
export function floatField(value: JsonValue, field: string, path: string): number {
  const number = typeof value === 'string' && FLOAT_TEXT.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new StatesRuntimeError(`The ${field} field refers to value ${quoted(value)} which is not a valid float: ${path}`);
  }
  return number;
}

/** A non-negative number of seconds a path selected (Wait SecondsPath), or AWS's error. */
export function secondsParameter(value: JsonValue, field: string, path: string, options: { positive?: boolean } = {}): number {
  const number = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new StatesRuntimeError(`The ${field} parameter cannot be parsed as a long value: ${path} == ${shown(value)}`);
  }
  if (number < 0) throw new StatesRuntimeError(`The ${field} parameter references a negative value: ${path} == ${number}`);
  // Task TimeoutSecondsPath / HeartbeatSecondsPath: "a positive, non-zero integer" (UNCONFIRMED wording).
  if (options.positive === true && number === 0) throw new StatesRuntimeError(`The ${field} parameter references a non-positive value: ${path} == ${number}`);
  return number;
}

/** A value in the Map family's messages: `"NoNumber"`, `"{}"`, `"1.5"`. */
function quoted(value: JsonValue): string {
  return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value));
}

/** A value in the seconds family's messages: as written, strings bare (`== 1.5`, `== abc`). */
function shown(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
