import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { commandDocumentSchema, commandDocumentSchemaModule, GENERATED_FILE } from '../../scripts/generate-command-document-schema.js';

describe('the generated Command document schema validator', () => {
  test('should be what the script, the installed aws-ssm-document-language-service and ajv generate', () => {
    const upToDate = readFileSync(GENERATED_FILE, 'utf8') === commandDocumentSchemaModule();
    expect(upToDate, `${GENERATED_FILE} is stale: run npm run generate:command-document-schema`).toBe(true);
  });

  test('should take its parameter definition from AWS schema, with the six parameter types', () => {
    const schema = commandDocumentSchema() as { properties: { parameters: { patternProperties: Record<string, { properties: { type: { enum: string[] } } }> } } };
    expect(schema.properties.parameters.patternProperties['^.*$']!.properties.type.enum).toEqual(['String', 'StringList', 'Boolean', 'Integer', 'MapList', 'StringMap']);
  });
});
