import { describe, expect, test } from 'vitest';
import { createRequire } from 'node:module';
import { aslFormats, PATH_FORMAT_NAMES } from '../../src/validate/asl-formats.js';

const require = createRequire(import.meta.url);

describe('aslFormats', () => {
  test("should name the path formats as asl-path-validator's registerAll does", () => {
    const { AslPathValidatorConfig } = require('asl-path-validator') as { AslPathValidatorConfig: { format_names: Record<string, string> } };
    expect(PATH_FORMAT_NAMES).toEqual(AslPathValidatorConfig.format_names);
  });

  test('should check paths, JSONata, ARNs and date-times through the packages loaded on first use', () => {
    // The path formats are made from PATH_FORMAT_NAMES, so their keys are not in the static type.
    const paths = aslFormats as unknown as Record<string, (path: string) => boolean>;
    expect(paths['asl_path']!('$.a.b')).toBe(true);
    expect(paths['asl_path']!('a.b')).toBe(false);
    expect(paths['asl_ref_path']!('$.a[0]')).toBe(true);
    expect(paths['asl_ref_path']!('$..a')).toBe(false);
    expect(aslFormats.jsonata_string('{% $x + 1 %}')).toBe(true);
    expect(aslFormats.jsonata_string('{% $x + %}')).toBe(false);
    expect(aslFormats.asl_arn('arn:aws:lambda:us-east-1:123456789012:function:f')).toBe(true);
    expect(aslFormats['date-time'].validate('2026-12-07T14:00:00Z')).toBe(true);
    expect(aslFormats['date-time'].validate('2026-12-07 14:00')).toBe(false);
    expect(aslFormats['date-time'].compare('2026-12-07T14:00:00Z', '2026-12-07T15:00:00Z')).toBeLessThan(0);
  });
});
