/**
 * `aslValidator` must answer exactly what asl-validator 4.0 itself answers (its errors, the QueryLanguage it writes
 * into the definition, the TypeError it throws on a state it cannot walk). asl-validator compiles its schemas on
 * every call (~80 ms), so the corpus is sampled and the broken variants are a bounded, seeded fuzz.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { jsonEdit, withEdits } from '../helpers/json-edits.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import { aslValidator, aslValidatorInSlices } from '../../src/validate/asl-validator.js';
import { loadCases } from '../conformance/asl-cases.js';

const reference = createRequire(import.meta.url)('asl-validator') as (definition: unknown, options: { checkPaths: boolean; checkArn: boolean }) => { errors: unknown[] };

function outcome(validate: (definition: JsonObject) => unknown[], definition: JsonObject) {
  const copy = structuredClone(definition);
  try {
    return { errors: validate(copy), definition: copy };
  } catch (error) {
    return { threw: String(error) };
  }
}

function expectSameAsAslValidator(definition: JsonObject): void {
  expect(outcome(aslValidator, definition)).toEqual(outcome((d) => reference(d, { checkPaths: true, checkArn: true }).errors, definition));
}

const definitionFiles = ['../../state-machines/', '../fixtures/state-machines/'].flatMap((dir) => {
  const url = new URL(dir, import.meta.url);
  return readdirSync(url)
    .filter((f) => f.endsWith('.asl.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, url), 'utf8')) as JsonObject);
});
const sampledCases = loadCases()
  .filter((_, i) => i % 25 === 0)
  .map((c) => c.definition as unknown as JsonObject);
const processor = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const one = (state: JsonObject, extra: JsonObject = {}): JsonObject => ({ StartAt: 'A', States: { A: { ...state, ...extra } } });
const task = (extra: JsonObject) => one({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:listStateMachines', End: true }, extra);
const map = (extra: JsonObject) => one({ Type: 'Map', ItemProcessor: processor, End: true }, extra);
/** Definitions that each of asl-validator's checks and formats rejects. */
const broken: JsonObject[] = [
  task({ TimeoutSeconds: 5, TimeoutSecondsPath: '$.t' }),
  task({ HeartbeatSeconds: 5, HeartbeatSecondsPath: '$.h' }),
  task({ Resource: 'arn:aws:nope' }),
  map({ Iterator: processor }),
  map({ ItemSelector: {}, Parameters: {} }),
  map({ ToleratedFailureCount: 1, ToleratedFailureCountPath: '$.c' }),
  map({ ToleratedFailurePercentage: 1, ToleratedFailurePercentagePath: '$.p' }),
  map({ MaxConcurrency: 1, MaxConcurrencyPath: '$.m' }),
  map({ Items: [], ItemsPath: '$.i' }),
  map({ ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { MaxItems: 1, MaxItemsPath: '$.m' } } }),
  map({ ItemBatcher: { MaxItemsPerBatch: 1, MaxItemsPerBatchPath: '$.b' } }),
  map({ ItemBatcher: { MaxInputBytesPerBatch: 1, MaxInputBytesPerBatchPath: '$.b' } }),
  one({ Type: 'Wait', Seconds: 1, Timestamp: '2024-01-01T00:00:00Z', End: true }),
  one({ Type: 'Wait', Timestamp: 'not-a-date', End: true }),
  one({ Type: 'Fail', Cause: 'c', CausePath: '$.c' }),
  one({ Type: 'Fail', Error: 'e', ErrorPath: '$.e' }),
  one({ Type: 'Pass', End: true, Next: 'A' }),
  one({ Type: 'Pass' }),
  one({ Type: 'Pass', End: true, Parameters: { a: 1, 'a.$': '$.a' } }),
  one({ Type: 'Pass', End: true, ResultPath: '$.a[' }),
  one({ Type: 'Pass', End: true, InputPath: '$.a.length()' }),
  one({ Type: 'Pass', End: true, ResultPath: '$x' }),
  one({ Type: 'Pass', End: true, Output: '{% $$$ ( %}', QueryLanguage: 'JSONata' }),
  { StartAt: 'A', States: { A: { Type: 'Pass', End: true }, B: { Type: 'Succeed' } } },
  { StartAt: 'A', States: { A: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } }], End: true }, B: { Type: 'Succeed' } } },
  one({ Type: 'Pass', Next: 'A' }),
];
const corpus = [...definitionFiles, ...sampledCases, ...broken];

