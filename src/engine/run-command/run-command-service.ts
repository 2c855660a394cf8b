/**
 * The local Run Command service: SendCommand, ListCommands, ListCommandInvocations, GetCommandInvocation and
 * CancelCommand, with AWS's statuses, status details, counts, timeouts and error names
 * (aws-semantics §3, §6; https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html).
 *
 * Delivery model: each invocation is handed to its node's agent when the node is reachable (`Delayed` while it is
 * not). `TimeoutSeconds` bounds delivery ("If this time is reached and the command hasn't already started running,
 * it won't run"); `TimeoutSeconds + executionTimeout` bounds the whole invocation (`ExpiresAfter`): an invocation
 * whose agent never reports (lost, killed, offline) becomes `TimedOut` / `Delivery Timed Out` then (§6.4).
 */
import { join, sep } from 'node:path';
import type { ChangeFeed } from '../changes.js';
import type { Clock } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import type { InstanceRegistry } from '../instances/instance-registry.js';
import { INSTANCE_ID_PATTERN } from '../instances/instance-registry.js';
import { ssmError } from '../../errors/ssm-errors.js';
import { copyJson, isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import type {
  CancelCommandRequest,
  Command,
  CommandInvocation,
  CommandInvocationStatus,
  CommandPlugin,
  CommandPluginStatus,
  GetCommandInvocationRequest,
  GetCommandInvocationResult,
  InvocationStatusDetails,
  ListCommandInvocationsRequest,
  ListCommandsRequest,
  SendCommandRequest,
  Target,
} from '../../model/ssm.js';
import type { CommandDocument, CommandDocumentResolver, CommandStepPlan } from './command-documents.js';
import { checkNoParameterStoreReference, replaceParameters, resolveCommandParameters } from './command-documents.js';
import { countsAsError, isTerminalInvocation, rollUpInto } from './command-status.js';
import { NO_RESPONSE_CODE, pluginOutput, standardErrorContent, standardOutputContent } from './exit-status.js';
import type { PluginResult } from './plugins/plugin.js';
import type { OutputListener, WatchOutput } from './plugins/process-spawner.js';
import { Stopper } from '../stop-signal.js';
import { agentExecutionTimeout } from './plugins/run-script.js';
import { invocationOutcome, runPlugins } from './run-plugins.js';
import { awsCommandDocuments } from '../documents/aws-documents.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_ERRORS, maxConcurrencyCount, maxErrorsCount } from './rate-control.js';
import { resolveTargets } from './targets.js';
import { memoryStore, type Store } from '../store/index.js';

/** The store's kind for commands (each with its invocations and their output). */
const COMMAND_KIND = 'ssm.command';

/** API limits (botocore model, aws-semantics §3.1). */
export const MAX_INSTANCE_IDS = 50;
export const MIN_TIMEOUT_SECONDS = 30;
export const MAX_TIMEOUT_SECONDS = 2_592_000;
export const MAX_COMMENT_LENGTH = 100;
/** API default of `TimeoutSeconds` is UNCONFIRMED (the user guide says both 600 and 3600); we use 3600. */
export const DEFAULT_TIMEOUT_SECONDS = 3600;
const DOCUMENT_NAME_PATTERN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const COMMAND_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RunCommandServiceOptions {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly instances: InstanceRegistry;
  readonly region: string;
  /** Folder for the agents' orchestration files. Default: `<instances.baseDir>/.agent`. */
  readonly agentDir?: string;
  /** Finds the Command document a SendCommand names (the SSM service's document store). Default: AWS-owned ones only. */
  readonly documents?: CommandDocumentResolver;
  /** Where commands are kept (default: nowhere but here). */
  readonly store?: Store;
  /** Told when a command's invocations change (the console's live view). */
  readonly changes?: ChangeFeed;
}

type Phase = 'queued' | 'waiting' | 'delivering' | 'running' | 'done';

interface InvocationState {
  readonly instanceId: string;
  /** The end of the stdout written so far, once the CLI's live view asked for it (liveOutput). */
  liveTail?: string;
  readonly instanceName: string;
  status: CommandInvocationStatus;
  details: InvocationStatusDetails;
  phase: Phase;
  /** One result per step the agent has reported, in document order; undefined until it reports. */
  plugins?: readonly PluginResult[] | undefined;
  startedAt?: number | undefined;
  endedAt?: number | undefined;
  /** Set when the agent accepted a CancelCommand. */
  readonly cancel: Stopper;
  cancelRequested: boolean;
  stopDelivery?: (() => void) | undefined;
  /** The running process's output watch, while it runs. */
  watchProcess?: WatchOutput | undefined;
  /** Who watches the output (the console), and what stops forwarding it to them; undefined while nobody does. */
  outputWatchers?: Set<OutputListener> | undefined;
  stopWatching?: (() => void) | undefined;
}

/**
 * The service's record of a command: the API's `Command` with its two times as epoch ms, not Dates (a Date costs
 * ~96 bytes and every waiting command keeps both); `copyCommand` makes the API's Dates.
 */
type CommandRecord = Omit<Command, 'ExpiresAfter' | 'RequestedDateTime'> & { ExpiresAfter: number; RequestedDateTime: number };

interface CommandState {
  readonly command: CommandRecord;
  readonly doc: CommandDocument;
  readonly parameters: Record<string, JsonValue>;
  readonly invocations: InvocationState[];
  readonly maxConcurrency: number;
  readonly maxErrors: number;
  cancelRequested: boolean;
  /**
   * Both lists are replaced, never grown: an array literal pushed to keeps room for 16 entries while the command
   * waits, and emptying one with splice(0) made a copy.
   */
  timers: readonly (() => void)[];
  waiters: readonly ((command: Command) => void)[];
}

const noop = (): void => undefined;

/** Calls a command listener; one that throws must not cost the others their call, nor the service its update. */
function notify(listener: (command: Command) => void, command: Command): void {
  try {
    listener(command);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
const NONE: readonly string[] = [];
const NO_TIMERS: readonly (() => void)[] = [];
const NO_WAITERS: readonly ((command: Command) => void)[] = [];

export class RunCommandService {
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #instances: InstanceRegistry;
  readonly #region: string;
  readonly #documents: CommandDocumentResolver;
  readonly #changes: ChangeFeed | undefined;
  /**
   * `<agentDir>/` as path.join spells it ('' for '' or '.'). Each start appends plain segments (instance id, command
   * id, plugin folder: no separators, dots or empties) by concatenation, which gives join's result without its
   * normalising, about 1 KiB of garbage a start.
   */
  readonly #agentDirPrefix: string;
  readonly #commands = new Map<string, CommandState>();
  /** Work waiting for a node to become reachable, by instance id. */
  readonly #whenReachable = new Map<string, (() => void)[]>();
  readonly #store: Store;

  constructor(options: RunCommandServiceOptions) {
    this.#store = options.store ?? memoryStore();
    this.#clock = options.clock;
    this.#ids = options.ids;
    this.#instances = options.instances;
    this.#region = options.region;
    this.#documents = options.documents ?? awsCommandDocuments;
    this.#changes = options.changes;
    this.#agentDirPrefix = join(options.agentDir ?? join(options.instances.baseDir, '.agent'), 'x').slice(0, -1);
    this.#instances.subscribe((event) => {
      if (event.type !== 'reachable') return;
      const queued = this.#whenReachable.get(event.instanceId) ?? [];
      this.#whenReachable.delete(event.instanceId);
      for (const fn of queued) fn();
    });
  }

  // ------------------------------------------------------------------ SendCommand

  async SendCommand(input: SendCommandRequest): Promise<{ Command: Command }> {
    if (typeof input.DocumentName !== 'string' || !DOCUMENT_NAME_PATTERN.test(input.DocumentName)) {
      throw ssmError('ValidationException', `1 validation error detected: Value '${String(input.DocumentName)}' at 'documentName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${DOCUMENT_NAME_PATTERN.source}`);
    }
    const { doc } = this.#documents(input.DocumentName, input.DocumentVersion);
    // Target keys as AWS compares them: `instanceids` (AWS's own send-command example) is InstanceIds; the example's
    // output then lists the ids under InstanceIds and no Targets (aws-cli examples/ssm/send-command.rst, example 1).
    const idTargets = input.Targets !== undefined && input.Targets.length === 1 && isLowerCaseInstanceIdsTarget(input.Targets[0]!) ? input.Targets[0]!.Values ?? [] : undefined;
    const hasIds = input.InstanceIds !== undefined && input.InstanceIds.length > 0;
    const hasTargets = input.Targets !== undefined && input.Targets.length > 0;
    if (hasIds === hasTargets) {
      throw ssmError('ValidationException', 'Exactly one of InstanceIds and Targets must be specified.');
    }
    const timeoutSeconds = input.TimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < MIN_TIMEOUT_SECONDS || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw ssmError('ValidationException', `TimeoutSeconds must be an integer from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}; got ${String(input.TimeoutSeconds)}.`);
    }
    if (input.Comment !== undefined && input.Comment.length > MAX_COMMENT_LENGTH) {
      throw ssmError('ValidationException', `Comment must be at most ${MAX_COMMENT_LENGTH} characters.`);
    }
    checkNoParameterStoreReference(doc, input.Parameters ?? {});
    const parameters = resolveCommandParameters(doc, input.Parameters ?? {});

    let instanceIds: string[];
    let undeliverable: readonly string[] = NONE;
    if (hasIds) {
      const ids = distinct(input.InstanceIds!);
      if (ids.length > MAX_INSTANCE_IDS) throw ssmError('ValidationException', `InstanceIds holds more than ${MAX_INSTANCE_IDS} ids.`);
      // SendCommand: "InvalidInstanceId … The instance isn't valid … SSM Agent isn't registered" (API reference).
      let invalid: string[] | undefined;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        const inst = INSTANCE_ID_PATTERN.test(id) ? this.#instances.get(id) : undefined;
        if (inst === undefined || inst.pingStatus === 'Inactive') (invalid ??= []).push(id);
      }
      if (invalid !== undefined) throw ssmError('InvalidInstanceId', `Instances [[${invalid.join(', ')}]] not in a valid state for account.`);
      instanceIds = ids;
    } else {
      const resolved = resolveTargets(input.Targets ?? [], this.#instances);
      instanceIds = resolved.instanceIds;
      undeliverable = resolved.unknownIds;
    }

    const now = this.#clock.now();
    const executionTimeout = documentExecutionTimeout(doc, parameters);
    const commandId = this.#ids.uuid();
    const targetCount = instanceIds.length + undeliverable.length;
    const maxConcurrencyText = input.MaxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    const maxErrorsText = input.MaxErrors ?? DEFAULT_MAX_ERRORS;
    const command: CommandRecord = {
      CommandId: commandId,
      DocumentName: input.DocumentName,
      // As the request gave it: "" when it named no version (aws-cli send-command example output).
      DocumentVersion: input.DocumentVersion ?? '',
      Comment: input.Comment ?? '',
      // `ExpiresAfter` is computed from the total timeout, TimeoutSeconds + executionTimeout (§6.4).
      ExpiresAfter: now + (timeoutSeconds + executionTimeout) * 1000,
      Parameters: copyMember(input.Parameters ?? {}),
      // The record keeps `distinct`'s copy, which nothing else holds.
      InstanceIds: hasIds || idTargets !== undefined ? instanceIds.concat(undeliverable) : [],
      Targets: idTargets !== undefined ? [] : copyMember(input.Targets ?? []),
      RequestedDateTime: now,
      Status: 'Pending',
      StatusDetails: 'Pending',
      OutputS3Region: input.OutputS3Region ?? this.#region,
      OutputS3BucketName: input.OutputS3BucketName ?? '',
      OutputS3KeyPrefix: input.OutputS3KeyPrefix ?? '',
      MaxConcurrency: maxConcurrencyText,
      MaxErrors: maxErrorsText,
      TargetCount: targetCount,
      CompletedCount: 0,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
      ServiceRole: input.ServiceRoleArn ?? '',
      // AWS returns both members, with empty values when the request set none (send-command, list-commands examples).
      NotificationConfig: notificationConfig(input.NotificationConfig),
      CloudWatchOutputConfig: cloudWatchOutputConfig(input.CloudWatchOutputConfig),
      TimeoutSeconds: timeoutSeconds,
    };
    const state: CommandState = {
      command,
      doc,
      parameters,
      invocations: (undeliverable.length === 0 ? instanceIds : [...instanceIds, ...undeliverable]).map((id) => ({
        instanceId: id,
        instanceName: this.#instances.get(id)?.name ?? '',
        status: 'Pending',
        details: 'Pending',
        phase: 'queued',
        cancel: new Stopper(),
        cancelRequested: false,
      })),
      maxConcurrency: maxConcurrencyCount(maxConcurrencyText, targetCount),
      maxErrors: maxErrorsCount(maxErrorsText, targetCount),
      cancelRequested: false,
      timers: NO_TIMERS,
      waiters: NO_WAITERS,
    };
    this.#commands.set(commandId, state);
    if (undeliverable.length > 0) {
      for (const inv of state.invocations) {
        if (undeliverable.includes(inv.instanceId)) this.#finish(state, inv, 'Failed', 'Undeliverable');
      }
    }
    // Delivery deadline: not yet received by the agent → Delivery Timed Out.
    const deliveryDeadline = this.#clock.setTimer(timeoutSeconds * 1000, () => {
      for (const inv of state.invocations) {
        if (inv.phase === 'queued' || inv.phase === 'waiting' || inv.phase === 'delivering') {
          inv.stopDelivery?.();
          this.#finish(state, inv, 'TimedOut', 'Delivery Timed Out');
        }
      }
      this.#update(state);
    });
    // Total timeout: no terminal response from the agent → Delivery Timed Out ("If Run Command doesn't receive a
    // document terminal response from SSM Agent, the command invocation is marked as deliveryTimeout", §6.4).
    const totalDeadline = this.#clock.setTimer((timeoutSeconds + executionTimeout) * 1000, () => {
      for (const inv of state.invocations) {
        if (inv.phase !== 'done') {
          inv.stopDelivery?.();
          this.#finish(state, inv, 'TimedOut', 'Delivery Timed Out');
        }
      }
      this.#update(state);
    });
    state.timers = [deliveryDeadline, totalDeadline];
    // The response shows the command as the service accepted it (`Pending`), before any agent picked it up.
    const accepted = this.#commandView(state);
    rollUpInto(accepted, state.invocations, state.maxErrors, false);
    this.#dispatch(state);
    this.#update(state);
    return { Command: accepted };
  }

  // ------------------------------------------------------------------ reads

  async ListCommands(input: ListCommandsRequest = {}): Promise<{ Commands: Command[]; NextToken?: string }> {
    let states = [...this.#commands.values()];
    if (input.CommandId !== undefined) {
      const state = this.#commands.get(input.CommandId);
      if (state === undefined) throw ssmError('InvalidCommandId', `Command ${input.CommandId} does not exist.`);
      states = [state];
    }
    if (input.InstanceId !== undefined) states = states.filter((s) => s.invocations.some((i) => i.instanceId === input.InstanceId));
    states = states.filter((s) => matchesFilters(s.command.RequestedDateTime, s.command.Status, s.command.DocumentName, input.Filters));
    states.sort((a, b) => b.command.RequestedDateTime - a.command.RequestedDateTime);
    const page = paginate(states, input.MaxResults, input.NextToken, 50);
    return { Commands: page.items.map((s) => this.#commandView(s)), ...(page.next === undefined ? {} : { NextToken: page.next }) };
  }

  async ListCommandInvocations(
    input: ListCommandInvocationsRequest = {},
  ): Promise<{ CommandInvocations: CommandInvocation[]; NextToken?: string }> {
    let states = [...this.#commands.values()];
    if (input.CommandId !== undefined) {
      const state = this.#commands.get(input.CommandId);
      if (state === undefined) throw ssmError('InvalidCommandId', `Command ${input.CommandId} does not exist.`);
      states = [state];
    }
    const rows: [CommandState, InvocationState][] = [];
    for (const s of states) {
      for (const inv of s.invocations) {
        if (input.InstanceId !== undefined && inv.instanceId !== input.InstanceId) continue;
        if (!matchesFilters(s.command.RequestedDateTime, inv.status, s.command.DocumentName, input.Filters)) continue;
        rows.push([s, inv]);
      }
    }
    const page = paginate(rows, input.MaxResults, input.NextToken, 50);
    return {
      CommandInvocations: page.items.map(([s, inv]) => this.#invocationView(s, inv, input.Details === true)),
      ...(page.next === undefined ? {} : { NextToken: page.next }),
    };
  }

  /**
   * The end (at most `maxChars`) of what a running invocation has written to stdout so far, through the console's
   * output watch; undefined when it has not started here. Not an API: the service returns a command's output only once
   * it has finished, and the CLI's live view shows this while it runs.
   */
  liveOutput(commandId: string, instanceId: string, maxChars = 4096): string | undefined {
    const inv = this.#commands.get(commandId)?.invocations.find((i) => i.instanceId === instanceId);
    if (inv === undefined || inv.startedAt === undefined) return undefined;
    if (inv.liveTail === undefined) {
      inv.liveTail = '';
      // Following starts at the first read; the spawner replays the output so far when a watch begins.
      this.watchOutput(commandId, instanceId, (stream, text) => {
        if (stream === 1) inv.liveTail = (inv.liveTail + text).slice(-maxChars);
      });
    }
    return inv.liveTail;
  }

  async GetCommandInvocation(input: GetCommandInvocationRequest): Promise<GetCommandInvocationResult> {
    if (typeof input.CommandId !== 'string' || !COMMAND_ID_PATTERN.test(input.CommandId)) {
      throw ssmError('InvalidCommandId', `Invalid command id ${String(input.CommandId)}.`);
    }
    if (typeof input.InstanceId !== 'string' || !INSTANCE_ID_PATTERN.test(input.InstanceId)) {
      throw ssmError('InvalidInstanceId', `Invalid instance id ${String(input.InstanceId)}.`);
    }
    const state = this.#commands.get(input.CommandId);
    const inv = state?.invocations.find((i) => i.instanceId === input.InstanceId);
    if (state === undefined || inv === undefined) {
      throw ssmError('InvocationDoesNotExist', `Invocation of command ${input.CommandId} on ${input.InstanceId} does not exist.`);
    }
    const index = stepIndex(state.doc, input.PluginName);
    const step = state.doc.steps[index]!;
    const now = this.#stepStatus(inv, index);
    const result = inv.plugins?.[index];
    const waiting = now.status === 'Pending' || now.status === 'Delayed';
    const startedAt = result?.startedAt ?? (waiting ? undefined : inv.startedAt);
    const endedAt = result?.endedAt ?? (inv.phase === 'done' ? inv.endedAt : undefined);
    return {
      CommandId: state.command.CommandId,
      InstanceId: inv.instanceId,
      Comment: state.command.Comment,
      DocumentName: state.command.DocumentName,
      DocumentVersion: state.command.DocumentVersion,
      PluginName: step.name,
      ResponseCode: result?.exitCode ?? NO_RESPONSE_CODE,
      ExecutionStartDateTime: startedAt === undefined ? '' : new Date(startedAt).toISOString(),
      ExecutionElapsedTime: startedAt === undefined ? '' : elapsed((endedAt ?? this.#clock.now()) - startedAt),
      ExecutionEndDateTime: endedAt === undefined || startedAt === undefined ? '' : new Date(endedAt).toISOString(),
      // The plugin's status; while it has none of its own, the invocation's (Delayed, In Progress, Cancelling…).
      Status: now.status,
      StatusDetails: now.details,
      // "The first 24,000 characters written by the plugin to stdout … empty until finished" (API reference).
      StandardOutputContent: result === undefined ? '' : standardOutputContent(result.stdout),
      StandardOutputUrl: '',
      StandardErrorContent: result === undefined ? '' : standardErrorContent(result.stderr),
      StandardErrorUrl: '',
      CloudWatchOutputConfig: copyConfig(state.command.CloudWatchOutputConfig),
    };
  }

  // ------------------------------------------------------------------ CancelCommand

  async CancelCommand(input: CancelCommandRequest): Promise<Record<string, never>> {
    const state = this.#commands.get(input.CommandId);
    if (state === undefined) throw ssmError('InvalidCommandId', `Command ${input.CommandId} does not exist.`);
    const targets = input.InstanceIds === undefined ? state.invocations : state.invocations.filter((i) => input.InstanceIds!.includes(i.instanceId));
    if (input.InstanceIds !== undefined && targets.length !== input.InstanceIds.length) {
      throw ssmError('InvalidInstanceId', `Some of [${input.InstanceIds.join(', ')}] are not targets of command ${input.CommandId}.`);
    }
    if (targets.every((i) => i.phase === 'done')) return {};
    state.cancelRequested = true;
    for (const inv of targets) {
      if (inv.phase === 'done') continue;
      if (inv.phase === 'running') {
        inv.cancelRequested = true;
        inv.status = 'Cancelling';
        inv.details = 'Cancelling';
        this.#whenAgentReachable(inv.instanceId, () => inv.cancel.stop('cancelled'));
      } else {
        inv.stopDelivery?.();
        this.#finish(state, inv, 'Cancelled', 'Cancelled');
      }
    }
    this.#update(state);
    return {};
  }

  // ------------------------------------------------------------------ engine-facing helpers

  /**
   * Calls `listener` with the command once it is terminal (at once if it is; never for an unknown command), and
   * returns what stops listening. A callback, not a promise, for `aws:runCommand`, which waits on thousands at once.
   * The listeners of a command are called together when it ends: stopping one from inside another's call is too late.
   * A listener that throws does not keep the others from their call; its error surfaces on its own.
   */
  onCommandDone(commandId: string, listener: (command: Command) => void): () => void {
    const state = this.#commands.get(commandId);
    if (state === undefined) return noop;
    if (isTerminalCommand(state.command.Status)) {
      listener(this.#commandView(state));
      return noop;
    }
    state.waiters = state.waiters.length === 0 ? [listener] : [...state.waiters, listener];
    return () => {
      const i = state.waiters.indexOf(listener);
      if (i >= 0) state.waiters = state.waiters.toSpliced(i, 1);
    };
  }

  /**
   * Calls `listener` with the output of one invocation's process as it is written (from its start), while it runs:
   * the console's live view. Not an API: on AWS, output is readable only once the invocation ends. Returns what stops
   * listening; a finished or unknown invocation gives nothing.
   */
  watchOutput(commandId: string, instanceId: string, listener: OutputListener): () => void {
    const inv = this.#commands.get(commandId)?.invocations.find((i) => i.instanceId === instanceId);
    if (inv === undefined || inv.phase === 'done') return noop;
    const watchers = (inv.outputWatchers ??= new Set());
    watchers.add(listener);
    if (watchers.size === 1 && inv.watchProcess !== undefined) this.#forwardOutput(inv, inv.watchProcess);
    return () => {
      if (inv.outputWatchers?.delete(listener) !== true || inv.outputWatchers.size > 0) return;
      inv.outputWatchers = undefined;
      inv.stopWatching?.();
      inv.stopWatching = undefined;
    };
  }

  /**
   * Everything one invocation's process wrote, as the agent captured it (up to 1 MiB a stream), before the API's
   * truncation: the console shows how much the 24,000/8,000-character limits left out. Undefined for an unknown one.
   */
  capturedOutput(commandId: string, instanceId: string): { stdout: string; stderr: string } | undefined {
    const inv = this.#commands.get(commandId)?.invocations.find((i) => i.instanceId === instanceId);
    if (inv === undefined) return undefined;
    // Every step's output in document order (one step for the AWS documents the shipped runbooks use).
    const results = inv.plugins ?? [];
    return { stdout: results.map((r) => r.stdout).join(''), stderr: results.map((r) => r.stderr).join('') };
  }

  #setProcess(inv: InvocationState, watch: WatchOutput | undefined): void {
    inv.watchProcess = watch;
    inv.stopWatching?.();
    inv.stopWatching = undefined;
    if (watch !== undefined && inv.outputWatchers !== undefined) this.#forwardOutput(inv, watch);
  }

  #forwardOutput(inv: InvocationState, watch: WatchOutput): void {
    inv.stopWatching = watch((stream, text) => {
      for (const listener of [...(inv.outputWatchers ?? [])]) listener(stream, text);
    });
  }

  /** The command's invocations with plugin details (for the `aws:runCommand` outputs). */
  invocationsOf(commandId: string): CommandInvocation[] {
    const state = this.#commands.get(commandId);
    return state === undefined ? [] : state.invocations.map((inv) => this.#invocationView(state, inv, true));
  }

  /**
   * Brings back the commands the store kept (at start). An invocation that had not ended when the last process stopped
   * never gets its agent's report: it ends `TimedOut` / `Delivery Timed Out` now ("If Run Command doesn't receive a
   * document terminal response from SSM Agent, the command invocation is marked as deliveryTimeout", §6.4), rather
   * than at its ExpiresAfter (docs/fidelity.md, Persistence).
   */
  restore(): void {
    for (const { value } of this.#store.records(COMMAND_KIND)) {
      const saved = value as unknown as SavedCommand;
      const state: CommandState = {
        command: saved.command,
        doc: saved.doc,
        parameters: saved.parameters,
        invocations: saved.invocations.map((inv) => {
          const restored: InvocationState = { ...inv, cancel: new Stopper() };
          return restored;
        }),
        maxConcurrency: saved.maxConcurrency,
        maxErrors: saved.maxErrors,
        cancelRequested: saved.cancelRequested,
        timers: NO_TIMERS,
        waiters: NO_WAITERS,
      };
      this.#commands.set(state.command.CommandId, state);
      if (allDone(state.invocations)) continue;
      for (const inv of state.invocations) {
        // Cancelling: the agent never confirmed the cancel either; the same outcome as any unreported work.
        if (inv.phase !== 'done') this.#finish(state, inv, 'TimedOut', 'Delivery Timed Out');
      }
      this.#update(state);
    }
  }

  // ------------------------------------------------------------------ internals

  #dispatch(state: CommandState): void {
    const invocations = state.invocations;
    for (let i = 0; i < invocations.length; i++) {
      const inv = invocations[i]!;
      if (inv.phase !== 'queued') continue;
      // Counted afresh each time: a delivery that starts at once dispatches others itself (#start → #update).
      if (inFlight(invocations) >= state.maxConcurrency) break;
      this.#deliver(state, inv);
    }
  }

  #deliver(state: CommandState, inv: InvocationState): void {
    const instance = this.#instances.get(inv.instanceId);
    if (instance === undefined) {
      this.#finish(state, inv, 'Failed', 'Undeliverable');
      return;
    }
    if (!instance.reachable) {
      // "Delayed: The system attempted to send the command to the managed node but wasn't successful. The system
      // retries again." (monitor-commands).
      inv.phase = 'waiting';
      inv.status = 'Delayed';
      inv.details = 'Delayed';
      let stopped = false;
      inv.stopDelivery = () => (stopped = true);
      this.#whenAgentReachable(inv.instanceId, () => {
        if (!stopped && inv.phase === 'waiting') this.#deliver(state, inv);
      });
      return;
    }
    inv.phase = 'delivering';
    if (instance.deliveryDelayMs <= 0) {
      this.#start(state, inv);
      return;
    }
    const cancelTimer = this.#clock.setTimer(instance.deliveryDelayMs, () => {
      inv.stopDelivery = undefined;
      if (inv.phase !== 'delivering') return;
      if (!instance.reachable || this.#instances.get(inv.instanceId) !== instance) {
        inv.phase = 'queued';
        this.#deliver(state, inv);
        this.#update(state);
        return;
      }
      this.#start(state, inv);
    });
    inv.stopDelivery = cancelTimer;
  }

  #start(state: CommandState, inv: InvocationState): void {
    const instance = this.#instances.get(inv.instanceId)!;
    const generation = instance.agentGeneration;
    inv.phase = 'running';
    inv.status = 'InProgress';
    inv.details = 'In Progress';
    inv.startedAt = this.#clock.now();
    this.#update(state);
    const startedAt = inv.startedAt;
    runPlugins({
      doc: state.doc,
      parameters: state.parameters,
      instance,
      commandId: state.command.CommandId,
      region: this.#region,
      orchestrationPrefix: `${this.#agentDirPrefix}${inv.instanceId}${sep}orchestration${sep}${state.command.CommandId}${sep}`,
      clock: this.#clock,
      cancel: inv.cancel,
      onProcess: (watch) => this.#setProcess(inv, watch),
      // The agent replies after each step; a reply from a killed agent or over a lost connection never arrives.
      ...(state.doc.steps.length > 1
        ? {
            onStep: (_index: number, _result: PluginResult, results: readonly PluginResult[]) => {
              if (inv.phase === 'running' && instance.reachable && instance.agentGeneration === generation) inv.plugins = results.slice();
            },
          }
        : {}),
    }).then(
      (results) => this.#report(state, inv, results, generation),
      (error: unknown) =>
        this.#report(
          state,
          inv,
          [{ status: 'Failed', statusDetails: 'Failed', exitCode: 1, stdout: '', stderr: String(error), startedAt, endedAt: this.#clock.now() }],
          generation,
        ),
    );
  }

  /** The agent sends its result, once it can reach the service; a killed agent's work never reports. */
  #report(state: CommandState, inv: InvocationState, results: readonly PluginResult[], generation: number): void {
    const instance = this.#instances.get(inv.instanceId);
    if (instance === undefined || instance.agentGeneration !== generation) return;
    if (!instance.reachable) {
      this.#whenAgentReachable(inv.instanceId, () => this.#report(state, inv, results, generation));
      return;
    }
    if (inv.phase === 'done') return;
    inv.plugins = results;
    if (results.length > 0) inv.startedAt = results[0]!.startedAt;
    const outcome = invocationOutcome(results);
    this.#finish(state, inv, outcome.status, outcome.details, results.at(-1)?.endedAt);
    this.#update(state);
  }

  #finish(state: CommandState, inv: InvocationState, status: CommandInvocationStatus, details: InvocationStatusDetails, endedAt?: number): void {
    if (inv.phase === 'done') return;
    inv.phase = 'done';
    inv.outputWatchers = undefined;
    inv.status = status;
    inv.details = details;
    inv.endedAt = endedAt ?? this.#clock.now();
    if (countsAsError(inv) && state.invocations.filter(countsAsError).length > state.maxErrors) {
      // "Terminated: The parent command exceeded its MaxErrors limit and subsequent command invocations were
      // canceled by the system" (monitor-commands). Their Status value is UNCONFIRMED; we use Cancelled.
      for (const other of state.invocations) {
        if (other.phase === 'queued') {
          other.phase = 'done';
          other.status = 'Cancelled';
          other.details = 'Terminated';
          other.endedAt = this.#clock.now();
        }
      }
    }
  }

  #update(state: CommandState): void {
    if (!allDone(state.invocations)) this.#dispatch(state);
    rollUpInto(state.command, state.invocations, state.maxErrors, state.cancelRequested);
    this.#store.put(COMMAND_KIND, state.command.CommandId, () => savedCommand(state));
    this.#changes?.emit('command', state.command.CommandId);
    if (isTerminalCommand(state.command.Status)) {
      const timers = state.timers;
      state.timers = NO_TIMERS;
      for (let i = 0; i < timers.length; i++) timers[i]!();
      const view = this.#commandView(state);
      const waiters = state.waiters;
      state.waiters = NO_WAITERS;
      for (let i = 0; i < waiters.length; i++) notify(waiters[i]!, view);
    }
  }

  #whenAgentReachable(instanceId: string, fn: () => void): void {
    if (this.#instances.get(instanceId)?.reachable === true) {
      fn();
      return;
    }
    const list = this.#whenReachable.get(instanceId) ?? [];
    list.push(fn);
    this.#whenReachable.set(instanceId, list);
  }

  #commandView(state: CommandState): Command {
    return copyCommand(state.command);
  }

  /**
   * The status of step `index`: its reported result; else, for the step the agent is on (or every step of an
   * invocation that ended without a report: timed out, undeliverable), the invocation's; else Pending.
   */
  #stepStatus(inv: InvocationState, index: number): { status: CommandInvocationStatus; details: InvocationStatusDetails } {
    const result = inv.plugins?.[index];
    if (result !== undefined) return { status: result.status, details: result.statusDetails };
    if (inv.phase === 'done' || index === (inv.plugins?.length ?? 0)) return { status: inv.status, details: inv.details };
    return { status: 'Pending', details: 'Pending' };
  }

  /** `CommandPlugin` of step `index`. */
  #pluginView(state: CommandState, inv: InvocationState, index: number): CommandPlugin {
    const c = state.command;
    const step = state.doc.steps[index]!;
    const result = inv.plugins?.[index];
    const now = this.#stepStatus(inv, index);
    const status = pluginStatus(now.status);
    const details = now.details;
    const startedAt = result?.startedAt ?? (status === 'Pending' ? undefined : inv.startedAt);
    return {
      Name: step.name,
      Status: status,
      StatusDetails: details,
      ResponseCode: result?.exitCode ?? NO_RESPONSE_CODE,
      ...(startedAt === undefined ? {} : { ResponseStartDateTime: new Date(startedAt) }),
      ...(result !== undefined ? { ResponseFinishDateTime: new Date(result.endedAt) } : {}),
      Output: result === undefined ? '' : (result.output ?? pluginOutput(result.stdout, result.stderr, result.exitCode)),
      StandardOutputUrl: '',
      StandardErrorUrl: '',
      OutputS3Region: c.OutputS3Region,
      OutputS3BucketName: c.OutputS3BucketName,
      OutputS3KeyPrefix: c.OutputS3KeyPrefix,
    };
  }

  #invocationView(state: CommandState, inv: InvocationState, details: boolean): CommandInvocation {
    const c = state.command;
    return {
      CommandId: c.CommandId,
      InstanceId: inv.instanceId,
      InstanceName: inv.instanceName,
      Comment: c.Comment,
      DocumentName: c.DocumentName,
      DocumentVersion: c.DocumentVersion,
      RequestedDateTime: new Date(c.RequestedDateTime),
      Status: inv.status,
      StatusDetails: inv.details,
      StandardOutputUrl: '',
      StandardErrorUrl: '',
      CommandPlugins: details ? state.doc.steps.map((_step, i) => this.#pluginView(state, inv, i)) : [],
      ServiceRole: c.ServiceRole,
      NotificationConfig: copyConfig(c.NotificationConfig),
      CloudWatchOutputConfig: copyConfig(c.CloudWatchOutputConfig),
    };
  }
}

