/**
 * Input and output processing of the JSONPath query language: InputPath, Parameters/ItemSelector/ResultSelector
 * payload templates (`.$` keys), ResultPath and OutputPath, with AWS's `States.Runtime` causes.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
 */
import type { JsonValue } from '../../model/json.js';
import { StatesError, StatesRuntimeError } from '../../errors/states-errors.js';
import {
  NoSuchPathError,
  NoSuchVariableError,
  ResultPathError,
  evaluatePath,
  normalizedPath,
  setAtPath,
  type PathScope,
} from './jsonpath.js';
import { evaluateIntrinsic, isIntrinsic, type IntrinsicEnv } from './intrinsics.js';

/** InputPath / OutputPath: `null` yields `{}`; a path that selects nothing is a States.Runtime error. */
export function applyPath(path: string | null | undefined, scope: PathScope): JsonValue {
  if (path === undefined) return scope.input;
  if (path === null) return {};
  try {
    return evaluatePath(path, scope);
  } catch (error) {
    if (error instanceof NoSuchPathError) {
      // Cause text as AWS words it for InputPath/OutputPath (recorded in test_invalid_jsonpath).
      throw new StatesRuntimeError(`Invalid path '${path}' : No results for path: ${normalizedPath(path)}`);
    }
    throw mapPathError(error, path, path, scope);
  }
}

/** Turns a failed path lookup in field `field` into the States.Runtime cause AWS reports. */
export function mapPathError(error: unknown, path: string, field: string, scope: PathScope): unknown {
  if (error instanceof NoSuchPathError) {
    const data = path.startsWith('$$') ? scope.context : scope.input;
    return new StatesRuntimeError(
      `The JSONPath '${path}' specified for the field '${field}' could not be found in the input '${JSON.stringify(data)}'`,
    );
  }
  if (error instanceof NoSuchVariableError) {
    return new StatesRuntimeError(`The variable '$${error.variable}' specified for the field '${field}' is not defined.`);
  }
  return error;
}

/** Evaluates one `.$` value: an intrinsic function call or a path. */
export function evaluateDynamic(expression: string, field: string, scope: PathScope, env: IntrinsicEnv): JsonValue {
  try {
    return isIntrinsic(expression) ? evaluateIntrinsic(expression, scope, env) : evaluatePath(expression, scope);
  } catch (error) {
    if (error instanceof StatesError) throw error;
    throw mapPathError(error, expression, field, scope);
  }
}

/**
 * A payload template (Parameters, ItemSelector, ResultSelector, JSONPath Assign): keys ending in `.$` are
 * replaced by the value of their path or intrinsic, recursively; other values are copied as they are.
 */
export function applyPayloadTemplate(template: JsonValue, scope: PathScope, env: IntrinsicEnv): JsonValue {
  if (template === null || typeof template !== 'object') return template;
  if (Array.isArray(template)) return template.map((item) => applyPayloadTemplate(item, scope, env));
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(template)) {
    const value = template[key]!;
    if (key.endsWith('.$') && typeof value === 'string') {
      out[key.slice(0, -2)] = evaluateDynamic(value, key, scope, env);
    } else {
      out[key] = applyPayloadTemplate(value, scope, env);
    }
  }
  return out;
}

/** ResultPath: absent → the result replaces the input; `null` → the input is kept; else the result is placed. */
export function applyResultPath(path: string | null | undefined, input: JsonValue, result: JsonValue): JsonValue {
  if (path === undefined || path === '$') return result;
  if (path === null) return input;
  try {
    return setAtPath(input, path, result);
  } catch (error) {
    if (error instanceof ResultPathError) {
      // "States.ResultPathMatchFailure: a state's ResultPath field cannot be applied to the input" (error-handling page).
      throw new StatesError(
        'States.ResultPathMatchFailure',
        `Unable to apply ResultPath "${path}" to input "${JSON.stringify(input)}"`,
      );
    }
    throw error;
  }
}
