/**
 * The checks a state machine definition passes before CreateStateMachine / UpdateStateMachine accept it, and the
 * diagnostics of ValidateStateMachineDefinition that report them: JSON syntax (Jackson's words and location), AWS's
 * own rules (definition-rules.ts), the schema (`src/validate/asl.ts`) and the Express restrictions
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html).
 */
import { isJsonObject, type JsonObject } from '../../model/json.js';
import type { StateMachineDefinition } from '../../model/state-machine.js';
import { ServiceError } from '../../errors/service-error.js';
import { validateStateMachineInSlices } from '../../validate/asl.js';
import { pauseBetweenPhases } from '../../validate/time-slice.js';
import type { ValidationIssue } from '../../validate/issue.js';
import { MAX_DOCUMENT_NESTING, nestingExceeds, nestingMessage } from '../../validate/nesting.js';
import { definitionDiagnostics, mapLabelMessage, mapLabelProblem, type Diagnostic } from './definition-rules.js';
import { findJsonSyntaxError, jsonErrorLocation } from './json-parse-errors.js';

export type { Diagnostic } from './definition-rules.js';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

/** The outcome of checking a definition text: the definition when it is valid, every problem otherwise. */
export interface DefinitionCheck {
  readonly definition?: StateMachineDefinition;
  readonly diagnostics: readonly Diagnostic[];
}

/** "definition ... Length Constraints: Minimum length of 1. Maximum length of 1048576." (API_CreateStateMachine.html) */
const MAX_DEFINITION_BYTES = 1_048_576;

/**
 * Every problem AWS would report for this definition text and machine type (errors only), the schema validated in
 * time slices so that a large definition does not hold the endpoint (src/validate/asl.ts).
 */
export async function checkDefinitionInSlices(text: string, type: StateMachineType): Promise<DefinitionCheck> {
  // Reading a 1 MB definition, measuring its nesting and applying AWS's rules each take tens of milliseconds:
  // others run between.
  const parsed = parseDefinitionText(text);
  if (!('value' in parsed)) return parsed;
  const { value } = parsed;
  await pauseBetweenPhases();
  if (nestingExceeds(value, MAX_DOCUMENT_NESTING)) return { diagnostics: [{ code: 'INVALID_JSON_DESCRIPTION', message: nestingMessage(MAX_DOCUMENT_NESTING), location: '/' }] };
  if (!isJsonObject(value)) return { diagnostics: [{ code: 'SCHEMA_VALIDATION_FAILED', message: 'The definition must be a JSON object', location: '/' }] };
  await pauseBetweenPhases();
  const rules = definitionDiagnostics(value);
  if (rules.length > 0) return { diagnostics: rules };
  await pauseBetweenPhases();
  return afterSchema(value, type, await validateStateMachineInSlices(value));
}

/** The JSON of a definition (its nesting not checked yet), or the diagnostics of a text that is not JSON. */
function parseDefinitionText(text: string): { value: unknown } | DefinitionCheck {
  // Bytes rather than characters, as the quota reads ("Maximum size of state machine definition: 1 MB", hard).
  if (Buffer.byteLength(text, 'utf8') > MAX_DEFINITION_BYTES) {
    throw new ServiceError('ValidationException', `1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DEFINITION_BYTES}`);
  }
  let value: unknown;
  try {
    // V8's JSON.parse does not recurse, so any depth parses; the depth is checked next, on the value.
    value = JSON.parse(text) as unknown;
  } catch {
    const syntax = findJsonSyntaxError(text);
    const location = syntax === undefined ? '/' : jsonErrorLocation(text, syntax);
    const message = syntax === undefined ? 'The definition is not valid JSON.' : `${syntax.message}\n at ${location}`;
    return { diagnostics: [{ code: 'INVALID_JSON_DESCRIPTION', message, location }] };
  }
  return { value };
}

function afterSchema(value: JsonObject, type: StateMachineType, issues: readonly ValidationIssue[]): DefinitionCheck {
  const schema = issues.filter((i) => i.severity !== 'warning').map((i) => ({ code: i.code, message: i.message, location: toPointer(i.path) }));
  if (schema.length > 0) return { diagnostics: schema };
  const express = type === 'EXPRESS' ? expressProblems(value, '') : [];
  if (express.length > 0) return { diagnostics: express };
  return { definition: value as unknown as StateMachineDefinition, diagnostics: [] };
}

