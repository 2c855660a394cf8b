import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { aslSchemaModule, GENERATED_FILE } from '../../scripts/generate-asl-schema.js';

test('should have committed the schema validator that the installed asl-validator and ajv generate', () => {
  const upToDate = readFileSync(GENERATED_FILE, 'utf8') === aslSchemaModule();
  expect(upToDate, `${GENERATED_FILE} is stale: run npm run generate:asl-schema`).toBe(true);
});
