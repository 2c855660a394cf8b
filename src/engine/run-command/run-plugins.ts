/**
 * The agent's side of one invocation: the document's steps run in order, one plugin each, with amazon-ssm-agent's
 * rules (`agent/framework/runpluginutil/runpluginutil.go` RunPlugins, getStepExecutionOperation,
 * getShouldPluginSkipBasedOnControlFlow; `agent/contracts/aggregator.go` DocumentResultAggregator):
 *
 * - a step after one that exited 168 or 169, or failed with `onFailure: exit|successAndExit`, or succeeded with
 *   `onSuccess: exit`, is skipped, unless it is the last step and has `finallyStep: true`;
 * - a 2.2 precondition (`StringEquals` on `platformType` or on parameters) that does not hold skips the step;
 * - a plugin that does not support the node's platform (Linux) is skipped in 2.2 and fails in 1.2/2.0;
 * - a plugin AWS knows but the local engine cannot run fails, with an output that names it;
 * - skipped steps report `Success` with the agent's message as their output ("Skipped is a form of success");
 * - failed steps do not stop later steps: the invocation is `Failed` if any step failed, else `TimedOut`,
 *   `Cancelled`, `Success`, in that order of precedence.
 */
import type { Clock } from '../clock.js';
import type { LocalInstance } from '../instances/local-instance.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import type { CommandInvocationStatus, InvocationStatusDetails } from '../../model/ssm.js';
import { COMMAND_PLUGINS } from '../../validate/command-plugins.js';
import type { StopSignal } from '../stop-signal.js';
import type { CommandDocument, CommandStepPlan } from './command-documents.js';
import { replaceParameters } from './command-documents.js';
import { FAILED_AND_STOP_EXIT_CODE, pluginOutput, SUCCESS_AND_STOP_EXIT_CODE } from './exit-status.js';
import { PLUGINS } from './plugins/index.js';
import type { PluginRunInput } from './plugins/plugin.js';
import type { PluginResult } from './plugins/plugin.js';

/** The platform of every local node (LocalInstance.platformType), as the agent spells it in preconditions. */
const LOCAL_PLATFORM = 'linux';

export interface DocumentRunInput {
  readonly doc: CommandDocument;
  readonly parameters: Readonly<Record<string, JsonValue>>;
  readonly instance: LocalInstance;
  readonly commandId: string;
  readonly region: string;
  /** `<agent dir>/<instance>/orchestration/<commandId>/`: each step gets a folder below it. */
  readonly orchestrationPrefix: string;
  readonly clock: Clock;
  readonly cancel: StopSignal;
  /** Called as each step ends (the agent replies after each plugin), with the results so far. */
  readonly onStep?: (index: number, result: PluginResult, results: readonly PluginResult[]) => void;
  /** Told the output watch of the process a step runs, while it runs (the console's live output). */
  readonly onProcess?: PluginRunInput['onProcess'];
}

/** Runs every step in order; resolves with one result per step. Never rejects: a plugin's error is its step's failure. */
export function runPlugins(input: DocumentRunInput): Promise<PluginResult[]> {
  const results: PluginResult[] = [];
  const next = (index: number): Promise<PluginResult[]> => {
    if (index >= input.doc.steps.length) return Promise.resolve(results);
    return runStep(input, index, results).then((result) => {
      results.push(result);
      input.onStep?.(index, result, results);
      return next(index + 1);
    });
  };
  return next(0);
}

/** `DocumentResultAggregator`: Failed > TimedOut > Cancelled > Success (Skipped counts as Success). */
export function invocationOutcome(results: readonly PluginResult[]): { status: CommandInvocationStatus; details: InvocationStatusDetails } {
  for (const status of ['Failed', 'TimedOut', 'Cancelled'] as const) {
    const found = results.find((r) => r.status === status);
    if (found !== undefined) return { status, details: found.statusDetails };
  }
  return { status: 'Success', details: 'Success' };
}

