/**
 * `variableReferences` of DescribeStateMachine / DescribeStateMachineForExecution: "A map of state name to a list of
 * variables referenced by that state. States that do not use variable references will not be shown in the response"
 * (API reference). Each state's references are the `$name` variables its own fields read (paths, intrinsic
 * arguments, Choice rules, JSONata expressions), sorted, nested states under their own names (recorded: a Choice's
 * `Variable` and `StringEqualsPath` give `["answer", "guess"]`, and `$states`, function names and `$$` are not
 * variables).
 */
import type jsonataModule from 'jsonata';
import { lazyRequire } from '../../model/lazy-require.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';

const jsonata = lazyRequire<typeof jsonataModule>('jsonata');

/** The fields whose string value is a JSONPath reference path. */
const PATH_FIELDS = [
  'InputPath',
  'OutputPath',
  'ItemsPath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'ErrorPath',
  'CausePath',
  'MaxConcurrencyPath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
];
/** The fields that are payload templates (`"key.$": path or intrinsic`). */
const TEMPLATE_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign', 'Credentials'];
/** Fields holding nested workflows, whose states are listed under their own names. */
const NESTED = new Set(['Branches', 'ItemProcessor', 'Iterator']);

const cache = new WeakMap<object, Readonly<Record<string, readonly string[]>>>();

/** The variable references of a definition, or undefined when no state references a variable. */
export function variableReferences(definition: JsonObject): Readonly<Record<string, readonly string[]>> | undefined {
  let refs = cache.get(definition);
  if (refs === undefined) {
    const found = new Map<string, Set<string>>();
    collectWorkflow(definition, definition['QueryLanguage'] === 'JSONata', found, 0);
    const out: Record<string, readonly string[]> = {};
    for (const [state, names] of found) if (names.size > 0) out[state] = [...names].sort();
    refs = out;
    cache.set(definition, refs);
  }
  return Object.keys(refs).length === 0 ? undefined : refs;
}

/** Deeper nesting than this is not walked (the schema check bounds the depth of accepted definitions). */
const MAX_DEPTH = 100;

function collectWorkflow(workflow: JsonObject, machineJsonata: boolean, found: Map<string, Set<string>>, depth: number): void {
  const states = workflow['States'];
  if (!isJsonObject(states) || depth > MAX_DEPTH) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    const own = state['QueryLanguage'];
    const jsonataState = own === 'JSONata' || (own === undefined && machineJsonata);
    const names = found.get(name) ?? new Set<string>();
    found.set(name, names);
    if (jsonataState) collectJsonata(state, names);
    else collectJsonPath(state, names);
    for (const key of NESTED) {
      const nested = state[key];
      if (Array.isArray(nested)) nested.forEach((branch) => isJsonObject(branch) && collectWorkflow(branch, machineJsonata, found, depth + 1));
      else if (isJsonObject(nested)) collectWorkflow(nested, machineJsonata, found, depth + 1);
    }
  }
}

// ---------------------------------------------------------------- JSONPath

const PATH_VARIABLE = /^\$([\p{L}_][\p{L}\p{N}_]*)/u;
/** `$name` in an intrinsic call, outside its single-quoted strings (`$$` and `$.` are not variables). */
const INTRINSIC_VARIABLE = /'(?:\\.|[^'\\])*'|\$\$|\$([\p{L}_][\p{L}\p{N}_]*)/gu;

function collectJsonPath(state: JsonObject, names: Set<string>): void {
  for (const field of PATH_FIELDS) addPath(state[field], names);
  for (const field of TEMPLATE_FIELDS) addTemplate(state[field], names);
  for (const holder of ['ItemReader', 'ResultWriter', 'ItemBatcher']) {
    const block = state[holder];
    if (!isJsonObject(block)) continue;
    addTemplate(block['Parameters'], names);
    addTemplate(block['BatchInput'], names);
    const config = block['ReaderConfig'];
    if (isJsonObject(config)) addPath(config['MaxItemsPath'], names);
  }
  const choices = state['Choices'];
  if (Array.isArray(choices)) for (const rule of choices) addChoiceRule(rule, names);
  const catchers = state['Catch'];
  if (Array.isArray(catchers)) for (const catcher of catchers) if (isJsonObject(catcher)) addTemplate(catcher['Assign'], names);
}

function addPath(value: JsonValue | undefined, names: Set<string>): void {
  if (typeof value !== 'string') return;
  const match = PATH_VARIABLE.exec(value);
  if (match !== null) names.add(match[1]!);
}

function addExpression(value: string, names: Set<string>): void {
  if (!value.startsWith('States.')) {
    addPath(value, names);
    return;
  }
  for (const match of value.matchAll(INTRINSIC_VARIABLE)) if (match[1] !== undefined) names.add(match[1]);
}

function addTemplate(value: JsonValue | undefined, names: Set<string>, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) addTemplate(item, names, depth + 1);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.endsWith('.$') && typeof item === 'string') addExpression(item, names);
    else addTemplate(item, names, depth + 1);
  }
}

function addChoiceRule(rule: JsonValue, names: Set<string>, depth = 0): void {
  if (!isJsonObject(rule) || depth > MAX_DEPTH) return;
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || (key.endsWith('Path') && key !== 'ResultPath')) addPath(value, names);
    else if (key === 'And' || key === 'Or') (Array.isArray(value) ? value : []).forEach((sub) => addChoiceRule(sub, names, depth + 1));
    else if (key === 'Not') addChoiceRule(value, names, depth + 1);
    else if (key === 'Assign') addTemplate(value, names);
  }
}

// ---------------------------------------------------------------- JSONata

function collectJsonata(value: JsonValue | undefined, names: Set<string>, key?: string, depth = 0): void {
  if ((key !== undefined && NESTED.has(key)) || depth > MAX_DEPTH) return;
  if (typeof value === 'string') {
    const match = /^\{%([\s\S]*)%\}$/.exec(value);
    if (match !== null) addJsonata(match[1]!, names);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectJsonata(item, names, undefined, depth + 1);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [k, item] of Object.entries(value)) collectJsonata(item, names, k, depth + 1);
}

type AstNode = { readonly type?: string; readonly value?: unknown; readonly [key: string]: unknown };

/** The free variables of a JSONata expression: not `$states`, `$`/`$$`, function names, bindings or lambda parameters. */
function addJsonata(expression: string, names: Set<string>): void {
  let ast: AstNode;
  try {
    ast = jsonata()(expression).ast() as AstNode;
  } catch {
    return;
  }
  const bound = new Set<string>(['', '$', 'states']);
  const used: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as AstNode;
    if (n.type === 'variable' && typeof n.value === 'string') {
      used.push(n.value);
      return;
    }
    if (n.type === 'bind' && (n['lhs'] as AstNode | undefined)?.type === 'variable') {
      bound.add(String((n['lhs'] as AstNode).value));
      walk(n['rhs']);
      return;
    }
    if (n.type === 'lambda') {
      for (const arg of (n['arguments'] as AstNode[] | undefined) ?? []) bound.add(String(arg.value));
      walk(n['body']);
      return;
    }
    if ((n.type === 'function' || n.type === 'partial') && (n['procedure'] as AstNode | undefined)?.type === 'variable') {
      walk(n['arguments']);
      return;
    }
    for (const [key, child] of Object.entries(n)) if (key !== 'position' && key !== 'value') walk(child);
  };
  try {
    walk(ast);
  } catch {
    // A pathological expression (its parse tree too deep to walk) lists no variables rather than failing the call.
    return;
  }
  for (const name of used) if (!bound.has(name)) names.add(name);
}
