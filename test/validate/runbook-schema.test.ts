/**
 * The runbook schema validator generated at build time (src/validate/generated/runbook-schema.ts) must answer
 * exactly what ajv answered when src/validate/runbook.ts compiled the schema at run time, with the same options:
 * the same validity and the same errors (instancePath, schemaPath, keyword, params, message), from which
 * runbook.ts derives its SchemaViolation issues. Compared on every runbook the repository has, the original
 * sample's, and a seeded fuzz of broken variants of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { jsonEdit, objectsOf, withEdits } from '../helpers/json-edits.js';
import type { ErrorObject } from 'ajv';
import { RUNBOOK_AJV_OPTIONS, runbookSchema } from '../../scripts/generate-runbook-schema.js';
import { buildRunbook } from '../../src/definitions/runbooks.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import { parseJsonOrYaml } from '../../src/validate/cfn-yaml.js';
import { validateRunbookSchema } from '../../src/validate/generated/runbook-schema.js';
import { parseRunbookContent } from '../../src/validate/runbook.js';

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

// What runbook.ts did before the schema was precompiled: ajv compiling the patched schema at run time.
const { Ajv } = createRequire(new URL('../../src/validate/runbook.ts', import.meta.url))('ajv') as typeof import('ajv');
const runtimeCompiled: Validate = new Ajv({ ...RUNBOOK_AJV_OPTIONS, logger: false }).compile(runbookSchema());
const precompiled: Validate = validateRunbookSchema;

function outcome(validate: Validate, doc: unknown) {
  const valid = validate(doc);
  return { valid, errors: valid ? null : structuredClone(validate.errors) };
}

let invalid = 0;
function expectSameAsRuntimeAjv(doc: JsonValue): void {
  const expected = outcome(runtimeCompiled, doc);
  if (!expected.valid) invalid++;
  expect(outcome(precompiled, doc)).toStrictEqual(expected);
}

const root = new URL('../../', import.meta.url);
const filesIn = (dir: string, pattern: RegExp) => {
  const url = new URL(dir, root);
  return readdirSync(url)
    .filter((f) => pattern.test(f))
    .map((f) => readFileSync(new URL(f, url), 'utf8'));
};
/** The Automation documents a template embeds. */
const embedded = (template: unknown): JsonObject[] =>
  Object.values((template as { Resources: Record<string, { Type: string; Properties?: JsonObject }> }).Resources)
    .filter((r) => r.Type === 'AWS::SSM::Document' && r.Properties?.['DocumentType'] === 'Automation')
    .map((r) => r.Properties!['Content'] as JsonObject);

const originalSample = embedded(JSON.parse(readFileSync(new URL('test/fixtures/original-sample/original-sample.cfn.json', root), 'utf8')));
const corpus: JsonValue[] = [
  ...filesIn('runbooks/', /\.json$/).map((text) => JSON.parse(text) as JsonObject),
  ...filesIn('test/fixtures/runbooks/', /\.(json|ya?ml)$/).map((text) => parseRunbookContent(text) as JsonObject),
  ...filesIn('cloudformation/', /\.cfn\.json$/).flatMap((text) => embedded(JSON.parse(text))),
  ...filesIn('test/fixtures/templates/', /\.ya?ml$/).flatMap((text) => embedded(parseJsonOrYaml(text))),
  buildRunbook('InstanceIds') as unknown as JsonObject,
  buildRunbook('Targets') as unknown as JsonObject,
  // As in the sample's template (assumeRole a Fn::GetAtt), and as CloudFormation hands it to SSM.
  ...originalSample,
  ...originalSample.map((doc) => ({ ...doc, assumeRole: 'arn:aws:iam::123456789012:role/sync-run-shell-script-role' })),
  // Lengths, where ajv counts code points (its ucs2length helper): 100 emoji are 200 UTF-16 units, 12 are 24.
  {
    schemaVersion: '0.3',
    mainSteps: [
      { name: 'Stack', action: 'aws:createStack', onCancel: 'step:Wait', inputs: { StackName: '\u{1F600}'.repeat(100), RoleARN: '\u{1F600}'.repeat(12), TemplateBody: '{}' } },
      { name: 'Wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' }, isEnd: true },
    ],
    files: { 'a.zip': { checksums: { sha256: 'ab'.repeat(32) } } },
  },
  // Not documents at all.
  null,
  'schemaVersion: "0.3"',
  [],
  {},
];

/** Every object in a document (steps, inputs, parameters, outputs…), the places an edit can land. */
const KEYS = [
  ...['schemaVersion', 'description', 'assumeRole', 'parameters', 'mainSteps', 'outputs', 'files', 'Unknown'],
  ...['name', 'action', 'inputs', 'onFailure', 'onCancel', 'isEnd', 'isCritical', 'nextStep', 'maxAttempts', 'timeoutSeconds'],
  ...['type', 'default', 'allowedValues', 'allowedPattern', 'minItems', 'maxItems', 'displayType', 'Name', 'Selector', 'Type'],
  ...['StackName', 'RoleARN', 'ClientRequestToken', 'sha256', 'checksums'],
  ...['Service', 'Api', 'DocumentName', 'Parameters', 'InstanceIds', 'Targets', 'Choices', 'Default', 'NextStep', 'Variable', 'StringEquals', 'Duration', 'PropertySelector', 'DesiredValues'],
];
const VALUES: JsonValue[] = [
  ...[null, true, 'true', 0, -1, 1.5, 2 ** 40, '', 'x', '0.3', '2.2'],
  ...['aws:runCommand', 'aws:executeAwsApi', 'aws:branch', 'aws:sleep', 'aws:approve', 'aws:executeScript', 'aws:createStack', 'aws:nope'],
  ...['Abort', 'Continue', 'step:A', 'step:', 'step:a b', '{{ x }}', '{{x.y}}', 'String', 'StringList', 'Integer', 'MapList', 'StringMap', 'PT1S'],
  ...['x'.repeat(300), '\u{1F600}'.repeat(12), '\u{1F600}'.repeat(100), 'ab'.repeat(32)],
  ...[{}, [], ['a'], [{}], [1], { Name: 'o', Selector: '$.x', Type: 'String' }, { Key: 'k', Values: ['v'] }],
];

const edit = jsonEdit(KEYS, VALUES);

describe('the precompiled runbook schema', () => {
  test.each(corpus.map((doc, i) => [i, doc] as const))('should answer as the runtime-compiled schema on corpus document %i', (_, doc) => {
    expectSameAsRuntimeAjv(doc);
  });

  test('should answer as the runtime-compiled schema on broken variants of the corpus', () => {
    const before = invalid;
    const documents = corpus.filter((doc) => objectsOf(doc).length > 0);
    fc.assert(
      fc.property(fc.constantFrom(...documents), fc.array(edit, { minLength: 1, maxLength: 4 }), (base, edits) => {
        const doc = withEdits(base, edits);
        expectSameAsRuntimeAjv(doc);
      }),
      { numRuns: 400, seed: 20250218 },
    );
    // Most variants are schema violations, so the comparison compares errors, not just `true`.
    expect(invalid - before).toBeGreaterThan(200);
  });
});