/** A command as the store keeps it: the record, its document and every invocation with the results it reported. */
interface SavedCommand {
  readonly command: CommandRecord;
  readonly doc: CommandDocument;
  readonly parameters: Record<string, JsonValue>;
  readonly invocations: Array<Pick<InvocationState, 'instanceId' | 'instanceName' | 'status' | 'details' | 'phase' | 'plugins' | 'cancelRequested'> & { startedAt?: number | undefined; endedAt?: number | undefined }>;
  readonly maxConcurrency: number;
  readonly maxErrors: number;
  readonly cancelRequested: boolean;
}

function savedCommand(state: CommandState): JsonValue {
  const saved: SavedCommand = {
    command: state.command,
    doc: state.doc,
    parameters: state.parameters,
    invocations: state.invocations.map((inv) => ({
      instanceId: inv.instanceId,
      instanceName: inv.instanceName,
      status: inv.status,
      details: inv.details,
      phase: inv.phase,
      plugins: inv.plugins,
      startedAt: inv.startedAt,
      endedAt: inv.endedAt,
      cancelRequested: inv.cancelRequested,
    })),
    maxConcurrency: state.maxConcurrency,
    maxErrors: state.maxErrors,
    cancelRequested: state.cancelRequested,
  };
  // JSON.stringify drops the undefined members; a restored invocation has them absent, as a new one does.
  return saved as unknown as JsonValue;
}

