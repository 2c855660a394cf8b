/**
 * Template parameters: the values a request gives (or a stack had before, `UsePreviousValue`), checked against
 * their declarations as CloudFormation checks them (CloudFormation User Guide, Parameters).
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { validationError } from './intrinsics.js';

export type ParameterInput = { ParameterKey?: string; ParameterValue?: string; UsePreviousValue?: boolean };

/** `raw`: the strings a stack shows; `values`: what `Ref` returns (lists for list types). */
export type ResolvedParameters = { raw: Record<string, string>; values: Record<string, JsonValue> };

/** The names of the parameters whose values are shown as asterisks (NoEcho). */
export function noEchoParameters(template: JsonObject): Set<string> {
  const declared = isJsonObject(template['Parameters']) ? template['Parameters'] : {};
  return new Set(Object.entries(declared).filter(([, d]) => isJsonObject(d) && (d['NoEcho'] === true || d['NoEcho'] === 'true')).map(([name]) => name));
}


export function resolveParameters(
  template: JsonObject,
  given: readonly ParameterInput[],
  previous: Readonly<Record<string, string>> | undefined,
): ResolvedParameters {
  const declared = isJsonObject(template['Parameters']) ? template['Parameters'] : {};
  const raw: Record<string, string> = {};
  const values: Record<string, JsonValue> = {};
  const missing: string[] = [];
  for (const p of given) {
    if (p.ParameterKey === undefined || !Object.hasOwn(declared, p.ParameterKey)) {
      throw validationError(`Parameters: [${p.ParameterKey ?? 'null'}] do not exist in the template`);
    }
  }
  for (const [name, rawDef] of Object.entries(declared)) {
    const def = isJsonObject(rawDef) ? rawDef : {};
    const input = given.find((p) => p.ParameterKey === name);
    let value: string | undefined;
    if (input?.UsePreviousValue === true) value = previous?.[name];
    else if (input?.ParameterValue !== undefined) value = input.ParameterValue;
    else if (def['Default'] !== undefined) value = String(def['Default']);
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    const type = String(def['Type'] ?? 'String');
    if (type.startsWith('AWS::SSM::Parameter::Value')) {
      throw validationError(`Parameter '${name}' has type ${type}; Parameter Store lookups are not supported by the shellstep local engine.`);
    }
    if (typeof def['AllowedPattern'] === 'string' && !new RegExp(`^(?:${def['AllowedPattern']})$`).test(value)) {
      throw validationError(`Parameter '${name}' must match pattern ${def['AllowedPattern']}`);
    }
    if (Array.isArray(def['AllowedValues']) && !def['AllowedValues'].map(String).includes(value)) {
      throw validationError(`Parameter '${name}' must be one of AllowedValues`);
    }
    if (typeof def['MaxLength'] === 'number' && value.length > def['MaxLength']) {
      throw validationError(`Parameter '${name}' must contain at most ${def['MaxLength']} characters`);
    }
    if (typeof def['MinLength'] === 'number' && value.length < def['MinLength']) {
      throw validationError(`Parameter '${name}' must contain at least ${def['MinLength']} characters`);
    }
    if (type === 'Number' && Number.isNaN(Number(value))) throw validationError(`Parameter '${name}' must be a number`);
    raw[name] = value;
    values[name] = type === 'CommaDelimitedList' || type.startsWith('List<') ? value.split(',').map((v) => v.trim()) : value;
  }
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
  return { raw, values };
}



