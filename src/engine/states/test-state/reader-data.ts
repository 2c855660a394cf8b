/**
 * TestState's `stateConfiguration.mapItemReaderData`: "the data read by ItemReader in Distributed Map states as found
 * in its original source" (API_TestStateConfiguration.html), turned into the Map's items as the ItemReader would:
 * a JSON array (`InputType: JSON`, and an S3 listing's `Contents`), or one JSON value per line (`JSONL`).
 */
import type { JsonValue } from '../../../model/json.js';
import { isJsonObject } from '../../../model/json.js';
import type { MapState } from '../../../model/state-machine.js';
import { validation } from './request.js';

export function readerItems(data: string, state: MapState): JsonValue[] {
  const config = isJsonObject(state.ItemReader?.['ReaderConfig']) ? state.ItemReader['ReaderConfig'] : {};
  const inputType = typeof config['InputType'] === 'string' ? config['InputType'] : 'JSON';
  // UNCONFIRMED messages (docs/fidelity.md).
  if (inputType === 'JSONL') {
    return data
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => parse(line));
  }
  if (inputType !== 'JSON') throw validation(`The local engine reads mapItemReaderData of InputType JSON or JSONL, not ${inputType}.`);
  const value = parse(data);
  if (Array.isArray(value)) return value;
  if (isJsonObject(value) && Array.isArray(value['Contents'])) return value['Contents'];
  throw validation('The mapItemReaderData must be a JSON array of the items read.');
}

function parse(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw validation('The mapItemReaderData must be valid JSON.');
  }
}
