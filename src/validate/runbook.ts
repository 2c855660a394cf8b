/**
 * Validates an SSM Automation runbook (schema 0.3) and returns every issue found, each with a JSON path.
 *
 * Two layers: AWS's own document JSON schema (`aws-ssm-document-language-service` `dist/schema.json`, compiled
 * by ajv at build time into generated/runbook-schema.ts), then the semantic checks that a schema cannot express:
 * step targets, reachability, `{{ }}` references, `aws:executeAwsApi` against the AWS SDK models, action time
 * limits, parameter sanity, and, for runbooks that take a Step Functions task token, that every way the runbook
 * can end calls the token back.
 */
import type { ErrorObject } from 'ajv';
import { parseYaml } from './cfn-yaml.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.js';
import { at, issue, type ValidationIssue } from './issue.js';
import { findSdkOperation, findSdkService } from './aws-sdk-models.js';
import { COMMAND_DOCUMENT_PARAMETERS } from './command-documents.js';
import { validateRunbookSchema } from './generated/runbook-schema.js';

export interface RunbookValidationOptions {
  /**
   * For the local engine's CreateDocument: report only what AWS itself rejects when a document is created
   * (plus actions the engine cannot run) as errors, and our advice (callback paths, action time limits,
   * API names AWS only checks when the step runs) as warnings, so the engine accepts every runbook AWS
   * accepts — the original sample's included. Default (`shellstep validate`): advice is an error too.
   */
  readonly forLocalEngine?: boolean;
  /** Path prefix for issues, when the runbook sits inside a larger file (a template's `Content`). */
  readonly basePath?: string;
}

/** Actions the local engine runs (issue 3). Every other valid action is "not supported locally". */
export const LOCALLY_SUPPORTED_ACTIONS: ReadonlySet<string> = new Set([
  'aws:runCommand',
  'aws:executeAwsApi',
  'aws:branch',
  'aws:sleep',
  'aws:waitForAwsResourceProperty',
  'aws:assertAwsResourceProperty',
]);

// Outputs every step of these actions has, whatever the runbook declares (AWS action reference pages).
const BUILT_IN_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  'aws:runCommand': ['CommandId', 'Status', 'ResponseCode', 'Output'], // automation-action-runcommand
  'aws:executeScript': ['Payload'],
  'aws:invokeLambdaFunction': ['StatusCode', 'FunctionError', 'LogResult', 'Payload'],
  'aws:executeAutomation': ['Output', 'ExecutionId', 'Status'],
  'aws:executeStateMachine': ['output'],
  'aws:createStack': ['StackId', 'StackStatus', 'StackStatusReason'],
  'aws:runInstances': ['InstanceIds'],
  'aws:createImage': ['ImageId', 'ImageState'],
  'aws:copyImage': ['ImageId', 'ImageState'],
  'aws:changeInstanceState': [],
  'aws:approve': ['ApprovalStatus', 'ApproverDecisions'],
};

// automation-variables: "The only supported Automation variable" plus the global system variables.
const SYSTEM_VARIABLES = new Set([
  'automation:EXECUTION_ID',
  'global:ACCOUNT_ID',
  'global:DATE',
  'global:DATE_TIME',
  'global:AWS_PARTITION',
  'global:REGION',
]);

// automation-action-executeAwsApi: "can run up to a maximum duration of 25 seconds" (aws-semantics §4).
const EXECUTE_AWS_API_MAX_SECONDS = 25;
// aws:pause / aws:approve: maximum 30 days (automation-action-pause).
const PAUSE_MAX_SECONDS = 2_592_000;
// SendCommand TimeoutSeconds range (botocore ssm model; aws-semantics §3.1).
const SEND_COMMAND_TIMEOUT_RANGE = [30, 2_592_000] as const;
// onCancel "cannot target" these actions (automation-actions, Properties shared by all actions).
const NOT_CANCEL_TARGETS = new Set([
  'aws:approve',
  'aws:copyImage',
  'aws:createImage',
  'aws:createStack',
  'aws:createTags',
  'aws:pause',
  'aws:runInstances',
  'aws:sleep',
]);

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([^{}]*?)\s*\}\}$/;

// The document schema compiled at build time (scripts/generate-runbook-schema.ts): compiling it here cost ~110 ms
// on the first validation and most of the hidden-class transitions V8 allows on its root object map.
const validateSchema: ((data: unknown) => boolean) & { readonly errors?: ErrorObject[] | null } = validateRunbookSchema;

/** Parses runbook content given as an object, JSON text or YAML text. Throws on unreadable text. */
export function parseRunbookContent(content: unknown): unknown {
  if (typeof content !== 'string') return content;
  return parseYaml(content, { strict: true, uniqueKeys: true }) as unknown;
}