/**
 * A caller's copy of a command record, nested values included, so that callers cannot change the service's state.
 * Written out: structuredClone took about 5 µs a call here against under 1 µs (each SendCommand and each command end);
 * member by member in the record's order rather than a spread then overwritten, and with no entry pairs or closures.
 */
function copyCommand(c: CommandRecord): Command {
  const notification = c.NotificationConfig;
  const events = notification.NotificationEvents;
  return {
    CommandId: c.CommandId,
    DocumentName: c.DocumentName,
    DocumentVersion: c.DocumentVersion,
    Comment: c.Comment,
    ExpiresAfter: new Date(c.ExpiresAfter),
    Parameters: copyMember(c.Parameters),
    InstanceIds: [...c.InstanceIds],
    Targets: c.Targets.map(copyTarget),
    RequestedDateTime: new Date(c.RequestedDateTime),
    Status: c.Status,
    StatusDetails: c.StatusDetails,
    OutputS3Region: c.OutputS3Region,
    OutputS3BucketName: c.OutputS3BucketName,
    OutputS3KeyPrefix: c.OutputS3KeyPrefix,
    MaxConcurrency: c.MaxConcurrency,
    MaxErrors: c.MaxErrors,
    TargetCount: c.TargetCount,
    CompletedCount: c.CompletedCount,
    ErrorCount: c.ErrorCount,
    DeliveryTimedOutCount: c.DeliveryTimedOutCount,
    ServiceRole: c.ServiceRole,
    NotificationConfig: events === undefined ? { ...notification } : { ...notification, NotificationEvents: [...events] },
    CloudWatchOutputConfig: { ...c.CloudWatchOutputConfig },
    TimeoutSeconds: c.TimeoutSeconds,
  };
}

