/**
 * The Map state: runs the item processor for each item of an array (inline, or a Distributed Map over inline
 * items), with ItemsPath/Items, ItemSelector/Parameters, ItemBatcher, MaxConcurrency and tolerated failures.
 * A Distributed Map that reads or writes S3 (ItemReader, ResultWriter) fails with a named unsupported error.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html
 */
import type { JsonObject, JsonValue } from '../../../model/json.js';
import type { StopSignal } from '../../stop-signal.js';
import type { ItemProcessor, MapState, StateMachineDefinition } from '../../../model/state-machine.js';
import {
  StatesError,
  StatesExceedToleratedFailureThresholdError,
  StatesQueryEvaluationError,
  StatesRuntimeError,
  isStatesError,
} from '../../../errors/states-errors.js';
import { errorOutput, withRetryAndCatch } from '../error-handling.js';
import { applyPath, applyPayloadTemplate, evaluateDynamic } from '../io-processing.js';
import { evaluateExpression, evaluateTemplate, isJsonataExpression } from '../jsonata.js';
import { evaluateJsonataField, intrinsicEnv, jsonataScope, pathScope, resultOutcome } from '../query.js';
import { floatField, integerField } from '../path-numbers.js';
import type { MockedOutcome, StateHandler, StateOutcome, StateRun } from '../runtime.js';
import { SiblingFailed, childFrame, linkedController, runPool } from '../sub-workflows.js';
import { recordAborted, runWorkflow } from '../workflow.js';
import { contextObject } from '../context-object.js';
import { jsonType } from './choice.js';

export const mapState: StateHandler<MapState> = {
  enteredEvent: 'MapStateEntered',
  exitedEvent: 'MapStateExited',
  retries: true,
  execute(run: StateRun<MapState>, input: JsonValue): Promise<StateOutcome> {
    return withRetryAndCatch(run, input, () => attempt(run, input), { failedEvent: 'MapStateFailed' });
  },
};

async function attempt(run: StateRun<MapState>, input: JsonValue): Promise<StateOutcome> {
  const state = run.state;
  const next = state.End === true ? undefined : state.Next;
  const jsonata = run.queryLanguage === 'JSONata';
  const processor: ItemProcessor | undefined = state.ItemProcessor ?? state.Iterator;
  if (processor === undefined) throw new StatesRuntimeError(`The Map state '${run.name}' has no ItemProcessor.`);
  // The legacy Iterator may carry a ProcessorConfig too (recorded: legacy_config_distributed cases).
  const distributed = processor.ProcessorConfig?.Mode === 'DISTRIBUTED';
  const mocked = run.runtime.mocks?.outcome(run);
  const readerItems = state.ItemReader === undefined ? undefined : run.runtime.mocks?.readerItems?.(run);
  // S3-backed Distributed Map features need an S3 service the local engine does not have (TestState may give the
  // data read and mock the result instead).
  if (state.ItemReader !== undefined && readerItems === undefined) throw unsupported(run, 'ItemReader');
  if (state.ResultWriter !== undefined && mocked === undefined) throw unsupported(run, 'ResultWriter');

  const inspector = run.runtime.inspector;
  const effective = jsonata ? input : applyPath(state.InputPath, pathScope(run, input));
  if (!jsonata) inspector?.record('afterInputPath', effective);
  const items = readerItems ?? (await readItems(run, input, effective));
  if (!jsonata && readerItems === undefined) inspector?.record('afterItemsPath', items);
  const concurrency = await readMaxConcurrency(run, input, effective);
  inspector?.record('maxConcurrency', concurrency);
  const startedId = run.emit('MapStateStarted', 'mapStateStartedEventDetails', { length: items.length });
  const tolerance = await readTolerance(run, input, effective);
  if (tolerance.count !== undefined) inspector?.record('toleratedFailureCount', tolerance.count);
  if (tolerance.percentage !== undefined) inspector?.record('toleratedFailurePercentage', tolerance.percentage);
  let units: JsonValue[] = items;
  if (state.ItemBatcher !== undefined) {
    units = await batch(run, state.ItemBatcher, items, input, effective);
    inspector?.record('afterItemBatcher', units);
  }
  if (mocked !== undefined) return mockedIterations(run, mocked, units, tolerance, effective, input, next);

  const mapRunArn = `${run.runtime.executionArn.replace(':execution:', ':mapRun:')}/${run.name}:${run.runtime.ids.uuid()}`;
  if (distributed) run.emit('MapRunStarted', 'mapRunStartedEventDetails', { mapRunArn });

  const { controller, dispose } = linkedController(run.frame.signal);
  let failures = 0;
  const itemErrors = new Map<number, StatesError>();
  let outcome: Awaited<ReturnType<typeof runPool<JsonValue>>>;
  try {
    outcome = await runPool(
      units.length,
      concurrency,
      controller,
      (index) => runIteration(run, processor, units[index]!, index, effective, input, controller.signal, startedId, distributed),
      (index, error) => {
        if (error instanceof SiblingFailed || !isStatesError(error)) return true;
        failures++;
        itemErrors.set(index, error);
        return exceeds(tolerance, failures, units.length);
      },
    );
  } finally {
    dispose();
  }
  if (outcome.stopError !== undefined) {
    const error = outcome.stopError;
    const toleranceSet = tolerance.count !== undefined || tolerance.percentage !== undefined;
    const failure =
      toleranceSet && isStatesError(error) && !(error instanceof SiblingFailed)
        ? new StatesExceedToleratedFailureThresholdError('The specified tolerated failure threshold was exceeded')
        : error;
    if (distributed && isStatesError(failure)) {
      const details: Record<string, unknown> = { error: failure.name };
      if (failure.cause !== undefined) details['cause'] = failure.cause;
      run.emit('MapRunFailed', 'mapRunFailedEventDetails', details);
    }
    throw failure;
  }
  // Tolerated failed items keep their {Error, Cause} in the result array (UNCONFIRMED; see docs/fidelity.md).
  const result: JsonValue[] = outcome.results.map((value, index) => {
    const error = itemErrors.get(index);
    return error === undefined ? (value as JsonValue) : errorOutput(error);
  });
  if (distributed) run.emit('MapRunSucceeded');
  run.emit('MapStateSucceeded');

  return resultOutcome(run, state, input, result, next);
}