/** Validates runbook content (object, JSON or YAML text). Returns all issues; an empty list means valid. */
export function validateRunbook(content: unknown, options: RunbookValidationOptions = {}): ValidationIssue[] {
  const base = options.basePath ?? '$';
  let doc: unknown;
  try {
    doc = parseRunbookContent(content);
  } catch (error) {
    return [issue(base, 'UnreadableContent', `Runbook content is not valid JSON or YAML: ${(error as Error).message}`)];
  }
  if (!isJsonObject(doc)) {
    return [issue(base, 'InvalidDocumentContent', 'Runbook content must be an object with schemaVersion and mainSteps.')];
  }
  const issues = schemaIssues(doc, base);
  issues.push(...semanticIssues(doc, base, options));
  const result = dedupe(issues);
  if (options.forLocalEngine !== true) return result;
  return result.map((i) => (ADVICE_CODES.has(i.code) && i.severity !== 'warning' ? { ...i, severity: 'warning' as const } : i));
}

/**
 * Issues AWS accepts at CreateDocument (they fail, or hang, only when the automation runs): our advice.
 * AWS rejects the others when the document is created: schema violations, unknown step targets, unsupported
 * branch operators (automation-action-branch), `{{ssm:…}}` in step inputs (automation-variables), and
 * `aws:runCommand` parameter types (documents-syntax-data-elements-parameters).
 */
const ADVICE_CODES: ReadonlySet<string> = new Set([
  'CallbackMissingOnSuccess',
  'CallbackMissingOnFailure',
  'CallbackMissingOnCancel',
  'TimeoutExceedsActionLimit',
  'UnknownService',
  'UnknownApi',
  'UnknownApiParameter',
  'MissingApiParameter',
  'TimeoutOutOfRange',
  'UnknownStepOutput',
  'UndeclaredParameter',
  'UnknownStepReference',
]);

function schemaIssues(doc: JsonObject, base: string): ValidationIssue[] {
  if (validateSchema(doc)) return [];
  return schemaErrorIssues(validateSchema.errors ?? [], base);
}

/** Issues for the errors a generated document-schema validator reported (this schema's and the Command document one's). */
export function schemaErrorIssues(errors: readonly ErrorObject[], base: string): ValidationIssue[] {
  return errors.filter((e) => e.keyword !== 'if').map((e) => issue(pointerToPath(base, e.instancePath), 'SchemaViolation', schemaMessage(e)));
}

function schemaMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperty':
    case 'additionalProperties':
      return `Unknown field '${String(params['additionalProperty'])}'.`;
    case 'required':
      return `Missing required field '${String(params['missingProperty'])}'.`;
    case 'enum':
      return `Must be one of: ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    default:
      return `${error.message ?? 'is invalid'} (AWS document schema, ${error.keyword}).`;
  }
}

function pointerToPath(base: string, pointer: string): string {
  if (pointer === '') return base;
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((path, part) => at(path, /^\d+$/.test(part) ? Number(part) : part), base);
}

export function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.code}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface StepInfo {
  readonly index: number;
  readonly path: string;
  readonly step: JsonObject;
  readonly name: string;
  readonly action: string;
}

function semanticIssues(doc: JsonObject, base: string, options: RunbookValidationOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const parameters = isJsonObject(doc['parameters']) ? doc['parameters'] : {};
  const rawSteps = Array.isArray(doc['mainSteps']) ? doc['mainSteps'] : [];
  const steps: StepInfo[] = [];
  rawSteps.forEach((step, index) => {
    if (!isJsonObject(step)) return;
    const path = at(at(base, 'mainSteps'), index);
    steps.push({
      index,
      path,
      step,
      name: typeof step['name'] === 'string' ? step['name'] : `#${index}`,
      action: typeof step['action'] === 'string' ? step['action'] : '',
    });
  });
  if (rawSteps.length === 0) issues.push(issue(at(base, 'mainSteps'), 'NoSteps', 'mainSteps must contain at least one step.'));

  issues.push(...parameterIssues(parameters, at(base, 'parameters')));
  const byName = new Map<string, StepInfo>();
  for (const info of steps) {
    // automation-actions: name "must be unique", pattern [a-zA-Z0-9_]+
    if (byName.has(info.name)) {
      issues.push(issue(at(info.path, 'name'), 'DuplicateStepName', `Step name '${info.name}' is used by more than one step.`));
    } else {
      byName.set(info.name, info);
    }
    if (!/^[a-zA-Z0-9_]+$/.test(info.name)) {
      issues.push(issue(at(info.path, 'name'), 'InvalidStepName', `Step name '${info.name}' may contain only letters, digits and '_'.`));
    }
  }
  for (const info of steps) {
    issues.push(...targetIssues(info, byName));
    issues.push(...actionIssues(info, parameters, options));
  }
  issues.push(...reachabilityIssues(steps, byName));
  issues.push(...referenceIssues(doc, steps, byName, parameters, base));
  issues.push(...callbackIssues(steps, byName, parameters));
  return issues;
}

