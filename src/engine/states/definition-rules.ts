/**
 * Checks AWS makes on a state machine definition when it is created, updated or validated, in AWS's words, beyond the
 * schema check of `src/validate/asl.ts`: the required top-level fields, query-language downgrades, RFC 3339
 * timestamps, `Credentials.RoleArn`, `.$` fields that are neither a path nor an intrinsic function, Task resources
 * that name no service integration, and the Distributed Map `Label`. Each message is recorded in AWS's API suites
 * unless its comment says otherwise.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { parseIntrinsic } from './intrinsics.js';

/** One problem, as a ValidateStateMachineDefinition diagnostic. */
export interface Diagnostic {
  readonly code: string;
  readonly message: string;
  /** `/States/<name>/<field>`, or `/` for the whole definition. */
  readonly location: string;
}

const SCHEMA = 'SCHEMA_VALIDATION_FAILED';
/** Nested workflows deeper than this are left to the schema check's own depth limit (no recursion without bound). */
const MAX_DEPTH = 100;

/** Every rule violation of `definition`, in document order. */
export function definitionDiagnostics(definition: JsonObject): Diagnostic[] {
  const out: Diagnostic[] = [];
  checkWorkflow(definition, '', definition['QueryLanguage'] === 'JSONata', out, 0);
  return out;
}

/**
 * One workflow (the machine, a branch, an item processor). States without their own QueryLanguage use the machine's;
 * a JSONata machine forbids JSONPath states anywhere, while a JSONPath machine's JSONata Map may hold JSONPath states
 * (recorded: VALID_QUERY_LANGUAGE_PASS).
 */
function checkWorkflow(workflow: JsonObject, base: string, machineJsonata: boolean, out: Diagnostic[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  // "These fields are required: [States, StartAt]" at "/" (recorded for `{}` and a definition without StartAt).
  const missing = ['States', 'StartAt'].filter((field) => workflow[field] === undefined);
  if (missing.length > 0) {
    out.push({ code: SCHEMA, message: `These fields are required: [${missing.join(', ')}]`, location: base === '' ? '/' : base });
    return;
  }
  const states = workflow['States'];
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    const at = `${base}/States/${name}`;
    const own = state['QueryLanguage'];
    const language = own === 'JSONata' || own === 'JSONPath' ? own : machineJsonata ? 'JSONata' : 'JSONPath';
    if (own === 'JSONPath' && machineJsonata) {
      out.push({ code: SCHEMA, message: "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", location: at });
    }
    checkState(state, at, language, out);
    const branches = state['Branches'];
    if (Array.isArray(branches)) branches.forEach((branch, i) => isJsonObject(branch) && checkWorkflow(branch, `${at}/Branches[${i}]`, machineJsonata, out, depth + 1));
    for (const key of ['ItemProcessor', 'Iterator']) {
      const processor = state[key];
      if (isJsonObject(processor)) checkWorkflow(processor, `${at}/${key}`, machineJsonata, out, depth + 1);
    }
  }
}

