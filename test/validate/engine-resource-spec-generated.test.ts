import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { engineResourceSpecModule, GENERATED_FILE } from '../../scripts/generate-engine-resource-spec.js';

test('should have committed the engine resource spec that the installed database and RESOURCE_PROVIDERS generate', () => {
  const upToDate = readFileSync(GENERATED_FILE, 'utf8') === engineResourceSpecModule();
  expect(upToDate, `${GENERATED_FILE} is stale: run npm run generate:engine-spec`).toBe(true);
});