function runStep(input: DocumentRunInput, index: number, previous: readonly PluginResult[]): Promise<PluginResult> {
  const { doc, clock } = input;
  const step = doc.steps[index]!;
  const now = clock.now();
  const message = (status: 'Success' | 'Failed' | 'Cancelled', output: string): PluginResult => ({
    status,
    statusDetails: status,
    // prepareRuntimeStatus: a Failed plugin with code 0 reports 1; MarkAsCancelled sets 1.
    exitCode: status === 'Success' ? 0 : 1,
    // The agent reports the message as the plugin's output; it goes to standard output (a skip) or error (a
    // failure) here too, so that GetCommandInvocation shows it.
    stdout: status === 'Success' ? output : '',
    stderr: status === 'Success' ? '' : output,
    startedAt: now,
    endedAt: now,
    output,
  });
  // A cancelled document: the plugins not yet run see the cancel flag and mark themselves Cancelled.
  if (input.cancel.aborted) return Promise.resolve(message('Cancelled', ''));
  const inputs = replaceParameters(step.inputs, input.parameters);
  if (skipsForEarlierStep(doc, index, previous, inputs)) {
    return Promise.resolve(message('Success', `Plugin with name ${step.plugin} and id ${step.name} skipped due to prior step with an exit condition`));
  }
  const preconditions = step.precondition === undefined ? undefined : unmetPreconditions(step, input.parameters);
  const supported = (COMMAND_PLUGINS[step.plugin] ?? []).includes('Linux');
  if (doc.schemaVersion === '2.2') {
    if (!supported) return Promise.resolve(message('Success', `Step execution skipped due to unsupported plugin: ${step.plugin}. Step name: ${step.name}`));
    if (preconditions !== undefined && preconditions.length > 0) {
      return Promise.resolve(message('Success', `Step execution skipped due to unsatisfied preconditions: '${preconditions.join(', ')}'. Step name: ${step.name}`));
    }
  } else if (!supported) {
    return Promise.resolve(message('Failed', `Plugin with name ${step.plugin} is not supported in current platform. Step name: ${step.name}`));
  }
  const plugin = PLUGINS[step.plugin];
  if (plugin === undefined) {
    return Promise.resolve(message('Failed', `Plugin with name ${step.plugin} is not supported by the shellstep local engine. Step name: ${step.name}`));
  }
  const propertySets = Array.isArray(inputs) ? inputs.filter(isJsonObject) : isJsonObject(inputs) ? [inputs] : [];
  const orchestrationDir = `${input.orchestrationPrefix}${step.folder}`;
  const runAll = (i: number, merged: PluginResult | undefined): Promise<PluginResult> => {
    if (i >= propertySets.length) return Promise.resolve(merged ?? message('Success', ''));
    return plugin
      .run({ instance: input.instance, commandId: input.commandId, region: input.region, inputs: propertySets[i]!, orchestrationDir, clock, cancel: input.cancel, ...(input.onProcess === undefined ? {} : { onProcess: input.onProcess }) })
      .catch((error: unknown) => message('Failed', String(error)))
      .then((result) => runAll(i + 1, merged === undefined ? result : mergeResults(merged, result)));
  };
  return runAll(0, undefined).then((result) => withExitConditions(result, propertySets[0]));
}

/**
 * Schema 1.2 `properties` lists run in turn into one output (iohandler Merge): outputs appended, the last exit
 * code, and the worse status.
 */
function mergeResults(a: PluginResult, b: PluginResult): PluginResult {
  const worse = invocationOutcome([a, b]).status === b.status ? b : a;
  return { ...b, status: worse.status, statusDetails: worse.statusDetails, stdout: a.stdout + b.stdout, stderr: a.stderr + b.stderr, startedAt: a.startedAt };
}

