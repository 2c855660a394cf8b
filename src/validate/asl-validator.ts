/**
 * asl-validator 4.0's `validator(definition, { checkPaths: true, checkArn: true })`, with its JSON schema check
 * run by the validator generated at build time (`generated/asl-schema.ts`) instead of an Ajv it builds and
 * compiles on every call. The graph and state checks are asl-validator's own modules; `validator` and
 * `checks/json-schema-errors` are reproduced line for line, and test/validate/asl-validator.test.ts compares the
 * result with asl-validator's on every conformance case and on broken variants of them.
 * Those two parts are adapted from asl-validator 4.0.0, Copyright 2017 Christophe Bougère, Apache License 2.0
 * (node_modules/asl-validator/LICENSE and NOTICE).
 */
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { JSONPath } from 'jsonpath-plus';
import { validateStateMachineSchema } from './generated/asl-schema.js';

export interface AslValidatorError {
  readonly 'Error code': string;
  readonly Message: string;
  readonly schemaError?: { readonly instancePath: string; readonly schemaPath: string };
}

interface Options {
  readonly checkPaths: boolean;
  readonly checkArn: boolean;
}
type Check = (definition: unknown, options: Options) => AslValidatorError[];
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
  readonly stateChecks: (definition: unknown, options: Options, checks: readonly StateCheck[]) => AslValidatorError[];
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
const check = (module: string, name: string) => (requireFromValidator(`./checks/${module}.js`) as Record<string, Check>)[name]!;
const missingTransitionTargetErrors = check('missing-transition-target-errors', 'missingTransitionTargetErrors');
const stateTransitionsErrors = check('state-transitions-errors', 'stateTransitionsErrors');
const duplicateStateNames = check('duplicate-state-names-errors', 'duplicateStateNames');
const missingTerminalStateErrors = check('missing-terminal-state-errors', 'missingTerminalStateErrors');
const duplicateFieldNames = check('duplicate-payload-template-fields', 'mustNotHaveDuplicateFieldNamesAfterEvaluation');
const { stateChecks, AtMostOne, ExactlyOne, IsChoice, IsFail, IsMap, IsSucceed, IsTask, IsWait } = requireFromValidator('./checks/state-checks.js') as StateChecksModule;

const OPTIONS: Options = { checkPaths: true, checkArn: true };

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
  const defaultQueryLanguage = definition.QueryLanguage ?? 'JSONPath';
  for (const states of JSONPath({ path: '$..States', json: definition }) as Record<string, Record<string, unknown>>[]) {
    for (const state of Object.values(states)) {
      if (!state['QueryLanguage']) state['QueryLanguage'] = defaultQueryLanguage;
    }
  }
  const errors = schemaErrors(definition);
  if (errors.length > 0) return errors;
  return [
    ...missingTransitionTargetErrors(definition, OPTIONS),
    ...stateTransitionsErrors(definition, OPTIONS),
    ...duplicateStateNames(definition, OPTIONS),
    ...missingTerminalStateErrors(definition, OPTIONS),
    ...duplicateFieldNames(definition, OPTIONS),
    ...stateChecks(definition, OPTIONS, STATE_CHECKS),
  ];
}

/** asl-validator's `jsonSchemaErrors`: of the deepest errors, the `oneOf` ones where there are some, deduplicated. */
function schemaErrors(definition: unknown): AslValidatorError[] {
  if (validateSchema(definition)) return [];
  let selected: ErrorObject[] = [];
  let deepest = 0;
  for (const error of validateSchema.errors ?? []) {
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