function copyTarget(target: Target): Target {
  return target.Values === undefined ? { ...target } : { ...target, Values: [...target.Values] };
}

/**
 * A caller's deep copy of the record's NotificationConfig or CloudWatchOutputConfig, equal to structuredClone's. The
 * usual flat member (plain values and lists of them) is a spread and list copies, ~50 bytes against ~250 for
 * structuredClone, which serialises and parses back; anything else (a runbook's NotificationConfig may hold any JSON)
 * still goes through structuredClone.
 */
function copyConfig<T extends object>(config: T): T {
  if (!isJsonObject(config)) return structuredClone(config);
  const copy: JsonObject = { ...config };
  for (const key in copy) {
    const value = copy[key];
    if (isPlain(value)) continue;
    // Assigning a member named __proto__ would set the prototype instead.
    if (!Array.isArray(value) || !value.every(isPlain) || key === '__proto__') return structuredClone(config);
    copy[key] = value.slice();
  }
  return copy as T;
}

function isPlain(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The record's copy of a JSON-shaped request member (or a caller's copy of one), sharing its strings. */
function copyMember<T>(value: T): T {
  return copyJson(value as JsonValue) as T;
}

/**
 * The step GetCommandInvocation names: `PluginName` is a step name (2.x) or plugin name (1.2, also as its property id
 * `0.aws:runShellScript`). Without it, the document must have one step: "If the document contains more than one
 * step, you must specify the name of the step" (GetCommandInvocation), else `InvalidPluginName` (boto3 #1811).
 */
