/**
 * Validates an SSM Command document (schema 1.2, 2.0 or 2.2) and returns every issue found, each with a JSON path.
 *
 * Two layers, as for runbooks: the Command document schema compiled at build time
 * (scripts/generate-command-document-schema.ts: AWS's parameter definition, plus the documented top-level elements,
 * steps and plugin names), then what a schema cannot express: unique step names, preconditions (schema 2.2 only,
 * `StringEquals` with two arguments, as amazon-ssm-agent evaluates them), and the parameter definitions.
 */
import type { ErrorObject } from 'ajv';
import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.js';
import { validateCommandDocumentSchema } from './generated/command-document-schema.js';
import { at, issue, type ValidationIssue } from './issue.js';
import { dedupe, parameterIssues, schemaErrorIssues } from './runbook.js';

const validateSchema: ((data: unknown) => boolean) & { readonly errors?: ErrorObject[] | null } = validateCommandDocumentSchema;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** A document parameter reference the agent replaces: `{{ name }}` (names as documents declare them). */
const PARAMETER_NAME = /^[a-zA-Z0-9_]+$/;

/** Validates parsed Command document content. An empty list means valid; `warning` issues do not fail it. */
export function validateCommandDocument(doc: unknown, basePath = '$'): ValidationIssue[] {
  if (!isJsonObject(doc)) return [issue(basePath, 'InvalidDocumentContent', 'A Command document must be an object with schemaVersion and mainSteps (or runtimeConfig).')];
  const issues = validateSchema(doc) ? [] : schemaErrorIssues(validateSchema.errors ?? [], basePath);
  const parameters = isJsonObject(doc['parameters']) ? doc['parameters'] : {};
  issues.push(...parameterIssues(parameters, at(basePath, 'parameters')));
  const steps = Array.isArray(doc['mainSteps']) ? doc['mainSteps'] : [];
  const names = new Set<string>();
  steps.forEach((step, index) => {
    if (!isJsonObject(step)) return;
    const path = at(at(basePath, 'mainSteps'), index);
    const name = step['name'];
    if (typeof name === 'string') {
      // "name … must be unique across all step names in the document" (plugin reference).
      if (names.has(name)) issues.push(issue(at(path, 'name'), 'DuplicateStepName', `Step name '${name}' is used by more than one step.`));
      names.add(name);
    }
    if (step['precondition'] !== undefined) issues.push(...preconditionIssues(step['precondition'], doc['schemaVersion'], at(path, 'precondition')));
  });
  issues.push(...referenceIssues(doc, parameters, basePath));
  return dedupe(issues);
}

/**
 * The agent runs a precondition only in schema 2.2 ("Precondition is not supported for document schema version
 * prior to 2.2"), and only `StringEquals` with exactly two arguments (runpluginutil.go evaluatePreconditions);
 * anything else fails the step when it runs. We reject it when the document is created (UNCONFIRMED, docs/fidelity.md).
 */
function preconditionIssues(precondition: JsonValue, schemaVersion: JsonValue | undefined, path: string): ValidationIssue[] {
  if (schemaVersion !== '2.2') return [issue(path, 'PreconditionNotSupported', 'precondition is available in schema version 2.2 only.')];
  if (!isJsonObject(precondition)) return [];
  const issues: ValidationIssue[] = [];
  for (const [operator, args] of Object.entries(precondition)) {
    if (operator !== 'StringEquals') {
      issues.push(issue(at(path, operator), 'UnsupportedPrecondition', `Precondition operator '${operator}' is not supported (only StringEquals).`));
    } else if (!Array.isArray(args) || args.length !== 2) {
      issues.push(issue(at(path, operator), 'UnsupportedPrecondition', 'StringEquals takes exactly 2 arguments.'));
    } else if (args[0] === args[1]) {
      issues.push(issue(at(path, operator), 'UnsupportedPrecondition', "StringEquals arguments can't be identical."));
    }
  }
  return issues;
}

/**
 * `{{ name }}` references to parameters the document does not declare. The agent leaves such text as it is (a
 * script's own braces, such as docker's `{{ .State }}`, are not parameters), so this is a warning.
 */
function referenceIssues(doc: JsonObject, parameters: JsonObject, base: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const walk = (value: JsonValue, path: string): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(PLACEHOLDER)) {
        const ref = match[1]!;
        if (PARAMETER_NAME.test(ref) && !Object.hasOwn(parameters, ref)) {
          issues.push(issue(path, 'UndeclaredParameter', `{{ ${ref} }} names no parameter of this document; it is passed on as written.`, 'warning'));
        }
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, at(path, i)));
    else if (isJsonObject(value)) for (const [k, v] of Object.entries(value)) walk(v, at(path, k));
  };
  if (doc['mainSteps'] !== undefined) walk(doc['mainSteps'], at(base, 'mainSteps'));
  if (doc['runtimeConfig'] !== undefined) walk(doc['runtimeConfig'], at(base, 'runtimeConfig'));
  return issues;
}