/** Checks of a document's parameter definitions that the schema cannot express (Automation and Command documents). */
export function parameterIssues(parameters: JsonObject, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [name, raw] of Object.entries(parameters)) {
    if (!isJsonObject(raw)) continue;
    const p = at(path, name);
    // DocumentParameter names: the agent accepts ^[a-zA-Z0-9]+$; Automation examples also use '_'.
    if (!/^[a-zA-Z0-9_]+$/.test(name)) {
      issues.push(issue(p, 'InvalidParameterName', `Parameter name '${name}' may contain only letters, digits and '_'.`));
    }
    const { allowedPattern, allowedValues, minItems, maxItems } = raw;
    const def = raw['default'];
    if (typeof allowedPattern === 'string') {
      let re: RegExp | undefined;
      try {
        re = new RegExp(allowedPattern, 'u');
      } catch (error) {
        issues.push(issue(at(p, 'allowedPattern'), 'InvalidPattern', `allowedPattern is not a valid regular expression: ${(error as Error).message}`));
      }
      const values = typeof def === 'string' ? [def] : Array.isArray(def) ? def.filter((v): v is string => typeof v === 'string') : [];
      for (const value of values) {
        if (re !== undefined && !re.test(value) && !WHOLE_PLACEHOLDER.test(value)) {
          issues.push(issue(at(p, 'default'), 'DefaultNotAllowed', `Default ${JSON.stringify(value)} does not match allowedPattern ${allowedPattern}.`));
        }
      }
    }
    if (Array.isArray(allowedValues) && def !== undefined && !Array.isArray(def)) {
      if (!allowedValues.some((v) => JSON.stringify(v) === JSON.stringify(def))) {
        issues.push(issue(at(p, 'default'), 'DefaultNotAllowed', `Default ${JSON.stringify(def)} is not one of allowedValues.`));
      }
    }
    if (typeof minItems === 'number' && typeof maxItems === 'number' && minItems > maxItems) {
      issues.push(issue(p, 'InvalidItemLimits', `minItems (${minItems}) is greater than maxItems (${maxItems}).`));
    }
    if (typeof def === 'string' && /^"[^"]*"$/.test(def) && def.length === 2 && raw['type'] === 'String') {
      // D1: the original's workingDirectory default "\"\"" is the two-character string, not an empty value.
      issues.push(issue(at(p, 'default'), 'QuotedEmptyDefault', 'Default is the two-character string "" (two quote marks), not an empty string; use "".', 'warning'));
    }
  }
  return issues;
}

/** Where a step can go next, with the field that says so. */
interface Edge {
  readonly to: string;
  readonly field: string;
  readonly kind: 'success' | 'failure' | 'cancel';
}

function stepTarget(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value.startsWith('step:') ? value.slice('step:'.length) : undefined;
}

function branchChoices(step: JsonObject): JsonObject[] {
  const inputs = isJsonObject(step['inputs']) ? step['inputs'] : {};
  return Array.isArray(inputs['Choices']) ? inputs['Choices'].filter(isJsonObject) : [];
}

/** Successors of a step, per "Properties shared by all actions" and automation-action-branch. */
function edges(info: StepInfo, steps: readonly StepInfo[]): { edges: Edge[]; endsOnSuccess: boolean; endsOnFailure: boolean } {
  const { step } = info;
  const out: Edge[] = [];
  const next = steps[info.index + 1]?.name;
  const isEnd = step['isEnd'] === true || step['isEnd'] === 'true';
  let endsOnSuccess = false;
  if (info.action === 'aws:branch') {
    const inputs = isJsonObject(step['inputs']) ? step['inputs'] : {};
    for (const [i, choice] of branchChoices(step).entries()) {
      if (typeof choice['NextStep'] === 'string') out.push({ to: choice['NextStep'], field: `inputs.Choices[${i}].NextStep`, kind: 'success' });
    }
    if (typeof inputs['Default'] === 'string') {
      out.push({ to: inputs['Default'], field: 'inputs.Default', kind: 'success' });
    } else if (isEnd || next === undefined) {
      // "isEnd: true on the branch step → the automation stops at the end of the step" when nothing matches.
      endsOnSuccess = true;
    } else {
      // No Default: "the automation processes the next step in the runbook".
      out.push({ to: next, field: '(next step in order)', kind: 'success' });
    }
  } else if (isEnd) {
    endsOnSuccess = true;
  } else if (typeof step['nextStep'] === 'string') {
    out.push({ to: step['nextStep'], field: 'nextStep', kind: 'success' });
  } else if (next !== undefined) {
    out.push({ to: next, field: '(next step in order)', kind: 'success' });
  } else {
    endsOnSuccess = true;
  }
  let endsOnFailure = false;
  const onFailure = step['onFailure'];
  const failureTarget = stepTarget(onFailure);
  if (failureTarget !== undefined) {
    out.push({ to: failureTarget, field: 'onFailure', kind: 'failure' });
  } else if (onFailure === 'Continue' && !isEnd && next !== undefined) {
    out.push({ to: typeof step['nextStep'] === 'string' ? step['nextStep'] : next, field: 'onFailure', kind: 'failure' });
  } else {
    endsOnFailure = true;
  }
  const cancelTarget = stepTarget(step['onCancel']);
  if (cancelTarget !== undefined) out.push({ to: cancelTarget, field: 'onCancel', kind: 'cancel' });
  return { edges: out, endsOnSuccess, endsOnFailure };
}