function stepIndex(doc: CommandDocument, pluginName: string | undefined): number {
  if (pluginName === undefined) {
    if (doc.steps.length === 1) return 0;
    throw ssmError('InvalidPluginName', `Document ${doc.name} has ${doc.steps.length} steps; name one as PluginName (${doc.steps.map((s) => s.name).join(', ')}).`);
  }
  const index = doc.steps.findIndex((s) => s.name === pluginName || (doc.schemaVersion === '1.2' && pluginName === `0.${s.plugin}`));
  if (index < 0) throw ssmError('InvalidPluginName', `Plugin ${pluginName} is not part of document ${doc.name}.`);
  return index;
}

/**
 * How long the agent may take once it has the command: the sum of the steps' timeouts (each `timeoutSeconds`, after
 * parameters are replaced, else the agent's 3600 s). `ExpiresAfter` is TimeoutSeconds plus this (§6.4; the sum over
 * several steps is UNCONFIRMED, docs/fidelity.md).
 */
function documentExecutionTimeout(doc: CommandDocument, parameters: Readonly<Record<string, JsonValue>>): number {
  let total = 0;
  for (const step of doc.steps) total += stepTimeout(step, parameters);
  return total;
}

function stepTimeout(step: CommandStepPlan, parameters: Readonly<Record<string, JsonValue>>): number {
  const first = Array.isArray(step.inputs) ? step.inputs[0] : step.inputs;
  const raw = isJsonObject(first) ? first['timeoutSeconds'] : undefined;
  const value = raw === undefined ? undefined : replaceParameters(raw, parameters);
  return agentExecutionTimeout(typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined);
}

