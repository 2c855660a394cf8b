/**
 * asl-validator 4.0's `validator(definition, { checkPaths: true, checkArn: true })` in time linear in the
 * definition's size. Its JSON schema check runs the validator generated at build time (`generated/asl-schema.ts`,
 * memoized per nested workflow) instead of an Ajv it builds and compiles on every call; its graph checks are
 * reproduced with one walk per query and set lookups instead of `jsonpath-plus` `$..` queries and `indexOf`
 * scans, which took 2 s for 16,000 states. The per-state rules (`AtMostOne`, `ExactlyOne`) are its own modules.
 * Everything else is reproduced step for step, down to the TypeErrors it throws on shapes it cannot walk, and
 * test/validate/asl-validator.test.ts compares the result with asl-validator's on every conformance case and on
 * broken variants of them. Adapted from asl-validator 4.0.0, Copyright 2017 Christophe Bougère, Apache License 2.0
 * (node_modules/asl-validator/LICENSE and NOTICE).
 */
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { validateStateMachineSchema, validateStateMachineSchemaInSlices } from './generated/asl-schema.js';

export interface AslValidatorError {
  readonly 'Error code': string;
  readonly Message: string;
  readonly schemaError?: { readonly instancePath: string; readonly schemaPath: string };
}

interface StateEntry {
  readonly stateName: string;
  readonly state: Readonly<Record<string, unknown>>;
}
type StateFilter = (entry: StateEntry) => boolean;
type StateChecker = (entry: StateEntry) => AslValidatorError | null;
interface StateCheck {
  readonly filter: StateFilter;
  readonly checker: StateChecker;
}
interface StateChecksModule {
  readonly AtMostOne: (rule: { props: string[]; errorCode: string; path?: string }) => StateChecker;
  readonly ExactlyOne: (rule: { props: string[]; errorCode: string }) => StateChecker;
  readonly IsChoice: StateFilter;
  readonly IsFail: StateFilter;
  readonly IsMap: StateFilter;
  readonly IsSucceed: StateFilter;
  readonly IsTask: StateFilter;
  readonly IsWait: StateFilter;
}

const validateSchema: ((data: unknown) => boolean) & { readonly errors?: ErrorObject[] | null } = validateStateMachineSchema;

// asl-validator's modules are CommonJS without type declarations, next to its main module.
const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('asl-validator'));
const { AtMostOne, ExactlyOne, IsChoice, IsFail, IsMap, IsSucceed, IsTask, IsWait } = requireFromValidator('./checks/state-checks.js') as StateChecksModule;