function targetIssues(info: StepInfo, byName: ReadonlyMap<string, StepInfo>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const check = (target: string | undefined, field: string): void => {
    if (target === undefined) return;
    const path = field.split('.').reduce((p, part) => {
      const m = /^(\w+)\[(\d+)\]$/.exec(part);
      return m ? at(at(p, m[1]!), Number(m[2])) : at(p, part);
    }, info.path);
    const targetInfo = byName.get(target);
    if (targetInfo === undefined) {
      issues.push(issue(path, 'UnknownStepTarget', `Step '${info.name}' refers to step '${target}' in ${field}, but no step has that name.`));
    } else if (field === 'onCancel' && NOT_CANCEL_TARGETS.has(targetInfo.action)) {
      issues.push(issue(path, 'InvalidCancelTarget', `onCancel cannot target step '${target}': ${targetInfo.action} steps cannot run in the cancellation workflow.`));
    }
  };
  const { step } = info;
  if (typeof step['nextStep'] === 'string') check(step['nextStep'], 'nextStep');
  check(stepTarget(step['onFailure']), 'onFailure');
  check(stepTarget(step['onCancel']), 'onCancel');
  if (info.action === 'aws:branch') {
    const inputs = isJsonObject(step['inputs']) ? step['inputs'] : {};
    branchChoices(step).forEach((choice, i) => {
      if (typeof choice['NextStep'] === 'string') check(choice['NextStep'], `inputs.Choices[${i}].NextStep`);
    });
    if (typeof inputs['Default'] === 'string') check(inputs['Default'], 'inputs.Default');
  }
  return issues;
}

function reachabilityIssues(steps: readonly StepInfo[], byName: ReadonlyMap<string, StepInfo>): ValidationIssue[] {
  const first = steps[0];
  if (first === undefined) return [];
  const seen = new Set<string>([first.name]);
  const queue = [first];
  while (queue.length > 0) {
    const info = queue.shift()!;
    for (const edge of edges(info, steps).edges) {
      const target = byName.get(edge.to);
      if (target !== undefined && !seen.has(target.name)) {
        seen.add(target.name);
        queue.push(target);
      }
    }
  }
  return steps
    .filter((s) => !seen.has(s.name))
    .map((s) => issue(s.path, 'UnreachableStep', `Step '${s.name}' can never run: no step leads to it.`, 'warning'));
}

