/**
 * The Choice state: picks the next state from rules (JSONPath comparison operators, or a JSONata `Condition`).
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { ChoiceRule, ChoiceState } from '../../../model/state-machine.js';
import { StatesError, StatesQueryEvaluationError } from '../../../errors/states-errors.js';
import { applyPath, mapPathError } from '../io-processing.js';
import { evaluatePath, pathExists, type PathScope } from '../jsonpath.js';
import { evaluateExpression, isJsonataExpression } from '../jsonata.js';
import { evaluateAssign, evaluateOutput, jsonataScope, pathScope } from '../query.js';
import type { StateHandler, StateOutcome, StateRun } from '../runtime.js';
import { parseTimestamp } from '../timestamps.js';

export const choiceState: StateHandler<ChoiceState> = {
  enteredEvent: 'ChoiceStateEntered',
  exitedEvent: 'ChoiceStateExited',
  retries: false,
  async execute(run: StateRun<ChoiceState>, input: JsonValue): Promise<StateOutcome> {
    const state = run.state;
    if (run.queryLanguage === 'JSONata') {
      for (let i = 0; i < state.Choices.length; i++) {
        const rule = state.Choices[i]!;
        if (await jsonataCondition(run, rule, input, i)) return finishJsonata(run, input, rule.Next ?? '', rule.Assign, rule.Output ?? state.Output);
      }
      if (state.Default === undefined) throw noChoiceMatched(run);
      return finishJsonata(run, input, state.Default, state.Assign, state.Output);
    }
    const effective = applyPath(state.InputPath, pathScope(run, input));
    run.runtime.inspector?.record('afterInputPath', effective);
    const scope = pathScope(run, effective);
    const matched = state.Choices.find((rule) => evaluateRule(rule, scope));
    const next = matched?.Next ?? state.Default;
    if (next === undefined) throw noChoiceMatched(run);
    const assign = await evaluateAssign(run, matched === undefined ? state.Assign : matched.Assign, effective, { input });
    const output = applyPath(state.OutputPath, pathScope(run, effective));
    return assign === undefined ? { output, next } : { output, next, assign };
  },
};

function noChoiceMatched(run: StateRun): StatesError {
  // "States.NoChoiceMatched: a Choice state failed to find a match ... and no Default" (error-handling page).
  return new StatesError('States.NoChoiceMatched', `No Choice Rules matched and no Default was specified for state '${run.name}'.`);
}

async function finishJsonata(
  run: StateRun,
  input: JsonValue,
  next: string,
  assignBlock: ChoiceRule['Assign'],
  outputTemplate: JsonValue | undefined,
): Promise<StateOutcome> {
  const assign = await evaluateAssign(run, assignBlock, input, { input });
  const output = await evaluateOutput(run, outputTemplate, input, { input });
  return assign === undefined ? { output, next } : { output, next, assign };
}

async function jsonataCondition(run: StateRun, rule: ChoiceRule, input: JsonValue, index: number): Promise<boolean> {
  const condition = rule.Condition;
  if (typeof condition === 'boolean') return condition;
  if (!isJsonataExpression(condition)) {
    throw new StatesQueryEvaluationError(`The Condition of choice rule ${index} in state '${run.name}' must be a JSONata expression.`);
  }
  const value = await evaluateExpression(condition, jsonataScope(run, { input }), 'Condition');
  if (typeof value !== 'boolean') {
    throw new StatesQueryEvaluationError(
      `The JSONata expression '${condition.slice(2, -2).trim()}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${jsonType(value)}' for value: ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The AWS name of a JSON value's type in causes ("Expected 'array', but was 'null'"). */
