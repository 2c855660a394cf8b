/**
 * Query-language helpers shared by the state types: building the JSONPath and JSONata scopes of a state,
 * and evaluating `Assign` and `Output` in either language.
 * https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 */
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { PathScope, VariableLookup } from './jsonpath.js';
import type { IntrinsicEnv } from './intrinsics.js';
import { applyPath, applyPayloadTemplate, applyResultPath } from './io-processing.js';
import { evaluateTemplate, isJsonataExpression, evaluateExpression, type JsonataScope, type StatesVariable } from './jsonata.js';
import type { StateOutcome, StateRun } from './runtime.js';

/** The JSONPath scope of a state: `$` is `input`, `$$` the context object, `$name` the variables. */
export function pathScope(run: StateRun, input: JsonValue): PathScope {
  return new StatePathScope(run, input);
}

/** The context object is built only when a path reads `$$`. */
class StatePathScope implements PathScope {
  #context: JsonValue | undefined;
  readonly variables: VariableLookup;
  constructor(
    private readonly run: StateRun,
    readonly input: JsonValue,
  ) {
    this.variables = run.frame.variables;
  }
  get context(): JsonValue {
    this.#context ??= this.run.context();
    return this.#context;
  }
}

export function intrinsicEnv(run: StateRun): IntrinsicEnv {
  return { uuid: () => run.runtime.ids.uuid() };
}

/** `$states` plus variables, clock and ids for a JSONata evaluation. */
export function jsonataScope(run: StateRun, states: Omit<StatesVariable, 'context'>): JsonataScope {
  return {
    states: { ...states, context: run.context() },
    variables: run.frame.variables.all(),
    now: () => run.runtime.clock.now(),
    uuid: () => run.runtime.ids.uuid(),
  };
}

/**
 * Evaluates an `Assign` block. JSONPath: `.$` keys select from `pathInput` (the state result, or the input of
 * states without one). JSONata: every `{% %}` value sees `$states`.
 */
export async function evaluateAssign(
  run: StateRun,
  assign: JsonObject | undefined,
  pathInput: JsonValue,
  states: Omit<StatesVariable, 'context'>,
): Promise<Record<string, JsonValue> | undefined> {
  if (assign === undefined) return undefined;
  if (run.queryLanguage === 'JSONata') {
    const scope = jsonataScope(run, states);
    const out: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(assign)) out[key] = await evaluateTemplate(value, scope, `Assign/${key}`);
    return out;
  }
  return applyPayloadTemplate(assign, pathScope(run, pathInput), intrinsicEnv(run)) as Record<string, JsonValue>;
}

/** JSONata `Output`; when absent the state's output is `fallback`. */
export async function evaluateOutput(
  run: StateRun,
  output: JsonValue | undefined,
  fallback: JsonValue,
  states: Omit<StatesVariable, 'context'>,
): Promise<JsonValue> {
  if (output === undefined) return fallback;
  return evaluateTemplate(output, jsonataScope(run, states), 'Output');
}

/** Evaluates a JSONata field that may be a literal or a `{% %}` expression (e.g. Seconds, TimeoutSeconds). */
export async function evaluateJsonataField(
  run: StateRun,
  value: JsonValue,
  field: string,
  states: Omit<StatesVariable, 'context'>,
): Promise<JsonValue> {
  if (!isJsonataExpression(value)) return value;
  return evaluateExpression(value, jsonataScope(run, states), field);
}

/** The fields that shape the output of a state that produced a result (Task, Map, Parallel). */
interface ResultFields {
  readonly Assign?: JsonObject;
  readonly Output?: JsonValue;
  readonly ResultSelector?: JsonValue;
  readonly ResultPath?: string | null;
  readonly OutputPath?: string | null;
}

/**
 * A state's outcome from its effective input and its result, in the order AWS applies the fields: JSONata
 * `Assign` then `Output`; JSONPath `Assign`, `ResultSelector`, `ResultPath`, `OutputPath`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html).
 */
export async function resultOutcome(run: StateRun, fields: ResultFields, input: JsonValue, result: JsonValue, next: string | undefined): Promise<StateOutcome> {
  if (run.queryLanguage === 'JSONata') {
    const states = { input, result };
    const assign = await evaluateAssign(run, fields.Assign, result, states);
    const output = await evaluateOutput(run, fields.Output, result, states);
    return assign === undefined ? { output, next } : { output, next, assign };
  }
  const assign = await evaluateAssign(run, fields.Assign, result, { input, result });
  const selected = fields.ResultSelector === undefined ? result : applyPayloadTemplate(fields.ResultSelector, pathScope(run, result), intrinsicEnv(run));
  const combined = applyResultPath(fields.ResultPath, input, selected);
  run.runtime.inspector?.record('afterResultSelector', selected);
  run.runtime.inspector?.record('afterResultPath', combined);
  const output = applyPath(fields.OutputPath, pathScope(run, combined));
  return assign === undefined ? { output, next } : { output, next, assign };
}