/**
 * TestState: the mock stands for the iterations' results (or the error one of them raised); `failedIterations`
 * (stateConfiguration.mapIterationFailureCount) is checked against the tolerated failure threshold, and only when
 * the state sets one: without a threshold AWS returns the mocked result (recorded).
 */
async function mockedIterations(
  run: StateRun<MapState>,
  mocked: MockedOutcome,
  units: JsonValue[],
  tolerance: Tolerance,
  effective: JsonValue,
  input: JsonValue,
  next: string | undefined,
): Promise<StateOutcome> {
  const inspector = run.runtime.inspector;
  if (inspector !== undefined && (run.state.ItemSelector ?? run.state.Parameters) !== undefined) {
    const selected: JsonValue[] = [];
    for (let index = 0; index < units.length; index++) selected.push(await itemInput(run, units[index]!, index, effective, input));
    inspector.record('afterItemSelector', selected);
  }
  if ('error' in mocked) throw new StatesError(mocked.error, mocked.cause);
  const failures = mocked.failedIterations ?? 0;
  const iterations = Array.isArray(mocked.result) ? mocked.result.length : units.length;
  const toleranceSet = tolerance.count !== undefined || tolerance.percentage !== undefined;
  if (failures > 0 && toleranceSet && exceeds(tolerance, failures, iterations)) {
    throw new StatesExceedToleratedFailureThresholdError('The specified tolerated failure threshold was exceeded');
  }
  return resultOutcome(run, run.state, input, mocked.result, next);
}

function unsupported(run: StateRun, field: string): StatesError {
  return new StatesRuntimeError(
    `The Map state '${run.name}' uses ${field}, which needs Amazon S3; the local engine supports Distributed Map only over inline items.`,
  );
}

async function runIteration(
  run: StateRun<MapState>,
  processor: StateMachineDefinition,
  value: JsonValue,
  index: number,
  effective: JsonValue,
  input: JsonValue,
  signal: StopSignal,
  startedId: number,
  distributed: boolean,
): Promise<JsonValue> {
  const mapItem = { Index: index, Value: value };
  const iterationStarted = distributed ? startedId : run.emit('MapIterationStarted', 'mapIterationStartedEventDetails', { name: run.name, index });
  const frame = childFrame(run, { definition: processor, signal, startEventId: iterationStarted, mapItem, isolated: distributed });
  const selected = await itemInput(run, value, index, effective, input);
  try {
    const output = await runWorkflow(frame, selected);
    if (!distributed) run.emit('MapIterationSucceeded', 'mapIterationSucceededEventDetails', { name: run.name, index });
    return output;
  } catch (error) {
    if (!distributed) {
      const aborted = error instanceof SiblingFailed || signal.aborted;
      run.emit(aborted ? 'MapIterationAborted' : 'MapIterationFailed', aborted ? 'mapIterationAbortedEventDetails' : 'mapIterationFailedEventDetails', { name: run.name, index });
      recordAborted(frame);
    }
    throw error;
  }
}