function actionIssues(info: StepInfo, parameters: JsonObject, options: RunbookValidationOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { step, action, path } = info;
  const inputs = isJsonObject(step['inputs']) ? step['inputs'] : {};
  if (action !== '' && !LOCALLY_SUPPORTED_ACTIONS.has(action)) {
    issues.push(
      issue(
        at(path, 'action'),
        'ActionNotSupportedLocally',
        `Action '${action}' is not supported by the shellstep local engine (supported: ${[...LOCALLY_SUPPORTED_ACTIONS].join(', ')}).`,
        options.forLocalEngine === true ? undefined : 'warning',
      ),
    );
  }
  const timeout = step['timeoutSeconds'];
  if (typeof timeout === 'string' && !/^[1-9][0-9]*$/.test(timeout)) {
    // The schema types it integer|string for numeric strings such as AWS's own "1209600" (automation-action-pause).
    issues.push(issue(at(path, 'timeoutSeconds'), 'InvalidTimeout', `timeoutSeconds must be a whole number of seconds, got ${JSON.stringify(timeout)}.`));
  }
  if (typeof timeout === 'number') {
    if (action === 'aws:executeAwsApi' && timeout > EXECUTE_AWS_API_MAX_SECONDS) {
      issues.push(issue(at(path, 'timeoutSeconds'), 'TimeoutExceedsActionLimit', `timeoutSeconds ${timeout} exceeds the ${EXECUTE_AWS_API_MAX_SECONDS} s maximum of aws:executeAwsApi, so it has no effect.`));
    }
    if ((action === 'aws:pause' || action === 'aws:approve') && timeout > PAUSE_MAX_SECONDS) {
      issues.push(issue(at(path, 'timeoutSeconds'), 'TimeoutExceedsActionLimit', `timeoutSeconds ${timeout} exceeds the ${PAUSE_MAX_SECONDS} s (30 days) maximum of ${action}.`));
    }
    if (timeout < 1) issues.push(issue(at(path, 'timeoutSeconds'), 'InvalidTimeout', 'timeoutSeconds must be at least 1.'));
  }
  if (typeof step['maxAttempts'] === 'number' && step['maxAttempts'] < 1) {
    issues.push(issue(at(path, 'maxAttempts'), 'InvalidMaxAttempts', 'maxAttempts must be at least 1.'));
  }
  if (action === 'aws:executeAwsApi' || action === 'aws:waitForAwsResourceProperty' || action === 'aws:assertAwsResourceProperty') {
    issues.push(...awsApiIssues(info, inputs));
  }
  if (action === 'aws:runCommand') issues.push(...runCommandIssues(info, inputs, parameters));
  if (action === 'aws:branch') issues.push(...branchIssues(info, inputs));
  return issues;
}

// Inputs of aws:waitForAwsResourceProperty / aws:assertAwsResourceProperty that are not API members.
const PROPERTY_ACTION_INPUTS = new Set(['PropertySelector', 'DesiredValues']);

function awsApiIssues(info: StepInfo, inputs: JsonObject): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const service = inputs['Service'];
  const api = inputs['Api'];
  if (typeof service !== 'string' || typeof api !== 'string') {
    if (typeof api !== 'string') issues.push(issue(at(at(info.path, 'inputs'), 'Api'), 'MissingApi', `${info.action} needs an 'Api' input.`));
    return issues;
  }
  if (WHOLE_PLACEHOLDER.test(service) || WHOLE_PLACEHOLDER.test(api)) return issues;
  const sdkService = findSdkService(service);
  if (sdkService === undefined) {
    issues.push(issue(at(at(info.path, 'inputs'), 'Service'), 'UnknownService', `Service '${service}' is not an AWS SDK service namespace (for Step Functions use 'stepfunctions').`));
    return issues;
  }
  const operation = findSdkOperation(sdkService, api);
  if (operation === undefined) {
    issues.push(issue(at(at(info.path, 'inputs'), 'Api'), 'UnknownApi', `Service '${service}' has no API '${api}'.`));
    return issues;
  }
  for (const key of Object.keys(inputs)) {
    if (key === 'Service' || key === 'Api') continue;
    if (info.action !== 'aws:executeAwsApi' && PROPERTY_ACTION_INPUTS.has(key)) continue;
    if (!operation.members.includes(key)) {
      const hint = operation.members.find((m) => m.toLowerCase() === key.toLowerCase());
      issues.push(
        issue(
          at(at(info.path, 'inputs'), key),
          'UnknownApiParameter',
          `${operation.name} has no request parameter '${key}'${hint === undefined ? '' : ` (did you mean '${hint}'?)`}.`,
        ),
      );
    }
  }
  for (const required of operation.required) {
    if (!(required in inputs)) {
      issues.push(issue(at(info.path, 'inputs'), 'MissingApiParameter', `${operation.name} requires request parameter '${required}'.`));
    }
  }
  return issues;
}