/** A `Targets` entry keyed `instanceids` in another case than `InstanceIds` (AWS's send-command example 1). */
function isLowerCaseInstanceIdsTarget(target: Target): boolean {
  return target.Key !== 'InstanceIds' && target.Key?.toLowerCase() === 'instanceids';
}

/**
 * `NotificationConfig` as AWS returns it: its three members, empty when the request set none (send-command,
 * list-commands examples). Members the model lacks are dropped, as AWS's JSON front end ignores them.
 */
function notificationConfig(given: SendCommandRequest['NotificationConfig']): Command['NotificationConfig'] {
  const events = given?.NotificationEvents;
  const type = given?.NotificationType;
  return {
    NotificationArn: typeof given?.NotificationArn === 'string' ? given.NotificationArn : '',
    NotificationEvents: Array.isArray(events) ? events.filter((e) => typeof e === 'string') : [],
    NotificationType: type === 'Command' || type === 'Invocation' ? type : '',
  };
}

/** `CloudWatchOutputConfig` as AWS returns it: `{CloudWatchLogGroupName: "", CloudWatchOutputEnabled: false}` unless set. */
function cloudWatchOutputConfig(given: SendCommandRequest['CloudWatchOutputConfig']): Command['CloudWatchOutputConfig'] {
  return {
    CloudWatchLogGroupName: typeof given?.CloudWatchLogGroupName === 'string' ? given.CloudWatchLogGroupName : '',
    CloudWatchOutputEnabled: given?.CloudWatchOutputEnabled === true,
  };
}

