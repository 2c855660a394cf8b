/**
 * The string formats asl-validator 4.0's schemas use, as its `checks/json-schema-errors` registers them with
 * `checkPaths` and `checkArn` on. The generated schema validator (`generated/asl-schema.ts`) calls them by name.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { AslPathValidatorConfig, validatePath } from 'asl-path-validator';
import jsonata from 'jsonata';

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
    jsonata(expression);
    return true;
  } catch {
    return false;
  }
}

type PathContext = Parameters<typeof validatePath>[1];

/** asl-path-validator's `registerAll`: one format per path context (`asl_path`, `asl_ref_path`, …). */
const pathFormats = Object.fromEntries(
  Object.entries(AslPathValidatorConfig.format_names).map(([context, name]) => [name, (path: string) => validatePath(path, context as PathContext).isValid]),
);

export const aslFormats = {
  'date-time': fullFormats['date-time'],
  jsonata_string: isJsonataString,
  asl_arn: isArnFormatValid,
  ...pathFormats,
};
