/**
 * Validates an Amazon States Language definition: the `asl-validator` schema and graph checks, plus the checks it
 * lacks — `States.ALL` alone and last (https://states-language.net/spec.html#retrying-after-error),
 * HeartbeatSeconds < TimeoutSeconds (state-task page), aws-sdk services and actions that exist in the SDK models,
 * and resources the local engine cannot run (warnings: AWS accepts them).
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.js';
import { aslValidator, aslValidatorInSlices, type AslValidatorError } from './asl-validator.js';
import { at, issue, type ValidationIssue } from './issue.js';
import { findSdkOperation, findSdkService } from './aws-sdk-models.js';
import { MAX_DOCUMENT_NESTING, nestingExceeds, nestingMessage } from './nesting.js';
import { pauseBetweenPhases, pauseWhenSliceIsUsed } from './time-slice.js';

/** Returns every issue found in `definition` (empty when valid). */
export function validateStateMachine(definition: unknown): ValidationIssue[] {
  const prepared = prepare(definition);
  if (!('copy' in prepared)) return prepared.issues;
  let errors: AslValidatorError[];
  try {
    errors = aslValidator(prepared.copy);
  } catch (error) {
    return malformed(error);
  }
  return finish(definition as JsonObject, errors);
}

/**
 * The same issues, found without holding the thread for long: the schema check runs state by state and each phase
 * lets the event loop run when its time slice is used (a 1 MB definition took ~200 ms in one piece). The service
 * validates definitions this way; the CLI and template checks use the synchronous form.
 */
export async function validateStateMachineInSlices(definition: unknown): Promise<ValidationIssue[]> {
  const prepared = await prepareInSlices(definition, pauseBetweenPhases);
  if (!('copy' in prepared)) return prepared.issues;
  let errors: AslValidatorError[];
  try {
    errors = await aslValidatorInSlices(prepared.copy, pauseWhenSliceIsUsed, pauseBetweenPhases);
  } catch (error) {
    return malformed(error);
  }
  await pauseBetweenPhases();
  return finish(definition as JsonObject, errors);
}

type Prepared = { issues: ValidationIssue[] } | { copy: JsonObject };

/**
 * The checks before asl-validator's: issues that end validation, or the copy asl-validator may write into. Each
 * `yield` ends a step that takes tens of milliseconds on a 1 MB definition; `prepareInSlices` lets others run there.
 */
function* preparation(definition: unknown): Generator<void, Prepared, void> {
  if (!isJsonObject(definition)) return { issues: [issue('$', 'InvalidDefinition', 'A state machine definition must be a JSON object.')] };
  // Every check below recurses; bounded first so that none can overflow the stack (src/validate/nesting.ts).
  if (nestingExceeds(definition, MAX_DOCUMENT_NESTING)) return { issues: [issue('$', 'INVALID_JSON_DESCRIPTION', nestingMessage(MAX_DOCUMENT_NESTING))] };
  yield;
  // asl-validator assumes the basic shape (it throws a TypeError on a null state or `Parameters`), so the
  // structure is checked first and a broken one is reported without it.
  const structural = structureIssues(definition, '$');
  if (structural.length > 0) return { issues: structural };
  yield;
  // asl-validator writes QueryLanguage into the states it visits, so it gets a copy, in which the fields its
  // schema gets wrong are replaced by values it accepts (see `relaxForSchema`).
  const copy = structuredClone(definition);
  yield;
  relaxForSchema(copy);
  return { copy };
}