/**
 * `[...new Set(ids)]`, without the Set in the usual case of a few distinct ids: then an exact-size copy (the record
 * keeps it). Anything else (repeats, holes, non-strings, too many) still goes through the Set.
 */
function distinct(ids: readonly string[]): string[] {
  if (ids.length > MAX_INSTANCE_IDS) return [...new Set(ids)];
  for (let i = 0; i < ids.length; i++) {
    if (typeof ids[i] !== 'string' || ids.indexOf(ids[i]!) !== i) return [...new Set(ids)];
  }
  return ids.slice();
}

/** Invocations handed to an agent and not yet done; counted with a loop, not a filtered copy, on every dispatch. */
function inFlight(invocations: readonly InvocationState[]): number {
  let count = 0;
  for (let i = 0; i < invocations.length; i++) {
    const phase = invocations[i]!.phase;
    if (phase === 'waiting' || phase === 'delivering' || phase === 'running') count++;
  }
  return count;
}

/** A loop, not `every` with a closure: it runs on every status change. */
function allDone(invocations: readonly InvocationState[]): boolean {
  for (let i = 0; i < invocations.length; i++) if (invocations[i]!.phase !== 'done') return false;
  return true;
}

export function isTerminalCommand(status: Command['Status']): boolean {
  return status === 'Success' || status === 'Failed' || status === 'TimedOut' || status === 'Cancelled';
}

