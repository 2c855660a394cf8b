/**
 * `aws:branch`: the first true choice names the next step; none → `Default`; no `Default` → the next step in the
 * runbook (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-branch.html, aws-semantics §5).
 * `StringEquals` is case-sensitive (`EqualsIgnoreCase` exists for the other case).
 */
import type { JsonObject, JsonValue } from '../../../model/json.js';
import { isJsonObject } from '../../../model/json.js';
import type { ActionHandler } from './action.js';
import { inputFailure } from './action.js';

type Operator = (variable: JsonValue, operand: JsonValue) => boolean;

const text = (v: JsonValue): string => (typeof v === 'string' ? v : JSON.stringify(v));
const num = (v: JsonValue): number => {
  const n = typeof v === 'number' ? v : Number(v);
  if (typeof v === 'boolean' || v === null || Number.isNaN(n)) throw inputFailure(`Branch value ${JSON.stringify(v)} is not a number.`);
  return n;
};

/** Comparison operators, one entry each (registry, not a switch). */
export const BRANCH_OPERATORS = {
  StringEquals: (v, o) => text(v) === text(o),
  EqualsIgnoreCase: (v, o) => text(v).toLowerCase() === text(o).toLowerCase(),
  StartsWith: (v, o) => text(v).startsWith(text(o)),
  EndsWith: (v, o) => text(v).endsWith(text(o)),
  Contains: (v, o) => (Array.isArray(v) ? v.some((item) => text(item) === text(o)) : text(v).includes(text(o))),
  NumericEquals: (v, o) => num(v) === num(o),
  NumericGreater: (v, o) => num(v) > num(o),
  NumericLesser: (v, o) => num(v) < num(o),
  NumericGreaterOrEquals: (v, o) => num(v) >= num(o),
  NumericLesserOrEquals: (v, o) => num(v) <= num(o),
  BooleanEquals: (v, o) => (v === true || v === 'true') === (o === true || o === 'true'),
} as const satisfies Record<string, Operator>;

function evaluate(choice: JsonObject): boolean {
  if (Array.isArray(choice['And'])) return choice['And'].every((c) => evaluate(asChoice(c)));
  if (Array.isArray(choice['Or'])) return choice['Or'].some((c) => evaluate(asChoice(c)));
  if (choice['Not'] !== undefined) return !evaluate(asChoice(choice['Not']));
  const variable = choice['Variable'];
  if (variable === undefined) throw inputFailure('A branch choice needs Variable, And, Or or Not.');
  const ops = Object.keys(choice).filter((k) => k !== 'Variable' && k !== 'NextStep');
  if (ops.length !== 1) throw inputFailure(`A branch choice needs exactly one operator; got [${ops.join(', ')}].`);
  const op = ops[0]!;
  const fn = (BRANCH_OPERATORS as Record<string, Operator>)[op];
  if (fn === undefined) throw inputFailure(`Branch operator ${op} is not supported.`);
  return fn(variable, choice[op]!);
}

function asChoice(value: JsonValue): JsonObject {
  if (!isJsonObject(value)) throw inputFailure('A branch choice must be an object.');
  return value;
}

export const branchAction: ActionHandler = async (ctx) => {
  const choices = ctx.inputs['Choices'];
  if (!Array.isArray(choices)) throw inputFailure('Input Choices must be a list.');
  for (const raw of choices) {
    const choice = asChoice(raw);
    if (evaluate(choice)) {
      if (typeof choice['NextStep'] !== 'string') throw inputFailure('A top-level branch choice needs NextStep.');
      return { status: 'Success', nextStep: choice['NextStep'] };
    }
  }
  const fallback = ctx.inputs['Default'];
  return typeof fallback === 'string' ? { status: 'Success', nextStep: fallback } : { status: 'Success' };
};
