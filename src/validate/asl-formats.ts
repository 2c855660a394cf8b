/**
 * The string formats asl-validator 4.0's schemas use, as its `checks/json-schema-errors` registers them with
 * `checkPaths` and `checkArn` on. The generated schema validator (`generated/asl-schema.ts`) calls them by name.
 */
import type * as AjvFormats from 'ajv-formats/dist/formats.js';
import type * as PathValidator from 'asl-path-validator';
import type jsonataModule from 'jsonata';
import { lazyRequire } from '../model/lazy-require.js';

// Loaded at the first validation: the generated validator binds these formats when it is imported, at every start.
const jsonata = lazyRequire<typeof jsonataModule>('jsonata');
const pathValidator = lazyRequire<typeof PathValidator>('asl-path-validator');
const ajvFormats = lazyRequire<typeof AjvFormats>('ajv-formats/dist/formats.js');

/**
 * asl-validator's `asl_arn`, except that the account may be any text: AWS accepts a Task Resource such as
 * `arn:aws:lambda:your-region:your-account-id:function:f` (recorded by TestState, where it validates the definition).
 */
const ARN = /^arn:(?<Partition>aws|aws-cn|aws-us-gov):(?<Service>[^:\n]+):(?<Region>[^:\n]*):(?<AccountID>[^:\n]*):(?<Resource>([^:/*]+([:/].*[^:/]+)?))$/iu;
const isArnFormatValid = (resource: string): boolean => ARN.test(resource);

/** asl-validator's `jsonata_string`: the text between optional `{%` and `%}` parses as JSONata. */
function isJsonataString(value: string): boolean {
  const trimmed = value.trim();
  try {
    let expression = trimmed.startsWith('{%') ? trimmed.slice(2) : trimmed;
    expression = expression.endsWith('%}') ? expression.slice(0, -2) : expression;
    jsonata()(expression);
    return true;
  } catch {
    return false;
  }
}

type PathContext = Parameters<typeof PathValidator.validatePath>[1];

/**
 * asl-path-validator's `registerAll`: one format per path context, named as its `AslPathValidatorConfig.format_names`
 * names them (listed here so that the package loads only when a path is validated; a test compares the two).
 */
export const PATH_FORMAT_NAMES: Readonly<Record<string, string>> = {
  path: 'asl_path',
  reference_path: 'asl_ref_path',
  payload_template: 'asl_payload_template',
  result_path: 'asl_result_path',
};
const pathFormats = Object.fromEntries(
  Object.entries(PATH_FORMAT_NAMES).map(([context, name]) => [name, (path: string) => pathValidator().validatePath(path, context as PathContext).isValid]),
);

/** ajv-formats' `date-time` (RFC 3339 date and time, with a time zone), as a format the validator calls `.validate` on. */
interface ComparableFormat {
  validate(value: string): boolean;
  compare(a: string, b: string): number | undefined;
}
const ajvDateTime = (): ComparableFormat => ajvFormats().fullFormats['date-time'] as ComparableFormat;
const dateTime: ComparableFormat = {
  validate: (value) => ajvDateTime().validate(value),
  compare: (a, b) => ajvDateTime().compare(a, b),
};

export const aslFormats = {
  'date-time': dateTime,
  jsonata_string: isJsonataString,
  asl_arn: isArnFormatValid,
  ...pathFormats,
};