/** ItemSelector (or the legacy Parameters) builds an item's input from the state input and $$.Map.Item. */
async function itemInput(run: StateRun<MapState>, value: JsonValue, index: number, effective: JsonValue, input: JsonValue): Promise<JsonValue> {
  const selector = run.state.ItemSelector ?? run.state.Parameters;
  if (selector === undefined) return value;
  const context = contextObject(run.runtime.base, { Name: run.name, EnteredTime: run.enteredTime }, { mapItem: { Index: index, Value: value } });
  if (run.queryLanguage === 'JSONata') {
    const scope = jsonataScope(run, { input });
    return evaluateTemplate(selector, { ...scope, states: { ...scope.states, context } }, 'ItemSelector');
  }
  return applyPayloadTemplate(selector, { input: effective, context, variables: run.frame.variables }, intrinsicEnv(run));
}

async function readItems(run: StateRun<MapState>, input: JsonValue, effective: JsonValue): Promise<JsonValue[]> {
  const state = run.state;
  if (run.queryLanguage === 'JSONata') {
    if (state.Items === undefined) {
      if (!Array.isArray(input)) throw new StatesQueryEvaluationError(`Map state input must be an array but was: ${JSON.stringify(input)}`);
      return input;
    }
    const items = isJsonataExpression(state.Items)
      ? await evaluateExpression(state.Items, jsonataScope(run, { input }), 'Items')
      : await evaluateTemplate(state.Items, jsonataScope(run, { input }), 'Items');
    if (!Array.isArray(items)) {
      const source = typeof state.Items === 'string' && isJsonataExpression(state.Items) ? state.Items.slice(2, -2).trim() : JSON.stringify(state.Items);
      throw new StatesQueryEvaluationError(
        `The JSONata expression '${source}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${jsonType(items)}' for value: ${JSON.stringify(items)}`,
      );
    }
    return items;
  }
  const items = state.ItemsPath === undefined ? effective : evaluateDynamic(state.ItemsPath, 'ItemsPath', pathScope(run, effective), intrinsicEnv(run));
  if (!Array.isArray(items)) {
    // Recorded by AWS (TestState of ItemsPath "$$" and "$$.Execution.Input"): the context path is shown with one `$`.
    const path = (state.ItemsPath ?? '$').replace(/^\$\$/, '$');
    throw new StatesRuntimeError(`Reference path "${path}" must point to array.`);
  }
  return items;
}

async function readMaxConcurrency(run: StateRun<MapState>, input: JsonValue, effective: JsonValue): Promise<number> {
  const state = run.state;
  let value: JsonValue | undefined = state.MaxConcurrency;
  if (run.queryLanguage === 'JSONata' && value !== undefined) value = await evaluateJsonataField(run, value, 'MaxConcurrency', { input });
  if (run.queryLanguage === 'JSONPath' && state.MaxConcurrencyPath !== undefined) {
    // A numeric string counts (recorded: MaxConcurrencyPath selecting "1" runs the Map); see path-numbers.ts.
    value = integerField(evaluateDynamic(state.MaxConcurrencyPath, 'MaxConcurrencyPath', pathScope(run, effective), intrinsicEnv(run)), 'MaxConcurrencyPath', state.MaxConcurrencyPath);
  }
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new StatesRuntimeError(`The MaxConcurrency field must be a non-negative integer but was: ${JSON.stringify(value)}`);
  }
  // UNCONFIRMED wording (docs/fidelity.md).
  if (value < 0) throw new StatesRuntimeError(`Expected non-negative integer for MaxConcurrency, got '${value}' instead.`);
  return value;
}

interface Tolerance {
  readonly count: number | undefined;
  readonly percentage: number | undefined;
}