export function jsonType(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

type Comparator = (variable: JsonValue, operand: JsonValue) => boolean;

const isNumber = (v: JsonValue): v is number => typeof v === 'number';
const isString = (v: JsonValue): v is string => typeof v === 'string';

function numeric(test: (a: number, b: number) => boolean): Comparator {
  return (a, b) => isNumber(a) && isNumber(b) && test(a, b);
}

function string(test: (a: string, b: string) => boolean): Comparator {
  return (a, b) => isString(a) && isString(b) && test(a, b);
}

function timestamp(test: (a: number, b: number) => boolean): Comparator {
  return (a, b) => {
    const x = parseTimestamp(a);
    const y = parseTimestamp(b);
    return x !== undefined && y !== undefined && test(x, y);
  };
}

/** `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal (state-choice page). */
function stringMatches(value: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      regex += escapeRegex(pattern[++i]!);
    } else if (c === '*') regex += '[\\s\\S]*';
    else regex += escapeRegex(c);
  }
  return new RegExp(`^${regex}$`).test(value);
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The comparison operators. A value of the wrong type makes the comparison false, not an error (recorded
 * in AWS's choice-operator suites: e.g. `NumericEquals` on a string is false).
 */
const COMPARATORS: Readonly<Record<string, Comparator>> = {
  StringEquals: string((a, b) => a === b),
  StringLessThan: string((a, b) => a < b),
  StringGreaterThan: string((a, b) => a > b),
  StringLessThanEquals: string((a, b) => a <= b),
  StringGreaterThanEquals: string((a, b) => a >= b),
  StringMatches: string((a, b) => stringMatches(a, b)),
  NumericEquals: numeric((a, b) => a === b),
  NumericLessThan: numeric((a, b) => a < b),
  NumericGreaterThan: numeric((a, b) => a > b),
  NumericLessThanEquals: numeric((a, b) => a <= b),
  NumericGreaterThanEquals: numeric((a, b) => a >= b),
  BooleanEquals: (a, b) => typeof a === 'boolean' && typeof b === 'boolean' && a === b,
  TimestampEquals: timestamp((a, b) => a === b),
  TimestampLessThan: timestamp((a, b) => a < b),
  TimestampGreaterThan: timestamp((a, b) => a > b),
  TimestampLessThanEquals: timestamp((a, b) => a <= b),
  TimestampGreaterThanEquals: timestamp((a, b) => a >= b),
};

const TYPE_TESTS: Readonly<Record<string, (value: JsonValue) => boolean>> = {
  IsNull: (v) => v === null,
  IsNumeric: (v) => typeof v === 'number',
  IsString: (v) => typeof v === 'string',
  IsBoolean: (v) => typeof v === 'boolean',
  IsTimestamp: (v) => parseTimestamp(v) !== undefined,
};

/** Evaluates one JSONPath choice rule (Boolean combinators or a comparison). */
export function evaluateRule(rule: ChoiceRule, scope: PathScope): boolean {
  if (rule.And !== undefined) return rule.And.every((r) => evaluateRule(r, scope));
  if (rule.Or !== undefined) return rule.Or.some((r) => evaluateRule(r, scope));
  if (rule.Not !== undefined) return !evaluateRule(rule.Not, scope);
  const variable = rule.Variable;
  if (variable === undefined) return false;
  if (rule['IsPresent'] !== undefined) return pathExists(variable, scope) === rule['IsPresent'];
  const value = select(variable, 'Variable', scope);
  for (const [operator, test] of Object.entries(TYPE_TESTS)) {
    const expected = rule[operator];
    if (expected !== undefined) return test(value) === expected;
  }
  for (const [operator, compare] of Object.entries(COMPARATORS)) {
    if (rule[operator] !== undefined) return compare(value, rule[operator] as JsonValue);
    const pathOperand = rule[`${operator}Path`];
    if (typeof pathOperand === 'string') return compare(value, select(pathOperand, `${operator}Path`, scope));
  }
  return false;
}

function select(path: string, field: string, scope: PathScope): JsonValue {
  try {
    return evaluatePath(path, scope);
  } catch (error) {
    throw mapPathError(error, path, field, scope);
  }
}