/**
 * The notes the agent appends for exit codes 168/169 and an `onFailure` modifier (RunPlugins). They go into the
 * plugin's standard output and error (GetCommandInvocation), not into its `Output`, which the plugin made before.
 */
function withExitConditions(result: PluginResult, inputs: JsonObject | undefined): PluginResult {
  const onFailure = modifier(inputs, 'onFailure');
  const output = result.output ?? pluginOutput(result.stdout, result.stderr, result.exitCode);
  if (result.exitCode === SUCCESS_AND_STOP_EXIT_CODE) {
    const note = '\nStep exited with code 168. Therefore, marking step as succeeded. Further document steps will be skipped.';
    return { ...result, status: 'Success', statusDetails: 'Success', stdout: result.stdout + note, stderr: '', output };
  }
  if (result.exitCode === FAILED_AND_STOP_EXIT_CODE) {
    const note = '\nStep exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped.';
    return { ...result, stdout: result.stdout + note, stderr: result.stderr + note, output };
  }
  if (result.status === 'Failed' && (onFailure === 'exit' || onFailure === 'successAndExit')) {
    const note = '\nStep was found to have onFailure property. Further document steps will be skipped.';
    const noted = { ...result, stdout: result.stdout + note, stderr: result.stderr + note, output };
    return onFailure === 'successAndExit' ? { ...noted, status: 'Success', statusDetails: 'Success', exitCode: SUCCESS_AND_STOP_EXIT_CODE } : noted;
  }
  return result;
}

/** getShouldPluginSkipBasedOnControlFlow: an earlier step ended the document, and this is not its finallyStep. */
function skipsForEarlierStep(doc: CommandDocument, index: number, previous: readonly PluginResult[], inputs: JsonValue): boolean {
  if (index === doc.steps.length - 1 && modifier(isJsonObject(inputs) ? inputs : undefined, 'finallyStep') === 'true') return false;
  for (let i = 0; i < previous.length; i++) {
    const result = previous[i]!;
    const inputsBefore = doc.steps[i]!.inputs;
    const earlier = isJsonObject(inputsBefore) ? inputsBefore : undefined;
    if (result.exitCode === SUCCESS_AND_STOP_EXIT_CODE || result.exitCode === FAILED_AND_STOP_EXIT_CODE) return true;
    if (result.status === 'Failed' && modifier(earlier, 'onFailure') === 'exit') return true;
    if (result.status === 'Success' && result.output === undefined && modifier(earlier, 'onSuccess') === 'exit') return true;
  }
  return false;
}

/** A step modifier in the inputs (`onFailure`, `onSuccess`, `finallyStep`), as a string ("string and bool only"). */
function modifier(inputs: JsonObject | undefined, name: string): string | undefined {
  const value = inputs?.[name];
  return typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : undefined;
}

/**
 * evaluatePreconditions: the unmet conditions, as the agent lists them (`"StringEquals": [platformType, Windows]`).
 * `platformType` is compared, case-insensitively, with the node's platform; other arguments after parameters are
 * replaced.
 */
function unmetPreconditions(step: CommandStepPlan, parameters: Readonly<Record<string, JsonValue>>): string[] {
  const unmet: string[] = [];
  for (const [operator, args] of Object.entries(step.precondition ?? {})) {
    const [a, b] = args;
    if (operator !== 'StringEquals' || a === undefined || b === undefined) {
      unmet.push(`unrecognized operator: "${operator}"`);
      continue;
    }
    const text = (v: string): string => {
      const replaced = replaceParameters(v, parameters);
      return typeof replaced === 'string' ? replaced : JSON.stringify(replaced);
    };
    const holds =
      a === 'platformType' ? text(b).toLowerCase() === LOCAL_PLATFORM : b === 'platformType' ? text(a).toLowerCase() === LOCAL_PLATFORM : text(a) === text(b);
    if (!holds) unmet.push(`"${operator}": [${a}, ${b}]`);
  }
  return unmet;
}