function runCommandIssues(info: StepInfo, inputs: JsonObject, parameters: JsonObject): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const inputsPath = at(info.path, 'inputs');
  if (inputs['InstanceIds'] === undefined && inputs['Targets'] === undefined) {
    issues.push(issue(inputsPath, 'MissingTargets', 'aws:runCommand needs InstanceIds or Targets.'));
  }
  const timeout = inputs['TimeoutSeconds'];
  const [min, max] = SEND_COMMAND_TIMEOUT_RANGE;
  if (typeof timeout === 'number' && (timeout < min || timeout > max)) {
    issues.push(issue(at(inputsPath, 'TimeoutSeconds'), 'TimeoutOutOfRange', `TimeoutSeconds ${timeout} is outside SendCommand's ${min}..${max} range.`));
  }
  const docName = inputs['DocumentName'];
  const known = typeof docName === 'string' ? COMMAND_DOCUMENT_PARAMETERS[docName] : undefined;
  const docParameters = inputs['Parameters'];
  if (known === undefined || !isJsonObject(docParameters)) return issues;
  // "Only when you use the aws:runCommand action are parameter types validated when you create the SSM document"
  // (documents-syntax-data-elements-parameters). This is what broke the original with an Integer executionTimeout.
  for (const [name, value] of Object.entries(docParameters)) {
    const path = at(at(inputsPath, 'Parameters'), name);
    const expected = known[name];
    if (expected === undefined) {
      issues.push(issue(path, 'UnknownDocumentParameter', `${String(docName)} has no parameter '${name}' (it has: ${Object.keys(known).join(', ')}).`));
      continue;
    }
    const whole = typeof value === 'string' ? WHOLE_PLACEHOLDER.exec(value)?.[1] : undefined;
    const source = whole !== undefined && isJsonObject(parameters[whole]) ? (parameters[whole] as JsonObject)['type'] : undefined;
    if (typeof source === 'string' && source !== expected && !(expected === 'StringList' && source === 'String')) {
      issues.push(issue(path, 'ParameterTypeMismatch', `${String(docName)} parameter '${name}' is a ${expected}, but runbook parameter '${whole}' is a ${source}.`));
    }
  }
  for (const [name, type] of Object.entries(known)) {
    if (name === 'commands' && type === 'StringList' && !(name in docParameters)) {
      issues.push(issue(at(inputsPath, 'Parameters'), 'MissingDocumentParameter', `${String(docName)} requires parameter 'commands'.`));
    }
  }
  return issues;
}

const BRANCH_OPERATORS = new Set([
  'StringEquals',
  'EqualsIgnoreCase',
  'StartsWith',
  'EndsWith',
  'Contains',
  'NumericEquals',
  'NumericGreater',
  'NumericLesser',
  'NumericGreaterOrEquals',
  'NumericLesserOrEquals',
  'BooleanEquals',
]);

function branchIssues(info: StepInfo, inputs: JsonObject): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const choices = inputs['Choices'];
  const path = at(info.path, 'inputs');
  if (!Array.isArray(choices) || choices.length === 0) {
    issues.push(issue(at(path, 'Choices'), 'MissingChoices', 'aws:branch needs a non-empty Choices list.'));
    return issues;
  }
  const checkRule = (rule: JsonValue, rulePath: string, top: boolean): void => {
    if (!isJsonObject(rule)) {
      issues.push(issue(rulePath, 'InvalidChoice', 'A choice must be an object.'));
      return;
    }
    if (top && typeof rule['NextStep'] !== 'string') issues.push(issue(rulePath, 'MissingNextStep', 'Each choice needs a NextStep.'));
    for (const combinator of ['And', 'Or'] as const) {
      const list = rule[combinator];
      if (list === undefined) continue;
      if (!Array.isArray(list) || list.length === 0) {
        issues.push(issue(at(rulePath, combinator), 'InvalidChoice', `${combinator} needs a non-empty list of rules.`));
      } else {
        list.forEach((sub, i) => checkRule(sub, at(at(rulePath, combinator), i), false));
      }
      return;
    }
    if (rule['Not'] !== undefined) {
      checkRule(rule['Not'], at(rulePath, 'Not'), false);
      return;
    }
    const operators = Object.keys(rule).filter((k) => k !== 'NextStep' && k !== 'Variable');
    // "Unsupported operations are rejected at document creation" (automation-action-branch).
    if (typeof rule['Variable'] !== 'string') issues.push(issue(rulePath, 'MissingVariable', 'A choice rule needs a Variable.'));
    const valid = operators.filter((o) => BRANCH_OPERATORS.has(o));
    for (const op of operators.filter((o) => !BRANCH_OPERATORS.has(o))) {
      issues.push(issue(at(rulePath, op), 'UnknownOperator', `'${op}' is not an aws:branch operator.`));
    }
    if (valid.length !== 1) issues.push(issue(rulePath, 'InvalidChoice', `A choice rule needs exactly one operator (found ${valid.length}).`));
  };
  choices.forEach((choice, i) => checkRule(choice, at(at(path, 'Choices'), i), true));
  return issues;
}

/** Every `{{ … }}` reference in a value, with the JSON path of the string that holds it. */
function placeholders(value: JsonValue, path: string, out: Array<{ ref: string; path: string; whole: boolean }> = []) {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.test(value);
    for (const m of value.matchAll(PLACEHOLDER)) out.push({ ref: m[1]!, path, whole });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => placeholders(v, at(path, i), out));
  } else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) placeholders(v, at(path, k), out);
  }
  return out;
}

