/**
 * How a value reaches a runbook parameter. StartAutomationExecution `Parameters` is
 * `map<string, list<string>>`: every value is a list (≤ 50 items) of strings of 1..512 characters
 * (botocore ssm model, aws-semantics §3), so scalars are wrapped in a one-item list.
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAutomationExecution.html#systemsmanager-StartAutomationExecution-request-Parameters
 */
import { Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ShellStepValidationError } from '../errors.js';

export const MAX_LIST_ITEMS = 50;
export const MAX_VALUE_LENGTH = 512;

const JSONATA_EXPRESSION = /^\{%[\s\S]*%\}$/;

export function isJsonataExpression(value: string): boolean {
  return JSONATA_EXPRESSION.test(value);
}

/**
 * A scalar as a one-item list. In JSONPath a `JsonPath.stringAt()` token becomes `States.Array(<path>)`
 * (a JSONPath token cannot sit inside a literal list); in JSONata `["{% expr %}"]` evaluates to a list.
 */
export function listOf(value: string, queryLanguage: sfn.QueryLanguage): unknown {
  if (queryLanguage === sfn.QueryLanguage.JSON_PATH && sfn.JsonPath.isEncodedJsonPath(value)) return sfn.JsonPath.array(value);
  return [value];
}

/** A value read from the state input: `$.x` in JSONPath, `{% … %}` in JSONata. */
export function fromInput(pathOrExpression: string, queryLanguage: sfn.QueryLanguage, what: string, key: string): unknown {
  if (queryLanguage === sfn.QueryLanguage.JSONATA) {
    if (!isJsonataExpression(pathOrExpression)) {
      throw new ShellStepValidationError(
        `${what} in a JSONata state must be a JSONata expression such as '{% $states.input.${key} %}'; got '${pathOrExpression}'.`,
      );
    }
    return pathOrExpression;
  }
  if (!pathOrExpression.startsWith('$')) {
    throw new ShellStepValidationError(
      `${what} in a JSONPath state must be a JSONPath starting with '$', such as '$.${key}'; got '${pathOrExpression}'.`,
    );
  }
  return sfn.JsonPath.listAt(pathOrExpression);
}

/** Checks a static scalar against the parameter value limits, with the prop's name in the message. */
export function checkValue(prop: string, value: string, maxLength = MAX_VALUE_LENGTH): void {
  if (Token.isUnresolved(value) || sfn.JsonPath.isEncodedJsonPath(value) || isJsonataExpression(value)) return;
  if (value.length === 0) {
    throw new ShellStepValidationError(`${prop} must not be empty (an automation parameter value is 1..${MAX_VALUE_LENGTH} characters); leave it out for the runbook's default.`);
  }
  if (value.length > maxLength) {
    throw new ShellStepValidationError(`${prop} must be at most ${maxLength} characters; got ${value.length}.`);
  }
}