function checkState(state: JsonObject, at: string, language: 'JSONPath' | 'JSONata', out: Diagnostic[]): void {
  if (state['Type'] === 'Wait') checkTimestamp(state['Timestamp'], `${at}/Timestamp`, language, out);
  if (state['Type'] === 'Task') {
    checkCredentials(state['Credentials'], `${at}/Credentials`, out);
    checkResource(state['Resource'], `${at}/Resource`, out);
  }
  if (language === 'JSONPath') {
    for (const field of ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign']) checkPayload(state[field], `${at}/${field}`, out);
    if (isJsonObject(state['Credentials'])) checkPayload(state['Credentials'], `${at}/Credentials`, out);
    for (const list of ['Catch', 'Choices']) {
      const entries = state[list];
      if (Array.isArray(entries)) entries.forEach((entry, i) => isJsonObject(entry) && checkPayload(entry['Assign'], `${at}/${list}[${i}]/Assign`, out));
    }
  }
}

/** A literal Wait `Timestamp` must be RFC 3339 (a JSONata expression is checked when it runs, in JSONata states). */
function checkTimestamp(value: JsonValue | undefined, at: string, language: 'JSONPath' | 'JSONata', out: Diagnostic[]): void {
  if (typeof value !== 'string') return;
  if (language === 'JSONata' && /^\{%[\s\S]*%\}$/.test(value)) return;
  if (!isRfc3339(value)) out.push({ code: SCHEMA, message: 'String does not match RFC3339 timestamp', location: at });
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/i;

export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (m === null) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const days = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  return mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= days && h! <= 23 && mi! <= 59 && s! <= 60;
}

/** `Credentials` must name the role: "The field 'RoleArn' is required but was missing". */
function checkCredentials(value: JsonValue | undefined, at: string, out: Diagnostic[]): void {
  if (!isJsonObject(value)) return;
  if (value['RoleArn'] === undefined && value['RoleArn.$'] === undefined) {
    out.push({ code: SCHEMA, message: "The field 'RoleArn' is required but was missing", location: at });
  }
}

/** "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call", at the payload. */
function checkPayload(value: JsonValue | undefined, at: string, out: Diagnostic[], depth = 0): void {
  if (!isJsonObject(value) || depth > MAX_DEPTH) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.endsWith('.$')) {
      if (typeof item !== 'string' || !isPathOrIntrinsic(item)) {
        out.push({ code: SCHEMA, message: `The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`, location: at });
      }
    } else if (isJsonObject(item)) {
      checkPayload(item, `${at}/${key}`, out, depth + 1);
    } else if (Array.isArray(item)) {
      item.forEach((element, i) => isJsonObject(element) && checkPayload(element, `${at}/${key}[${i}]`, out, depth + 1));
    }
  }
}

function isPathOrIntrinsic(value: string): boolean {
  if (value.startsWith('States.')) {
    if (hasIllegalEscape(value)) return false;
    try {
      parseIntrinsic(value);
      return true;
    } catch {
      return false;
    }
  }
  return value.startsWith('$');
}

/**
 * Inside an intrinsic's single-quoted strings a backslash may escape only ' { } and \ ("Reserved characters",
 * intrinsic-functions page); AWS refuses a definition with any other escape, such as \" (recorded).
 */
function hasIllegalEscape(expression: string): boolean {
  let quoted = false;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (!quoted) {
      if (c === "'") quoted = true;
      continue;
    }
    if (c === '\\') {
      if (!"'{}\\".includes(expression[i + 1] ?? '')) return true;
      i++;
    } else if (c === "'") {
      quoted = false;
    }
  }
  return false;
}

/**
 * The optimized service integrations Step Functions recognizes, with the integration patterns each supports
 * (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html). Anything else under
 * `arn:aws:states:::` is refused: "The resource provided <arn> is not recognized. The value is not a valid resource
 * ARN, or the resource is not available in this region." (recorded for `dynamodb:query`).
 */
const OPTIMIZED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  lambda: { invoke: 'R,T' },
  batch: { submitJob: 'R,S' },
  dynamodb: { getItem: 'R', putItem: 'R', updateItem: 'R', deleteItem: 'R' },
  ecs: { runTask: 'R,S,T' },
  eks: { createCluster: 'R,S', deleteCluster: 'R,S', createFargateProfile: 'R,S', deleteFargateProfile: 'R,S', createNodegroup: 'R,S', deleteNodegroup: 'R,S', runJob: 'R,S', call: 'R' },
  sns: { publish: 'R,T' },
  sqs: { sendMessage: 'R,T' },
  glue: { startJobRun: 'R,S' },
  databrew: { startJobRun: 'R,S' },
  sagemaker: {
    createTrainingJob: 'R,S',
    createTransformJob: 'R,S',
    createProcessingJob: 'R,S',
    createHyperParameterTuningJob: 'R,S',
    createLabelingJob: 'R,S',
    createModel: 'R',
    createEndpoint: 'R',
    createEndpointConfig: 'R',
    updateEndpoint: 'R',
  },
  elasticmapreduce: {
    createCluster: 'R,S',
    terminateCluster: 'R,S',
    addStep: 'R,S',
    cancelStep: 'R',
    setClusterTerminationProtection: 'R',
    modifyInstanceFleetByName: 'R',
    modifyInstanceGroupByName: 'R',
  },
  'emr-containers': { startJobRun: 'R,S', createVirtualCluster: 'R', deleteVirtualCluster: 'R,S' },
  'emr-serverless': { createApplication: 'R,S', startApplication: 'R,S', stopApplication: 'R,S', deleteApplication: 'R,S', startJobRun: 'R,S', cancelJobRun: 'R,S' },
  codebuild: { startBuild: 'R,S', stopBuild: 'R', batchDeleteBuilds: 'R', batchGetReports: 'R', startBuildBatch: 'R,S', stopBuildBatch: 'R', retryBuildBatch: 'R,S', retryBuild: 'R,S', deleteBuildBatch: 'R' },
  athena: { startQueryExecution: 'R,S', stopQueryExecution: 'R', getQueryExecution: 'R', getQueryResults: 'R' },
  states: { startExecution: 'R,S,S2,T' },
  apigateway: { invoke: 'R,T' },
  events: { putEvents: 'R,T' },
  bedrock: { invokeModel: 'R', createModelCustomizationJob: 'R,S' },
  http: { invoke: 'R' },
  mediaconvert: { createJob: 'R,S' },
};