/** Every object in a definition (states, branches, payload templates…), the places an edit can land. */
const KEYS = ['Type', 'Next', 'End', 'StartAt', 'States', 'Default', 'Comment', 'QueryLanguage', 'InputPath', 'OutputPath', 'ResultPath', 'Parameters', 'ResultSelector', 'Resource', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'Seconds', 'Timestamp', 'TimestampPath', 'ItemsPath', 'ItemProcessor', 'Iterator', 'MaxConcurrency', 'ToleratedFailurePercentage', 'Output', 'Assign', 'Arguments', 'Condition', 'Variable', 'StringEquals', 'ErrorEquals', 'Error', 'Cause', 'Unknown', 'a.$'];
const VALUES: JsonValue[] = [null, true, 0, -1, 1.5, 'x', '', 'Nowhere', 'Pass', 'Succeed', 'Task', 'Map', 'JSONata', 'JSONPath', '$', '$.a', '$.a[', '$$.Execution.Id', '$.a.length()', 'States.Format($.a)', '$x', '{% $states.input %}', '{% $$$ ( %}', '2024-01-01T00:00:00Z', 'not-a-date', 'arn:aws:lambda:us-east-1:123456789012:function:f', 'arn:aws:nope', {}, [], { 'a.$': '$.a', a: 1 }, ['States.ALL']];

const edit = jsonEdit(KEYS, VALUES);

describe('aslValidator', () => {
  test.each(corpus.map((definition, i) => [i, definition] as const))('should answer as asl-validator on corpus definition %i', (_, definition) => {
    expectSameAsAslValidator(definition);
  });

  test('should answer as asl-validator on broken variants of the corpus', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.array(edit, { minLength: 1, maxLength: 3 }), (base, edits) => {
        const definition = withEdits(base, edits);
        expectSameAsAslValidator(definition);
      }),
      { numRuns: 120, seed: 20240715, interruptAfterTimeLimit: 15_000 },
    );
  });

  test('should answer as asl-validator on nested Parallel and Map definitions, broken at any level', () => {
    // asl-validator's own time doubles per level, so the comparison stays shallow; the bench measures deep ones.
    const nest = (depth: number, kind: 'Parallel' | 'Map', broken: number): JsonObject => {
      let inner: JsonObject = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
      for (let i = 0; i < depth; i++) {
        const state: JsonObject = kind === 'Parallel' ? { Type: 'Parallel', Branches: [inner], End: true } : { Type: 'Map', ItemProcessor: inner, End: true };
        if (i === broken) Object.assign(state, { Next: 'Nowhere', ResultPath: '$.a[' });
        inner = { StartAt: `S${i}`, States: { [`S${i}`]: state } };
      }
      return inner;
    };
    for (const kind of ['Parallel', 'Map'] as const) {
      for (const broken of [-1, 0, 2, 4]) expectSameAsAslValidator(nest(5, kind, broken));
    }
  });

  test('should find an error at the bottom of a 60-level nested definition', () => {
    let inner: JsonObject = { StartAt: 'P', States: { P: { Type: 'Pass', ResultPath: '$.a[', End: true } } };
    for (let i = 0; i < 60; i++) inner = { StartAt: `S${i}`, States: { [`S${i}`]: { Type: 'Parallel', Branches: [inner], End: true } } };
    const errors = aslValidator(structuredClone(inner));
    const state = `${Array.from({ length: 60 }, (_, i) => `/States/S${59 - i}/Branches/0`).join('')}/States/P`;
    // The deepest errors only, as asl-validator reports them (the bad path, and the Type the other state types want).
    expect(errors.map((e) => [e.schemaError?.instancePath, e.Message.slice(e.Message.indexOf(' is invalid'))])).toEqual([
      [`${state}/ResultPath`, ' is invalid. must match format "asl_result_path"'],
      [`${state}/Type`, ' is invalid. must be equal to one of the allowed values'],
    ]);
  });

  test('should answer the same in slices as in one piece, pausing between states', async () => {
    let pauses = 0;
    const pause = (): Promise<void> => {
      pauses++;
      return Promise.resolve();
    };
    const variants = fc.sample(fc.tuple(fc.constantFrom(...corpus), fc.array(edit, { minLength: 1, maxLength: 3 })), { numRuns: 60, seed: 20261207 });
    for (const definition of [...corpus, ...variants.map(([base, edits]) => withEdits(base, edits))]) {
      const whole = outcome(aslValidator, definition);
      const copy = structuredClone(definition);
      let sliced: unknown;
      try {
        sliced = { errors: await aslValidatorInSlices(copy, pause, pause), definition: copy };
      } catch (error) {
        sliced = { threw: String(error) };
      }
      expect(sliced).toEqual(whole);
    }
    expect(pauses).toBeGreaterThan(corpus.length);
  });
});