function declaredOutputs(info: StepInfo): Set<string> {
  const outputs = new Set(BUILT_IN_OUTPUTS[info.action] ?? []);
  const declared = info.step['outputs'];
  if (Array.isArray(declared)) for (const o of declared) if (isJsonObject(o) && typeof o['Name'] === 'string') outputs.add(o['Name']);
  return outputs;
}

function referenceIssues(
  doc: JsonObject,
  steps: readonly StepInfo[],
  byName: ReadonlyMap<string, StepInfo>,
  parameters: JsonObject,
  base: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const used = new Set<string>();
  const completed = completedBefore(steps, byName);
  const checkRef = (ref: string, path: string, from: StepInfo | undefined): void => {
    if (SYSTEM_VARIABLES.has(ref)) return;
    if (ref.startsWith('ssm:')) {
      // automation-variables: Parameter Store references are allowed only in parameter defaults.
      issues.push(issue(path, 'ParameterStoreReferenceInStep', `'{{${ref}}}' is not allowed here: reference Parameter Store only in a parameter's default.`));
      return;
    }
    if (/^(automation|global):/.test(ref)) {
      issues.push(issue(path, 'UnknownVariable', `'{{${ref}}}' is not a supported Automation variable (supported: ${[...SYSTEM_VARIABLES].join(', ')}).`));
      return;
    }
    const dot = ref.indexOf('.');
    if (dot === -1) {
      used.add(ref);
      if (!(ref in parameters)) issues.push(issue(path, 'UndeclaredParameter', `'{{${ref}}}' refers to parameter '${ref}', which the runbook does not declare.`));
      return;
    }
    const stepName = ref.slice(0, dot);
    const output = ref.slice(dot + 1);
    const target = byName.get(stepName);
    if (target === undefined) {
      issues.push(issue(path, 'UnknownStepReference', `'{{${ref}}}' refers to step '${stepName}', which does not exist.`));
      return;
    }
    const outputs = declaredOutputs(target);
    if (!outputs.has(output)) {
      const nested = [...outputs].find((o) => output.startsWith(`${o}.`));
      issues.push(
        issue(
          path,
          'UnknownStepOutput',
          nested !== undefined
            ? `'{{${ref}}}' selects inside output '${nested}'; Automation cannot select within an output, declare an output with a Selector instead.`
            : `'{{${ref}}}' refers to output '${output}', which step '${stepName}' (${target.action}) does not produce.`,
        ),
      );
      return;
    }
    if (from !== undefined && !completed.get(from.name)?.has(stepName)) {
      const failure = from.step['onFailure'];
      const handled = stepTarget(failure) !== undefined || failure === 'Continue';
      if (!handled) {
        issues.push(
          issue(
            path,
            'OutputMayBeUnresolved',
            `Step '${stepName}' may not have completed when step '${from.name}' runs, so '{{${ref}}}' may not resolve; give '${from.name}' an onFailure step that does not need it.`,
            'warning',
          ),
        );
      }
    }
  };
  for (const info of steps) {
    for (const { ref, path } of placeholders(info.step['inputs'] ?? {}, at(info.path, 'inputs'))) checkRef(ref, path, info);
  }
  if (doc['assumeRole'] !== undefined) {
    for (const { ref, path } of placeholders(doc['assumeRole'], at(base, 'assumeRole'))) checkRef(ref, path, undefined);
  }
  if (Array.isArray(doc['outputs'])) {
    doc['outputs'].forEach((o, i) => {
      if (typeof o === 'string') checkRef(o, at(at(base, 'outputs'), i), undefined);
    });
  }
  for (const name of Object.keys(parameters)) {
    if (!used.has(name)) issues.push(issue(at(at(base, 'parameters'), name), 'UnusedParameter', `Parameter '${name}' is never referenced.`, 'warning'));
  }
  return issues;
}

/**
 * For each step, the steps that have certainly completed successfully whenever it runs (a forward
 * must-analysis over success edges). Failure and cancel edges add nothing: a failed step's outputs may be missing.
 */
