import { inflateRawSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { findBotocore } from '../../scripts/generate-aws-api-index.js';
import { serviceOutputTexts } from '../../scripts/generate-aws-api-outputs.js';
import { OUTPUTS_BOTOCORE_VERSION, SERVICE_OUTPUTS } from '../../src/validate/generated/aws-api-outputs.js';
import { outputModel } from '../../src/validate/aws-api-outputs.js';

const botocore = findBotocore();
// Generated from botocore's data, which is not an npm package: it can be compared only where python3 has the botocore
// release it was generated from. The deflated bytes depend on the zlib build, so the inflated texts are compared.
const sameSource = botocore?.version === OUTPUTS_BOTOCORE_VERSION;

describe('the generated AWS API response shapes', () => {
  test.skipIf(!sameSource)(`should be what botocore ${OUTPUTS_BOTOCORE_VERSION} generates (installed: ${botocore?.version ?? 'none'})`, () => {
    const committed = SERVICE_OUTPUTS.map(([name, data]) => [name, inflateRawSync(Buffer.from(data, 'base64')).toString('utf8')]);
    const upToDate = JSON.stringify(committed) === JSON.stringify(serviceOutputTexts(botocore!));
    expect(upToDate, 'src/validate/generated/aws-api-outputs.ts is stale: run npm run generate:aws-api-outputs').toBe(true);
  });

  test('should give an operation its response shape with the constraints AWS validates mocked results against', async () => {
    const model = (await outputModel('lambda', 'GetFunction'))!;
    const configuration = model.resolve(model.shape.members!['Configuration']!);
    expect(model.resolve(configuration.members!['MemorySize']!)).toMatchObject({ type: 'integer', min: 128 });
    const invoke = (await outputModel('lambda', 'Invoke'))!;
    expect(invoke.shape.payload).toBe('Payload');
    const start = (await outputModel('stepfunctions', 'StartExecution'))!;
    expect(start.shape.required).toEqual(['executionArn', 'startDate']);
    expect(await outputModel('lambda', 'NoSuchOperation')).toBeUndefined();
    expect(await outputModel('nosuchservice', 'Invoke')).toBeUndefined();
  });
});