function pluginStatus(status: CommandInvocationStatus): CommandPluginStatus {
  if (status === 'Delayed') return 'Pending';
  if (status === 'Cancelling') return 'InProgress';
  return status;
}

/** ISO-8601 duration, the shape of `ExecutionElapsedTime` (e.g. `PT0.039S`). */
function elapsed(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(3)}S`;
}

function matchesFilters(
  requested: number,
  status: string,
  documentName: string,
  filters: readonly { key: string; value: string }[] | undefined,
): boolean {
  for (const f of filters ?? []) {
    switch (f.key) {
      case 'InvokedAfter':
        if (requested < Date.parse(f.value)) return false;
        break;
      case 'InvokedBefore':
        if (requested > Date.parse(f.value)) return false;
        break;
      case 'Status':
        if (status !== f.value) return false;
        break;
      case 'DocumentName':
        if (documentName !== f.value) return false;
        break;
      case 'ExecutionStage':
        if (f.value === 'Executing' ? isTerminalInvocation(status as CommandInvocationStatus) : !isTerminalInvocation(status as CommandInvocationStatus)) return false;
        break;
      default:
        throw ssmError('InvalidFilterKey', `Filter key ${f.key} is not supported.`);
    }
  }
  return true;
}

/** Offset pagination with an opaque token. */
export function paginate<T>(items: readonly T[], maxResults: number | undefined, token: string | undefined, max: number): { items: T[]; next?: string } {
  const size = maxResults ?? max;
  if (!Number.isInteger(size) || size < 1 || size > max) throw ssmError('ValidationException', `MaxResults must be from 1 to ${max}.`);
  let start = 0;
  if (token !== undefined) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > items.length) throw ssmError('InvalidNextToken', 'The NextToken is not valid.');
    start = decoded;
  }
  const end = start + size;
  return end < items.length ? { items: items.slice(start, end), next: Buffer.from(String(end), 'utf8').toString('base64url') } : { items: items.slice(start) };
}