function completedBefore(steps: readonly StepInfo[], byName: ReadonlyMap<string, StepInfo>): Map<string, Set<string>> {
  const all = new Set(steps.map((s) => s.name));
  const state = new Map<string, Set<string>>(steps.map((s) => [s.name, new Set(all)]));
  const first = steps[0];
  if (first === undefined) return state;
  state.set(first.name, new Set());
  let changed = true;
  for (let round = 0; changed && round < steps.length + 2; round++) {
    changed = false;
    const incoming = new Map<string, Set<string>[]>();
    for (const info of steps) {
      const before = state.get(info.name)!;
      for (const edge of edges(info, steps).edges) {
        if (!byName.has(edge.to)) continue;
        const after = new Set(before);
        if (edge.kind === 'success') after.add(info.name);
        const list = incoming.get(edge.to) ?? [];
        list.push(after);
        incoming.set(edge.to, list);
      }
    }
    for (const info of steps) {
      if (info === first) continue;
      const sets = incoming.get(info.name);
      if (sets === undefined) continue;
      const meet = new Set([...sets[0]!].filter((n) => sets.every((s) => s.has(n))));
      const old = state.get(info.name)!;
      if (meet.size !== old.size || [...meet].some((n) => !old.has(n))) {
        state.set(info.name, meet);
        changed = true;
      }
    }
  }
  return state;
}

type CallbackKind = 'success' | 'failure' | 'heartbeat';

/** `aws:executeAwsApi` with Service stepfunctions and Api SendTaskSuccess/Failure (any spelling). */
function callbackKind(info: StepInfo): CallbackKind | undefined {
  if (info.action !== 'aws:executeAwsApi') return undefined;
  const inputs = isJsonObject(info.step['inputs']) ? info.step['inputs'] : {};
  const service = typeof inputs['Service'] === 'string' ? inputs['Service'].toLowerCase() : '';
  if (!['stepfunctions', 'states', 'sfn'].includes(service)) return undefined;
  const api = typeof inputs['Api'] === 'string' ? inputs['Api'].replace(/_/g, '').toLowerCase() : '';
  if (api === 'sendtasksuccess') return 'success';
  if (api === 'sendtaskfailure') return 'failure';
  if (api === 'sendtaskheartbeat') return 'heartbeat';
  return undefined;
}

/**
 * D11: a runbook that takes a task token must call it back on every way it can end, or the state machine
 * waits until its Task timeout (by default 99999999 s). We check each step's three outcomes (success,
 * failure, cancellation): each must lead to a callback. A failed SendTaskSuccess must fall back to
 * SendTaskFailure; a failed SendTaskFailure may end the run (nothing is left to call).
 */
function callbackIssues(steps: readonly StepInfo[], byName: ReadonlyMap<string, StepInfo>, parameters: JsonObject): ValidationIssue[] {
  const callbacks = steps.filter((s) => callbackKind(s) === 'success' || callbackKind(s) === 'failure');
  if (callbacks.length === 0) return [];
  const tokenParams = Object.keys(parameters).filter((p) => p.toLowerCase().includes('token'));
  if (tokenParams.length === 0) return [];
  const issues: ValidationIssue[] = [];
  // Each step is judged on its own exits, so one missing callback is reported once, where it is.
  const outcomeOk = (info: StepInfo) => {
    const kind = callbackKind(info);
    const { edges: out, endsOnSuccess, endsOnFailure } = edges(info, steps);
    const calls = kind === 'success' || kind === 'failure';
    const success = calls || !endsOnSuccess;
    const failure = kind === 'failure' || !endsOnFailure;
    const cancel = kind === 'failure' || out.some((e) => e.kind === 'cancel' && byName.has(e.to));
    return { success, failure, cancel };
  };
  for (const info of steps) {
    const kind = callbackKind(info);
    const { success, failure, cancel } = outcomeOk(info);
    if (!success) {
      issues.push(issue(info.path, 'CallbackMissingOnSuccess', `When step '${info.name}' succeeds, the runbook can end without calling the task token back (SendTaskSuccess/SendTaskFailure), so the state machine waits until its Task timeout.`));
    }
    if (!failure) {
      issues.push(
        issue(
          at(info.path, 'onFailure'),
          'CallbackMissingOnFailure',
          kind === 'success'
            ? `If SendTaskSuccess step '${info.name}' fails, nothing calls the task token back; set onFailure to a SendTaskFailure step.`
            : `If step '${info.name}' fails, the runbook ends without calling the task token back; set onFailure to a step that leads to SendTaskFailure.`,
        ),
      );
    }
    const output = isJsonObject(info.step['inputs']) ? info.step['inputs']['output'] : undefined;
    if (kind === 'success' && typeof output === 'string' && !output.includes('{{')) {
      // D9: a constant output (the original's "{}") throws the command's result away.
      issues.push(issue(at(at(info.path, 'inputs'), 'output'), 'CallbackDiscardsResult', `SendTaskSuccess step '${info.name}' sends a constant output, so the state machine never learns the command id or status.`, 'warning'));
    }
    if (!cancel) {
      issues.push(issue(at(info.path, 'onCancel'), 'CallbackMissingOnCancel', `If the automation is cancelled during step '${info.name}', nothing calls the task token back; set onCancel to a SendTaskFailure step.`));
    }
  }
  return issues;
}
