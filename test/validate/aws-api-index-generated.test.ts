import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { awsApiIndexModule, findBotocore, GENERATED_FILE, SHAPED_SERVICES } from '../../scripts/generate-aws-api-index.js';
import { BOTOCORE_VERSION } from '../../src/validate/generated/aws-api-index.js';
import { findSdkService } from '../../src/validate/aws-sdk-models.js';

const botocore = findBotocore();
// The index is generated from botocore's data, which is not an npm package: it can be regenerated and compared only
// where python3 has the botocore release it was generated from (a newer one means: regenerate to pick up new APIs).
const sameSource = botocore?.version === BOTOCORE_VERSION;

describe('the generated AWS API index', () => {
  test.skipIf(!sameSource)(`should be what botocore ${BOTOCORE_VERSION} generates (installed: ${botocore?.version ?? 'none'})`, () => {
    const upToDate = readFileSync(GENERATED_FILE, 'utf8') === awsApiIndexModule(botocore!);
    expect(upToDate, `${GENERATED_FILE} is stale: run npm run generate:aws-api-index`).toBe(true);
  });

  test('should have request shapes for every service the engine checks requests of, and only member lists for others', () => {
    for (const name of SHAPED_SERVICES) {
      const service = findSdkService(name)!;
      expect(service.shapes, name).toBeDefined();
      for (const op of service.operations.values()) expect(op.input, `${name}.${op.name}`).toBeDefined();
    }
    const s3 = findSdkService('s3')!;
    expect(s3.shapes).toBeUndefined();
    expect(s3.operations.get('GetObject')?.required).toEqual(['Bucket', 'Key']);
  });
});