function prepare(definition: unknown): Prepared {
  const steps = preparation(definition);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

async function prepareInSlices(definition: unknown, pause: () => Promise<void>): Promise<Prepared> {
  const steps = preparation(definition);
  let step = steps.next();
  while (!step.done) {
    await pause();
    step = steps.next();
  }
  return step.value;
}

/** A shape the structure check did not foresee: still an issue, never an exception. */
function malformed(error: unknown): ValidationIssue[] {
  return [issue('$', 'InvalidDefinition', `The definition is malformed: ${(error as Error).message}`)];
}

/** asl-validator's errors as issues (each once), then the checks it lacks. */
function finish(definition: JsonObject, errors: readonly AslValidatorError[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const path = error.schemaError !== undefined ? pointerToPath(error.schemaError.instancePath) : '$';
    const key = `${path}|${error.Message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue(path, error['Error code'], error.Message));
  }
  walk(definition, '$', issues);
  return issues;
}

/** The code AWS (and asl-validator) give schema failures: "SCHEMA_VALIDATION_FAILED: … at /States/…". */
const SCHEMA = 'SCHEMA_VALIDATION_FAILED';
/** Payload templates and expressions that cannot be null (null is not "absent" in ASL); JSONata allows strings. */
const OBJECT_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector', 'Arguments', 'Assign'];
/** Reference paths that cannot be null (InputPath, OutputPath and ResultPath can: null discards). */
const PATH_FIELDS = [
  'ItemsPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'SecondsPath',
  'TimestampPath',
  'ErrorPath',
  'CausePath',
  'MaxConcurrencyPath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
];

/** The state types in the order AWS lists them in its validation message. */
const STATE_TYPE_NAMES: readonly string[] = ['Task', 'Wait', 'Pass', 'Succeed', 'Fail', 'Choice', 'Parallel', 'Map'];
/** State fields whose list must have at least one item. */
const NON_EMPTY_LISTS = ['Branches', 'Choices'];

/** The shape every state machine and nested workflow must have before the schema check can run. */
function structureIssues(workflow: JsonObject, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const states = workflow['States'];
  // A missing StartAt or States is asl-validator's to report; a States it cannot walk is ours.
  if (states === undefined) return issues;
  if (!isJsonObject(states)) {
    issues.push(issue(at(path, 'States'), SCHEMA, 'States must be an object of states.'));
    return issues;
  }
  for (const [name, state] of Object.entries(states)) {
    const statePath = at(at(path, 'States'), name);
    if (!isJsonObject(state)) {
      issues.push(issue(statePath, SCHEMA, `State '${name}' must be an object.`));
      continue;
    }
    if (typeof state['Type'] !== 'string') issues.push(issue(at(statePath, 'Type'), SCHEMA, `State '${name}' needs a Type.`));
    // AWS's wording (recorded by TestState): "The field 'Type' should have one of these values: [...] at /States/X/Type".
    else if (!STATE_TYPE_NAMES.includes(state['Type'])) {
      issues.push(issue(at(statePath, 'Type'), SCHEMA, `The field 'Type' should have one of these values: [${STATE_TYPE_NAMES.join(', ')}]`));
    }
    // AWS's wording for an empty list that needs items (recorded by TestState for `"Branches": []`).
    for (const field of NON_EMPTY_LISTS) {
      if (Array.isArray(state[field]) && state[field].length === 0) issues.push(issue(at(statePath, field), SCHEMA, 'Value cannot be empty'));
    }
    for (const field of OBJECT_FIELDS) {
      if (field in state && state[field] === null) issues.push(issue(at(statePath, field), SCHEMA, `${field} cannot be null.`));
    }
    for (const field of PATH_FIELDS) {
      if (field in state && typeof state[field] !== 'string') issues.push(issue(at(statePath, field), SCHEMA, `${field} must be a path string.`));
    }
    if (Array.isArray(state['Choices'])) state['Choices'].forEach((rule, i) => choiceRuleIssues(rule, at(at(statePath, 'Choices'), i), issues));
    if (Array.isArray(state['Branches'])) {
      state['Branches'].forEach((branch, i) => {
        const branchPath = at(at(statePath, 'Branches'), i);
        if (isJsonObject(branch)) issues.push(...structureIssues(branch, branchPath));
        else issues.push(issue(branchPath, SCHEMA, 'A branch must be an object with StartAt and States.'));
      });
    }
    for (const key of ['ItemProcessor', 'Iterator']) {
      if (!(key in state)) continue;
      const processor = state[key];
      if (isJsonObject(processor)) issues.push(...structureIssues(processor, at(statePath, key)));
      else issues.push(issue(at(statePath, key), SCHEMA, `${key} must be an object with StartAt and States.`));
    }
  }
  return issues;
}

/** A Choice rule's `Variable` must be a path; And/Or/Not nest rules. */
function choiceRuleIssues(rule: JsonValue, path: string, issues: ValidationIssue[]): void {
  if (!isJsonObject(rule)) {
    issues.push(issue(path, SCHEMA, 'A choice rule must be an object.'));
    return;
  }
  if ('Variable' in rule && typeof rule['Variable'] !== 'string') issues.push(issue(at(path, 'Variable'), SCHEMA, 'Variable must be a path string.'));
  for (const key of ['And', 'Or']) {
    const list = rule[key];
    if (Array.isArray(list)) list.forEach((sub, i) => choiceRuleIssues(sub, at(at(path, key), i), issues));
  }
  if ('Not' in rule) choiceRuleIssues(rule['Not'] ?? null, at(path, 'Not'), issues);
}

/**
 * asl-validator 4.0 rejects definitions that AWS accepts (every one of these was recorded running on AWS in the
 * conformance cases): JSONata `Output` of any JSON type, arrays inside `Assign`, a boolean `Condition`, and a
 * fractional `ToleratedFailurePercentage`. Such fields are swapped for equivalent values its schema accepts.
 */
function relaxForSchema(workflow: JsonObject): void {
  const states = workflow['States'];
  if (!isJsonObject(states)) return;
  for (const state of Object.values(states)) {
    if (!isJsonObject(state)) continue;
    if (state['Output'] !== undefined && !isJsonObject(state['Output'])) state['Output'] = '{% $states.input %}';
    if (isJsonObject(state['Assign'])) state['Assign'] = relaxAssign(state['Assign']);
    const choices = state['Choices'];
    if (Array.isArray(choices)) {
      for (const choice of choices) {
        if (!isJsonObject(choice)) continue;
        if (typeof choice['Condition'] === 'boolean') choice['Condition'] = `{% ${String(choice['Condition'])} %}`;
        if (choice['Output'] !== undefined && !isJsonObject(choice['Output'])) choice['Output'] = '{% $states.input %}';
        if (isJsonObject(choice['Assign'])) choice['Assign'] = relaxAssign(choice['Assign']);
      }
    }
    const percentage = state['ToleratedFailurePercentage'];
    if (typeof percentage === 'number' && !Number.isInteger(percentage) && percentage >= 0 && percentage <= 100) {
      state['ToleratedFailurePercentage'] = Math.floor(percentage);
    }
    const branches = state['Branches'];
    if (Array.isArray(branches)) for (const branch of branches) if (isJsonObject(branch)) relaxForSchema(branch);
    for (const key of ['ItemProcessor', 'Iterator']) {
      const processor = state[key];
      if (isJsonObject(processor)) relaxForSchema(processor);
    }
  }
}

function relaxAssign(assign: JsonObject): JsonObject {
  return Object.fromEntries(Object.keys(assign).map((key) => [key, key.endsWith('.$') ? assign[key]! : null]));
}

function pointerToPath(pointer: string): string {
  let path = '$';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = at(path, /^\d+$/.test(part) ? Number(part) : part);
  }
  return path;
}

/** Visits every state of a workflow, its branches and its item processor. */
function walk(workflow: JsonObject, path: string, issues: ValidationIssue[]): void {
  const states = workflow['States'];
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    const statePath = at(at(path, 'States'), name);
    checkErrorEquals(state['Retry'], at(statePath, 'Retry'), issues);
    checkErrorEquals(state['Catch'], at(statePath, 'Catch'), issues);
    if (state['Type'] === 'Task') checkTask(state, statePath, issues);
    if (state['Type'] === 'Map') checkMap(state, statePath, issues);
    const branches = state['Branches'];
    if (Array.isArray(branches)) {
      branches.forEach((branch, i) => {
        if (isJsonObject(branch)) walk(branch, at(at(statePath, 'Branches'), i), issues);
      });
    }
    for (const key of ['ItemProcessor', 'Iterator']) {
      const processor = state[key];
      if (isJsonObject(processor)) walk(processor, at(statePath, key), issues);
    }
  }
}

/** "States.ALL ... MUST appear alone in the ErrorEquals array and MUST appear in the last Retrier/Catcher." */
function checkErrorEquals(list: JsonValue | undefined, path: string, issues: ValidationIssue[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    if (!isJsonObject(entry)) return;
    const errorEquals = entry['ErrorEquals'];
    if (!Array.isArray(errorEquals) || !errorEquals.includes('States.ALL')) return;
    const entryPath = at(at(path, i), 'ErrorEquals');
    if (errorEquals.length > 1) issues.push(issue(entryPath, 'StatesAllNotAlone', 'States.ALL must appear alone in ErrorEquals.'));
    if (i !== list.length - 1) issues.push(issue(entryPath, 'StatesAllNotLast', 'States.ALL must appear in the last Retrier or Catcher.'));
  });
}

function checkTask(state: JsonObject, path: string, issues: ValidationIssue[]): void {
  const timeout = state['TimeoutSeconds'];
  const heartbeat = state['HeartbeatSeconds'];
  // "HeartbeatSeconds ... must be smaller than the number of seconds specified in the TimeoutSeconds field."
  if (typeof timeout === 'number' && typeof heartbeat === 'number' && heartbeat >= timeout) {
    issues.push(issue(at(path, 'HeartbeatSeconds'), 'HeartbeatNotBelowTimeout', `HeartbeatSeconds (${heartbeat}) must be smaller than TimeoutSeconds (${timeout}).`));
  }
  const resource = state['Resource'];
  if (typeof resource !== 'string') return;
  const resourcePath = at(path, 'Resource');
  const sdk = /^arn:[a-z-]+:states:::aws-sdk:([^:]+):([^:]+)$/.exec(resource);
  if (sdk !== null) {
    const serviceName = sdk[1]!;
    const action = sdk[2]!.replace(/\.(waitForTaskToken|sync(:2)?)$/, '');
    if (/\.sync(:2)?$/.test(sdk[2]!)) {
      issues.push(issue(resourcePath, 'UnsupportedIntegrationPattern', `AWS SDK integrations do not support the .sync pattern: '${resource}'.`));
    }
    const service = findSdkService(serviceName);
    if (service === undefined) {
      issues.push(issue(resourcePath, 'UnknownAwsSdkService', `Unknown AWS SDK service '${serviceName}' in '${resource}'.`));
      return;
    }
    if (findSdkOperation(service, action) === undefined || action[0] !== action[0]?.toLowerCase()) {
      issues.push(issue(resourcePath, 'UnknownAwsSdkAction', `Unknown action '${action}' of AWS SDK service '${serviceName}' in '${resource}' (actions are camelCase).`));
    }
    return;
  }
  issues.push(
    issue(resourcePath, 'UnsupportedLocally', `The local engine runs only aws-sdk service integrations; '${resource}' fails at run time.`, 'warning'),
  );
}

function checkMap(state: JsonObject, path: string, issues: ValidationIssue[]): void {
  for (const field of ['ItemReader', 'ResultWriter']) {
    if (state[field] !== undefined) {
      issues.push(issue(at(path, field), 'UnsupportedLocally', `${field} needs Amazon S3, which the local engine does not provide.`, 'warning'));
    }
  }
}