const PATTERN_CODES: Readonly<Record<string, string>> = { '': 'R', '.sync': 'S', '.sync:2': 'S2', '.waitForTaskToken': 'T' };

function checkResource(value: JsonValue | undefined, at: string, out: Diagnostic[]): void {
  if (typeof value !== 'string') return;
  const match = /^arn:aws[a-z-]*:states:::([^:]+):([^:.]+)((?:\.sync(?::2)?|\.waitForTaskToken)?)$/.exec(value);
  const prefix = /^arn:aws[a-z-]*:states:::/.test(value);
  if (!prefix || /^arn:aws[a-z-]*:states:::aws-sdk:/.test(value)) return;
  const allowed = match === null ? undefined : OPTIMIZED[match[1]!]?.[match[2]!];
  const pattern = match === null ? undefined : PATTERN_CODES[match[3] ?? ''];
  if (allowed === undefined || pattern === undefined || !allowed.split(',').includes(pattern)) {
    out.push({
      code: SCHEMA,
      message: `The resource provided ${value} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.`,
      location: at,
    });
  }
}

/**
 * The Distributed Map `Label`: "up to 40 characters ... can't contain whitespace, wildcards, brackets, special
 * characters or control characters" (state-map-distributed page). The wording and the order in which characters are
 * tried are those of the recordings (a Python `ValueError`, which suggests they were not made on AWS; see
 * docs/fidelity.md): the first invalid character in this list that the label contains is named.
 */
const LABEL_INVALID: readonly string[] = [
  ...' ?*<>{}[]:;,\\|^~$#%&`"',
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  ...Array.from({ length: 0xa0 - 0x7f }, (_, i) => String.fromCharCode(0x7f + i)),
];

/** The first Map `Label` problem of a definition (depth first, in document order), or undefined. */
export function mapLabelProblem(workflow: JsonObject, depth = 0): string | undefined {
  const states = workflow['States'];
  if (depth > MAX_DEPTH) return undefined;
  if (!isJsonObject(states)) return undefined;
  for (const state of Object.values(states)) {
    if (!isJsonObject(state)) continue;
    if (state['Type'] === 'Map' && 'Label' in state) {
      const label = state['Label'];
      if (typeof label === 'string') {
        if (label.length === 0) return 'Label cannot be empty';
        if (label.length > 40) return 'Label cannot exceed 40 characters';
        const bad = LABEL_INVALID.find((ch) => label.includes(ch));
        if (bad !== undefined) return `Label contains invalid character: '${escapeChar(bad)}'`;
      }
    }
    const nested = [...(Array.isArray(state['Branches']) ? state['Branches'] : []), state['ItemProcessor'], state['Iterator']];
    for (const sub of nested) {
      if (!isJsonObject(sub)) continue;
      const problem = mapLabelProblem(sub, depth + 1);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** A character as Python's `unicode-escape` codec writes it: `\n`, `\x00`, `\\`; printable ASCII as itself. */
function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\\') return '\\\\';
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  if (code < 0x20 || (code >= 0x7f && code <= 0xff)) return `\\x${code.toString(16).padStart(2, '0')}`;
  return ch;
}

/**
 * The recorded message for a Map `Label` problem: the Python repr of the error's arguments inside the definition
 * text ("Error=ValueError Args=['Label cannot be empty'] in definition '<definition>'.").
 */
export function mapLabelMessage(problem: string, definitionText: string): string {
  return `Error=ValueError Args=[${pythonRepr(problem)}] in definition '${definitionText}'.`;
}

/** Python's `repr` of a string: single quotes unless the text has one and no double quote; backslashes doubled. */
function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}