function exceeds(tolerance: Tolerance, failures: number, total: number): boolean {
  if (tolerance.count === undefined && tolerance.percentage === undefined) return true;
  const overCount = tolerance.count === undefined || failures > tolerance.count;
  const overPercentage = tolerance.percentage === undefined || (failures / Math.max(total, 1)) * 100 > tolerance.percentage;
  // Both thresholds given: the Map fails when either is exceeded (state-map page, "Tolerated failure threshold").
  if (tolerance.count !== undefined && tolerance.percentage !== undefined) return failures > tolerance.count || (failures / Math.max(total, 1)) * 100 > tolerance.percentage;
  return overCount && overPercentage;
}

async function readTolerance(run: StateRun<MapState>, input: JsonValue, effective: JsonValue): Promise<Tolerance> {
  const state = run.state;
  let count: JsonValue | undefined = state.ToleratedFailureCount;
  let percentage: JsonValue | undefined = state.ToleratedFailurePercentage;
  if (run.queryLanguage === 'JSONata') {
    if (count !== undefined) count = await evaluateJsonataField(run, count, 'ToleratedFailureCount', { input });
    if (percentage !== undefined) percentage = await evaluateJsonataField(run, percentage, 'ToleratedFailurePercentage', { input });
  } else {
    const scope = pathScope(run, effective);
    // Numeric strings count, as for MaxConcurrencyPath (path-numbers.ts).
    if (state.ToleratedFailureCountPath !== undefined) {
      count = integerField(evaluateDynamic(state.ToleratedFailureCountPath, 'ToleratedFailureCountPath', scope, intrinsicEnv(run)), 'ToleratedFailureCountPath', state.ToleratedFailureCountPath);
    }
    if (state.ToleratedFailurePercentagePath !== undefined) {
      percentage = floatField(
        evaluateDynamic(state.ToleratedFailurePercentagePath, 'ToleratedFailurePercentagePath', scope, intrinsicEnv(run)),
        'ToleratedFailurePercentagePath',
        state.ToleratedFailurePercentagePath,
      );
    }
  }
  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count))) {
    throw new StatesRuntimeError('ToleratedFailureCount must be a non-negative integer.');
  }
  // UNCONFIRMED wording for a negative count (docs/fidelity.md); the percentage's range message is recorded.
  if (typeof count === 'number' && count < 0) throw new StatesRuntimeError('ToleratedFailureCount cannot be negative.');
  if (percentage !== undefined && (typeof percentage !== 'number' || percentage < 0 || percentage > 100)) {
    throw new StatesRuntimeError('ToleratedFailurePercentage must be between 0 and 100.');
  }
  return { count: count as number | undefined, percentage: percentage as number | undefined };
}

/** ItemBatcher: groups items into `{BatchInput?, Items}` objects (state-map page, "ItemBatcher"). */
async function batch(run: StateRun<MapState>, batcher: JsonObject, items: JsonValue[], input: JsonValue, effective: JsonValue): Promise<JsonValue[]> {
  const jsonata = run.queryLanguage === 'JSONata';
  const read = async (field: string): Promise<JsonValue | undefined> => {
    let value = batcher[field];
    if (jsonata && value !== undefined) value = await evaluateJsonataField(run, value, `ItemBatcher/${field}`, { input });
    const path = batcher[`${field}Path`];
    if (!jsonata && typeof path === 'string') value = integerField(evaluateDynamic(path, `${field}Path`, pathScope(run, effective), intrinsicEnv(run)), `${field}Path`, path);
    return value;
  };
  const maxItems = await read('MaxItemsPerBatch');
  const maxBytes = await read('MaxInputBytesPerBatch');
  let batchInput: JsonValue | undefined = batcher['BatchInput'];
  if (batchInput !== undefined) {
    batchInput = jsonata ? await evaluateTemplate(batchInput, jsonataScope(run, { input }), 'ItemBatcher/BatchInput') : applyPayloadTemplate(batchInput, pathScope(run, effective), intrinsicEnv(run));
  }
  const limitItems = typeof maxItems === 'number' && maxItems > 0 ? maxItems : Number.POSITIVE_INFINITY;
  const limitBytes = typeof maxBytes === 'number' && maxBytes > 0 ? maxBytes : Number.POSITIVE_INFINITY;
  const batches: JsonValue[] = [];
  let current: JsonValue[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    batches.push(batchInput === undefined ? { Items: current } : { BatchInput: batchInput, Items: current });
    current = [];
    bytes = 0;
  };
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item), 'utf8');
    if (current.length >= limitItems || (current.length > 0 && bytes + size > limitBytes)) flush();
    current.push(item);
    bytes += size;
  }
  flush();
  return batches;
}
