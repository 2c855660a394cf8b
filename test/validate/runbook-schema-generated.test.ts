import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GENERATED_FILE, runbookSchema, runbookSchemaModule } from '../../scripts/generate-runbook-schema.js';

describe('the generated runbook schema validator', () => {
  test('should be what the installed aws-ssm-document-language-service and ajv generate', () => {
    const upToDate = readFileSync(GENERATED_FILE, 'utf8') === runbookSchemaModule();
    expect(upToDate, `${GENERATED_FILE} is stale: run npm run generate:runbook-schema`).toBe(true);
  });

  // The runtime ajv ignored keywords and formats it did not know; the generator must not, silently.
  test.each([
    ['an unregistered keyword', { type: 'string', markdownDescription: 'x' }, /unknown keyword: "markdownDescription"/],
    ['an unregistered format', { type: 'string', format: 'uri' }, /unknown format "uri"/],
  ])('should fail on %s in the schema', (_name, property, error) => {
    const schema = runbookSchema() as { properties: Record<string, unknown> };
    schema.properties['description'] = property;
    expect(() => runbookSchemaModule(schema)).toThrow(error);
  });
});