/** The `stateChecks` list of asl-validator's `validator`, in its order (error codes are its StateMachineErrorCode values). */
const STATE_CHECKS: readonly StateCheck[] = [
  { filter: IsTask, checker: AtMostOne({ props: ['TimeoutSeconds', 'TimeoutSecondsPath'], errorCode: 'TASK_TIMEOUT' }) },
  { filter: IsTask, checker: AtMostOne({ props: ['HeartbeatSeconds', 'HeartbeatSecondsPath'], errorCode: 'TASK_HEARTBEAT' }) },
  { filter: IsMap, checker: ExactlyOne({ props: ['ItemProcessor', 'Iterator'], errorCode: 'MAP_ITEM_PROCESSOR' }) },
  { filter: IsMap, checker: AtMostOne({ props: ['ItemSelector', 'Parameters'], errorCode: 'MAP_ITEM_SELECTOR' }) },
  { filter: IsWait, checker: ExactlyOne({ props: ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'], errorCode: 'WAIT_DURATION' }) },
  { filter: (entry) => !(IsSucceed(entry) || IsFail(entry) || IsChoice(entry)), checker: ExactlyOne({ props: ['End', 'Next'], errorCode: 'TERMINAL_STATE_WITH_NEXT' }) },
  { filter: IsMap, checker: AtMostOne({ props: ['ToleratedFailureCount', 'ToleratedFailureCountPath'], errorCode: 'MAP_TOLERATED_FAILURE' }) },
  { filter: IsMap, checker: AtMostOne({ props: ['ToleratedFailurePercentage', 'ToleratedFailurePercentagePath'], errorCode: 'MAP_TOLERATED_FAILURE' }) },
  { filter: IsMap, checker: AtMostOne({ props: ['MaxConcurrency', 'MaxConcurrencyPath'], errorCode: 'MAP_CONCURRENCY_ERROR' }) },
  { filter: IsMap, checker: AtMostOne({ props: ['Items', 'ItemsPath'], errorCode: 'MAP_ITEMS_ERROR' }) },
  { filter: IsMap, checker: AtMostOne({ props: ['MaxItems', 'MaxItemsPath'], path: '$.ItemReader.ReaderConfig', errorCode: 'MAP_ITEMREADER_MAXITEM' }) },
  { filter: IsMap, checker: AtMostOne({ props: ['MaxItemsPerBatch', 'MaxItemsPerBatchPath'], path: '$.ItemBatcher', errorCode: 'MAP_ITEM_BATCHER' }) },
  { filter: IsMap, checker: AtMostOne({ props: ['MaxInputBytesPerBatch', 'MaxInputBytesPerBatchPath'], path: '$.ItemBatcher', errorCode: 'MAP_ITEM_BATCHER' }) },
  { filter: IsFail, checker: AtMostOne({ props: ['Cause', 'CausePath'], errorCode: 'FAIL_CAUSE_PROPERTY' }) },
  { filter: IsFail, checker: AtMostOne({ props: ['Error', 'ErrorPath'], errorCode: 'FAIL_ERROR_PROPERTY' }) },
];

/**
 * asl-validator's `validator`: the schema errors, or when there are none the graph and state checks. Like it,
 * writes the default QueryLanguage into every state and throws a TypeError on a state it cannot walk.
 */
export function aslValidator(definition: { readonly QueryLanguage?: unknown }): AslValidatorError[] {
  const found = prefill(definition);
  const errors = schemaErrors(validateSchema(definition), validateSchema.errors);
  return errors.length > 0 ? errors : graphAndStateErrors(found);
}

/**
 * The same answer, with the schema check done state by state, awaiting `pause()` between states when it returns a
 * promise: a 1 MB definition took the thread for ~200 ms in one piece.
 */
export async function aslValidatorInSlices(
  definition: { readonly QueryLanguage?: unknown },
  pause: () => Promise<void> | undefined,
  pauseBetweenChecks: () => Promise<void>,
): Promise<AslValidatorError[]> {
  const found = descendants(definition, QUERIES);
  await pauseBetweenChecks();
  fillQueryLanguage(definition, found);
  await pauseBetweenChecks();
  const { valid, errors: schema } = (await validateStateMachineSchemaInSlices(definition, pause)) as { valid: boolean; errors?: ErrorObject[] | null };
  const errors = schemaErrors(valid, schema);
  if (errors.length > 0) return errors;
  const checks = [
    () => missingTransitionTargetErrors(found),
    () => stateTransitionsErrors(found),
    () => duplicateStateNames(found),
    () => missingTerminalStateErrors(found),
    () => duplicateFieldNames(found),
    () => stateChecks(found, STATE_CHECKS),
  ];
  for (const check of checks) {
    await pauseBetweenChecks();
    errors.push(...check());
  }
  return errors;
}

/** Writes the default QueryLanguage into every state, as asl-validator does; answers the checks' `$..` queries. */
function prefill(definition: { readonly QueryLanguage?: unknown }): Found {
  // One walk answers every `$..` query of the checks: the prefill adds no objects, and nothing else writes.
  const found = descendants(definition, QUERIES);
  fillQueryLanguage(definition, found);
  return found;
}

function fillQueryLanguage(definition: { readonly QueryLanguage?: unknown }, found: Found): void {
  const defaultQueryLanguage = definition.QueryLanguage ?? 'JSONPath';
  for (const states of found.States as Record<string, Record<string, unknown>>[]) {
    for (const state of Object.values(states)) {
      if (!state['QueryLanguage']) state['QueryLanguage'] = defaultQueryLanguage;
    }
  }
}

function graphAndStateErrors(found: Found): AslValidatorError[] {
  return [
    ...missingTransitionTargetErrors(found),
    ...stateTransitionsErrors(found),
    ...duplicateStateNames(found),
    ...missingTerminalStateErrors(found),
    ...duplicateFieldNames(found),
    ...stateChecks(found, STATE_CHECKS),
  ];
}

type Json = Record<string, unknown>;

/** The `$..` queries of asl-validator's checks, by the name their answers go under. */
const QUERIES = {
  States: ['States'],
  Transitions: ['StartAt', 'Next', 'Default'],
  Branches: ['Branches'],
  Iterator: ['Iterator'],
  Templates: ['Parameters', 'ResultSelector'],
} as const;
type Found = Readonly<Record<keyof typeof QUERIES, unknown[]>>;

/**
 * For each query, what `JSONPath({ json: root, path: '$..[a,b]' })` returns: at every object or array, from the
 * root down in document order (an object's own members before its children's), the values of its own members
 * named in the query, in that order. Iterative, so no nesting overflows the stack.
 */
function descendants<Q extends Readonly<Record<string, readonly string[]>>>(root: unknown, queries: Q): Record<keyof Q, unknown[]> {
  const entries = Object.entries(queries).map(([key, names]) => ({ names, found: [] as unknown[], key }));
  const stack: unknown[] = [root];
  const children: unknown[] = [];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    for (const { names, found } of entries) for (const name of names) if (Object.hasOwn(node, name)) found.push((node as Json)[name]);
    for (const key in node) {
      const child = (node as Json)[key];
      if (typeof child === 'object' && child !== null) children.push(child);
    }
    while (children.length > 0) stack.push(children.pop());
  }
  return Object.fromEntries(entries.map(({ key, found }) => [key, found])) as Record<keyof Q, unknown[]>;
}

/** What `JSONPath({ json: value, path: '$.name' })` returns. */
function member(value: unknown, name: string): unknown[] | undefined {
  if (!value) return undefined;
  return Object.hasOwn(value, name) ? [(value as Json)[name]] : [];
}

/** `checks/missing-transition-target-errors`: unreachable states and transitions to states that do not exist. */
function missingTransitionTargetErrors(found: Found): AslValidatorError[] {
  const machineStates: string[] = [];
  for (const states of found.States) machineStates.push(...Object.keys(states as Json));
  const reachableStates = [...new Set(found.Transitions)];
  const reachable = new Set(reachableStates);
  const existing = new Set<unknown>(machineStates);
  const unreachable = machineStates
    .filter((state) => !reachable.has(state))
    .map((state) => ({ 'Error code': 'MISSING_TRANSITION_TARGET', Message: `State ${state} is not reachable` }));
  const inexistant = reachableStates
    .filter((state) => !existing.has(state))
    .map((state) => ({ 'Error code': 'MISSING_TRANSITION_TARGET', Message: `Missing 'StartAt'|'Next'|'Default' target: ${String(state)}` }));
  return [...unreachable, ...inexistant];
}

/** `checks/state-transitions-errors`: no state inside a Parallel branch or a Map Iterator transitions out of it. */
function stateTransitionsErrors(found: Found): AslValidatorError[] {
  const errorMessages: AslValidatorError[] = [];
  // A container state's own Next and Default; every Next and Default inside any other state.
  const nextAndDefaultTargets = (nestedStateMachine: Json): unknown[] => {
    const states: unknown[] = [];
    for (const stateName of Object.keys(nestedStateMachine['States'] as Json)) {
      const nestedState = (nestedStateMachine['States'] as Json)[stateName] as Json;
      const isContainer = ['Map', 'Parallel'].indexOf(nestedState['Type'] as string) >= 0;
      if (isContainer) {
        states.push(...(member(nestedState, 'Next') ?? []), ...(member(nestedState, 'Default') ?? []));
      } else if (nestedState) {
        states.push(...descendants(nestedState, { targets: ['Next', 'Default'] }).targets);
      }
    }
    return states;
  };
  const validateNestedStateMachine = (nestedStateMachine: Json): unknown[] => {
    const availStateNames = new Set<unknown>();
    // Like asl-validator, throws when the value is not an object (`JSONPath` then answers undefined).
    (member(nestedStateMachine, 'States') as unknown[]).forEach((branchStates) => {
      for (const name of Object.keys(branchStates as Json)) availStateNames.add(name);
    });
    return nextAndDefaultTargets(nestedStateMachine).filter((state) => !availStateNames.has(state));
  };
  for (const parallelBranches of found.Branches as Json[][]) {
    parallelBranches.forEach((nestedStateMachine) => {
      for (const state of validateNestedStateMachine(nestedStateMachine)) {
        errorMessages.push({ 'Error code': 'BRANCH_OUTBOUND_TRANSITION_TARGET', Message: `Parallel branch state cannot transition to target: ${String(state)}` });
      }
    });
  }
  for (const nestedStateMachine of found.Iterator as Json[]) {
    for (const state of validateNestedStateMachine(nestedStateMachine)) {
      errorMessages.push({ 'Error code': 'MAP_OUTBOUND_TRANSITION_TARGET', Message: `Map branch state cannot transition to target: ${String(state)}` });
    }
  }
  return errorMessages;
}

/** `checks/duplicate-state-names-errors`, counting in a plain object as it does. */
function duplicateStateNames(found: Found): AslValidatorError[] {
  const names: Record<string, unknown> = {};
  for (const states of found.States) {
    for (const stateName of Object.keys(states as Json)) {
      const current = names[stateName] as number | undefined;
      names[stateName] = current ? current + 1 : 1;
    }
  }
  return Object.entries(names)
    .filter(([, value]) => (value as number) > 1)
    .map(([key]) => ({ 'Error code': 'DUPLICATE_STATE_NAMES', Message: `A state with this name already exists: ${key}` }));
}

/** `checks/missing-terminal-state-errors`: every States object needs an End, Succeed or Fail state. */
function missingTerminalStateErrors(found: Found): AslValidatorError[] {
  const errorMessages: AslValidatorError[] = [];
  let fsmId = 1;
  for (const states of found.States) {
    let terminals = 0;
    for (const state of Object.values(states as Json) as Json[]) {
      if (['Succeed', 'Fail'].indexOf(state['Type'] as string) !== -1 || state['End']) terminals++;
    }
    if (terminals === 0) errorMessages.push({ 'Error code': 'MISSING_TERMINAL_STATE', Message: `State machine fsm${fsmId} is missing a terminal state` });
    fsmId += 1;
  }
  return errorMessages;
}

/** `checks/duplicate-payload-template-fields`: no two fields of a payload template are the same once `.$` is stripped. */
function duplicateFieldNames(found: Found): AslValidatorError[] {
  const errorMessages: AslValidatorError[] = [];
  // Recursive as asl-validator's is; the definition's nesting is bounded before validation.
  const inspectKeys = (parent: Json): void => {
    const keys: Record<string, unknown> = {};
    Object.keys(parent).forEach((key) => {
      const keyPostEval = key.endsWith('.$') ? key.substring(0, key.length - 2) : key;
      const current = keys[keyPostEval] as number | undefined;
      if (current) {
        errorMessages.push({ 'Error code': 'DUPLICATE_FIELD_NAME', Message: `A duplicate field will exist after renaming to strip the ".$" suffix from: ${key}.$` });
      }
      keys[keyPostEval] = current ? current + 1 : 1;
      if (!!parent[key] && typeof parent[key] === 'object') inspectKeys(parent[key] as Json);
    });
  };
  for (const parent of found.Templates) inspectKeys(parent as Json);
  return errorMessages;
}

/** `checks/state-checks` `stateChecks`: each rule whose filter takes the state, on every state that has a Type. */
function stateChecks(found: Found, checks: readonly StateCheck[]): AslValidatorError[] {
  const errorMessages: AslValidatorError[] = [];
  for (const states of found.States) {
    for (const stateName of Object.keys(states as Json)) {
      const state = (states as Json)[stateName] as Readonly<Json>;
      if (!('Type' in state)) continue;
      const entry = { stateName, state };
      for (const check of checks) {
        if (!check.filter(entry)) continue;
        const error = check.checker(entry);
        if (error) errorMessages.push(error);
      }
    }
  }
  return errorMessages;
}

/** asl-validator's `jsonSchemaErrors`: of the deepest errors, the `oneOf` ones where there are some, deduplicated. */
function schemaErrors(valid: boolean, errors: readonly ErrorObject[] | null | undefined): AslValidatorError[] {
  if (valid) return [];
  let selected: ErrorObject[] = [];
  let deepest = 0;
  for (const error of errors ?? []) {
    const depth = error.instancePath.split('/').length;
    if (depth === deepest) selected.push(error);
    else if (depth > deepest) selected = [error];
    deepest = Math.max(deepest, depth);
  }
  const withOneOf = new Set(selected.filter((error) => error.keyword === 'oneOf').map((error) => error.instancePath));
  const mapped = selected
    .filter((error) => error.keyword === 'oneOf' || !withOneOf.has(error.instancePath))
    .map((error) => ({
      'Error code': 'SCHEMA_VALIDATION_FAILED',
      Message: `${error.instancePath} is invalid. ${error.message ?? ''}`,
      schemaError: { instancePath: error.instancePath, schemaPath: decodeURIComponent(error.schemaPath) },
    }));
  return mapped.filter(
    (error, i) => mapped.findIndex((other) => other.schemaError.schemaPath === error.schemaError.schemaPath && other.schemaError.instancePath === error.schemaError.instancePath) === i,
  );
}