/**
 * The definition of a CreateStateMachine / UpdateStateMachine request, or AWS's InvalidDefinition:
 * "Invalid State Machine Definition: 'CODE: message at /States/X/Field, CODE: ...'" (recorded). The schema is
 * validated in time slices (src/validate/asl.ts), so other requests keep their answers meanwhile.
 */
export async function parseDefinitionInSlices(text: string, type: StateMachineType = 'STANDARD'): Promise<StateMachineDefinition> {
  const check = await checkDefinitionInSlices(text, type);
  if (check.definition === undefined) throw invalidDefinition(check.diagnostics);
  const label = mapLabelProblem(check.definition as unknown as JsonObject);
  if (label !== undefined) throw new ServiceError('InvalidDefinition', mapLabelMessage(label, text));
  return check.definition;
}

export function invalidDefinition(diagnostics: readonly Diagnostic[]): ServiceError {
  return new ServiceError('InvalidDefinition', `Invalid State Machine Definition: '${describeDiagnostics(diagnostics)}'`);
}

/** `CODE: message at /States/X/Field`, joined by ", " (the shape of AWS's InvalidDefinition messages). */
export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => (d.code === 'INVALID_JSON_DESCRIPTION' ? `${d.code}: ${d.message}` : `${d.code}: ${d.message} at ${d.location}`)).join(', ');
}

/** `$.States.A.Next` → `/States/A/Next`; `$` → `/`. */
export function toPointer(path: string): string {
  const pointer = path
    .replace(/^\$/, '')
    .replace(/\["([^"]*)"\]/g, '/$1')
    .replace(/\[(\d+)\]/g, '[$1]')
    .replace(/\./g, '/');
  return pointer === '' ? '/' : pointer;
}

/**
 * "Express Workflows do not support ... Callback (.waitForTaskToken), .sync, Activities" (concepts-standard-vs-express);
 * the messages are AWS's, recorded in its API validation suite (the double space too).
 */
function expressProblems(workflow: JsonObject, base: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const states = workflow['States'];
  if (!isJsonObject(states)) return problems;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    const at = `${base}/States/${name}`;
    const resource = state['Resource'];
    if (state['Type'] === 'Task' && typeof resource === 'string') {
      if (/\.waitForTaskToken$/.test(resource)) problems.push({ code: 'SCHEMA_VALIDATION_FAILED', message: "Express state machine does not support '.waitForTaskToken' service integration ", location: `${at}/Resource` });
      else if (/\.sync(:2)?$/.test(resource)) problems.push({ code: 'SCHEMA_VALIDATION_FAILED', message: "Express state machine does not support '.sync' service integration", location: `${at}/Resource` });
      else if (/^arn:[^:]+:states:[^:]*:[^:]*:activity:/.test(resource)) problems.push({ code: 'SCHEMA_VALIDATION_FAILED', message: 'Express state machine does not support Activity ARN', location: `${at}/Resource` });
    }
    const branches = state['Branches'];
    if (Array.isArray(branches)) branches.forEach((branch, i) => isJsonObject(branch) && problems.push(...expressProblems(branch, `${at}/Branches[${i}]`)));
    for (const key of ['ItemProcessor', 'Iterator']) {
      const processor = state[key];
      if (isJsonObject(processor)) problems.push(...expressProblems(processor, `${at}/${key}`));
    }
  }
  return problems;
}

/** The ValidateStateMachineDefinition response: OK with no errors, FAIL with them, at most `maxResults` (default 100). */
export async function validateDefinitionResponse(
  text: string,
  type: StateMachineType,
  maxResults: number | undefined,
): Promise<{ result: 'OK' | 'FAIL'; diagnostics: { severity: 'ERROR'; code: string; message: string; location: string }[]; truncated: boolean }> {
  const check = await checkDefinitionInSlices(text, type);
  let diagnostics = [...check.diagnostics];
  if (check.definition !== undefined) {
    const label = mapLabelProblem(check.definition as unknown as JsonObject);
    if (label !== undefined) diagnostics = [{ code: 'SCHEMA_VALIDATION_FAILED', message: label, location: '/' }];
  }
  const limit = maxResults === undefined || maxResults === 0 ? 100 : maxResults;
  return {
    result: diagnostics.length === 0 ? 'OK' : 'FAIL',
    diagnostics: diagnostics.slice(0, limit).map((d) => ({ severity: 'ERROR' as const, code: d.code, message: d.message, location: d.location })),
    truncated: diagnostics.length > limit,
  };
}
