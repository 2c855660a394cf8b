/**
 * One Automation execution (schema 0.3): the step loop with `maxAttempts`, `timeoutSeconds`, `onFailure`
 * (Abort | Continue | step:X), `onCancel`, `isCritical`, `isEnd`, `nextStep` and `outputs`, and the execution's
 * final status (aws-semantics §2; automation-actions "Properties shared by all actions",
 * automation-handling-timeouts, automation-branch-condition).
 */
import type { Clock } from '../clock.js';
import type { AwsApi } from '../aws-api.js';
import type { IdGenerator } from '../ids.js';
import type { JsonObject, JsonValue } from '../../model/json.js';
import type { Runbook, RunbookStep } from '../../model/runbook.js';
import type {
  AutomationExecution,
  AutomationExecutionMetadata,
  AutomationExecutionStatus,
  AutomationParameterMap,
  FailureDetails,
  StepExecution,
} from '../../model/ssm.js';
import type { RunCommandService } from '../run-command/run-command-service.js';
import type { ActionContext, ActionResult, LocalSsmCall, SsmAuthorizer } from './actions/action.js';
import { StepFailure } from './actions/action.js';
import { EXECUTE_AWS_API_MAX_SECONDS } from './actions/execute-aws-api.js';
import { ACTIONS, isSupportedAction } from './actions/index.js';
import { WAIT_FOR_PROPERTY_DEFAULT_TIMEOUT_SECONDS } from './actions/wait-for-aws-resource-property.js';
import type { InterpolationScope } from './interpolate.js';
import { interpolate, UnresolvedReferenceError } from './interpolate.js';
import { selectOutput } from './outputs.js';
import { sharedJson } from '../flat-string.js';
import type { ChangeFeed } from '../changes.js';
import { Stopper, type StopSignal } from '../stop-signal.js';
import { toStringList } from './parameters.js';
import type { RoleAssumption } from '../iam/roles.js';

/** "Automation runs the cancellation workflow for a maximum of two minutes." */
export const CANCELLATION_WORKFLOW_MAX_MS = 120_000;

export interface AutomationExecutionDeps {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly awsApi: AwsApi;
  readonly ssm: LocalSsmCall;
  readonly runCommand: RunCommandService;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly executedBy: string;
  /** IAM check for SSM calls actions make with the assumed role (the local engine's role registry). */
  readonly authorizeSsm?: SsmAuthorizer;
  /** Told when an execution's status or steps change (the engine writes it through to its store). */
  readonly onChange?: (run: AutomationExecutionRun) => void;
  /** Told when a step begins or ends and when the execution ends (the console's live view). */
  readonly changes?: ChangeFeed;
  /** Whether Automation can assume the runbook's `assumeRole` (the local engine: a template or registration defines it). */
  readonly canAssumeRole?: RoleAssumption;
}

/**
 * An execution whose `assumeRole` cannot be assumed fails before its first step with this message (the console and
 * GetAutomationExecution show it; UNCONFIRMED that no step is recorded, docs/fidelity.md).
 */
export const CANNOT_ASSUME_ROLE = 'The defined assume role is unable to be assumed.';

export interface AutomationExecutionInit {
  readonly id: string;
  readonly documentName: string;
  readonly documentVersion: string;
  readonly runbook: Runbook;
  readonly parameters: Readonly<Record<string, JsonValue>>;
  readonly mode: 'Auto' | 'Interactive';
}

type StopReason = 'timeout' | 'cancel';

type StepOutcome = { status: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled'; nextStep?: string };

/**
 * How an attempt is stopped (step timeout, automation cancel, end of the cancellation workflow): the ActionContext's
 * signal. A Stopper, not an AbortController with its listener maps (~0.8 KiB, which every waiting step held).
 */
class AttemptStop extends Stopper {
  override get reason(): StopReason | undefined {
    return super.reason as StopReason | undefined;
  }

  override stop(reason: StopReason): void {
    super.stop(reason);
  }
}

/** One attempt of a step's action while it runs. */
interface RunningAttempt {
  readonly stop: AttemptStop;
  readonly cancelTimer: () => void;
  readonly onOuter: (() => void) | undefined;
  /** The action's result; never rejects (errors become a StepFailure). */
  readonly result: Promise<ActionResult | StepFailure>;
  /** The action's result, or undefined when the step was stopped first; never rejects. */
  readonly first: Promise<ActionResult | StepFailure | undefined>;
  readonly timeoutSeconds: number | undefined;
}

const noTimer = (): void => undefined;

/** Every step's OverriddenParameters: shared, since the API views are copies (stepView). */
const NO_OVERRIDES: Readonly<Record<string, string[]>> = Object.freeze({});

function noResolvedTargets(): { ParameterValues: string[]; Truncated: boolean } {
  return { ParameterValues: [], Truncated: false };
}

type StepTimes<T> = { ExecutionStartTime: T; ExecutionEndTime?: T };

/**
 * A step execution as the run keeps it: the API's `StepExecution` with its times as epoch ms, not Dates (a Date costs
 * ~96 bytes and a waiting automation keeps a few); `stepView` makes the API's copy.
 */
type RecordedStep = Omit<StepExecution, keyof StepTimes<Date>> & StepTimes<number>;

interface StepRecord {
  readonly step: RunbookStep;
  readonly execution: RecordedStep;
  outputs: Record<string, JsonValue>;
}

const TERMINAL: ReadonlySet<AutomationExecutionStatus> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

/** A runbook's step names, built once per runbook (runbooks are immutable and shared by all their executions). */
const STEP_NAMES = new WeakMap<Runbook, ReadonlySet<string>>();

function stepNamesOf(runbook: Runbook): ReadonlySet<string> {
  let names = STEP_NAMES.get(runbook);
  if (names === undefined) STEP_NAMES.set(runbook, (names = new Set(runbook.mainSteps.map((s) => s.name))));
  return names;
}

export class AutomationExecutionRun {
  readonly id: string;
  readonly #deps: AutomationExecutionDeps;
  readonly #init: AutomationExecutionInit;
  readonly #records: StepRecord[] = [];
  readonly #stepOutputs = new Map<string, Record<string, JsonValue>>();
  readonly #stepNames: ReadonlySet<string>;
  #status: AutomationExecutionStatus = 'Pending';
  #start?: number;
  #end?: number;
  #failureMessage?: string | undefined;
  #current?: StepRecord | undefined;
  #currentStop?: AttemptStop | undefined;
  #cancelRequested = false;
  /** The resolved `assumeRole`; null until first needed. */
  #role: string | undefined | null = null;
  #finished: Promise<void>;
  #resolveFinished!: () => void;

  constructor(deps: AutomationExecutionDeps, init: AutomationExecutionInit) {
    this.#deps = deps;
    this.#init = init;
    this.id = init.id;
    this.#stepNames = stepNamesOf(init.runbook);
    this.#finished = new Promise((resolve) => (this.#resolveFinished = resolve));
  }

  get status(): AutomationExecutionStatus {
    return this.#status;
  }

  get isTerminal(): boolean {
    return TERMINAL.has(this.#status);
  }

  /** Resolves when the execution reaches a terminal status. */
  get finished(): Promise<void> {
    return this.#finished;
  }

  /** Runs the execution to its end. Never rejects: engine errors become a Failed execution. */
  run(): Promise<void> {
    if (this.isTerminal) return Promise.resolve();
    this.#status = 'InProgress';
    this.#start = this.#deps.clock.now();
    this.#deps.onChange?.(this);
    try {
      const role = this.#scopeRole();
      const { partition, region, accountId } = this.#deps;
      const sourceArn = `arn:${partition}:ssm:${region}:${accountId}:automation-execution/${this.id}`;
      if (role !== undefined && role !== '' && this.#deps.canAssumeRole?.(role, { service: 'ssm.amazonaws.com', sourceArn }) === false) {
        this.#failureMessage = CANNOT_ASSUME_ROLE;
        this.#finish('Failed');
        return this.#finished;
      }
      this.#loop(0, undefined);
    } catch (error) {
      this.#internalError(error);
    }
    return this.#finished;
  }

  /** StopAutomationExecution Type Cancel. */
  cancel(): void {
    if (this.isTerminal || this.#cancelRequested) return;
    this.#cancelRequested = true;
    if (this.#status === 'Pending') {
      this.#status = 'Cancelled';
      this.#start = this.#deps.clock.now();
      this.#end = this.#start;
      this.#deps.onChange?.(this);
      this.#resolveFinished();
      return;
    }
    this.#status = 'Cancelling';
    this.#deps.onChange?.(this);
    this.#currentStop?.stop('cancel');
  }

  // ------------------------------------------------------------------ the loop

  /**
   * Runs mainSteps from `index`. A step's end continues in a promise callback, and nothing is returned up a chain:
   * a suspended async frame, or a promise adopting the next step's, would stay alive for as long as a step waits.
   */
  #loop(index: number | undefined, criticalFailure: 'Failed' | 'TimedOut' | undefined): void {
    const steps = this.#init.runbook.mainSteps;
    // "If a step with this designation fails, then Automation reports the final status of the Automation as Failed";
    // a timed-out critical step makes it TimedOut (automation-handling-timeouts).
    if (index === undefined || index >= steps.length) return this.#finish(criticalFailure ?? 'Success');
    const step = steps[index]!;
    if (this.#cancelRequested) return this.#cancelAt(step);
    this.#runStep(step, false).then(
      ({ status, nextStep }) => {
        try {
          this.#afterStep(step, index, status, nextStep, criticalFailure);
        } catch (error) {
          this.#internalError(error);
        }
      },
      (error: unknown) => this.#internalError(error),
    );
  }

  #afterStep(step: RunbookStep, index: number, status: StepOutcome['status'], nextStep: string | undefined, criticalFailure: 'Failed' | 'TimedOut' | undefined): void {
    if (status === 'Cancelled') return this.#cancelAt(step);
    if (status === 'Success') return this.#loop(step.isEnd === true ? undefined : this.#indexAfter(step, index, nextStep), criticalFailure);
    // Failed or TimedOut. isCritical defaults to true, except false with onFailure: Continue (§2).
    const critical = step.isCritical ?? step.onFailure !== 'Continue';
    if (critical && criticalFailure === undefined) {
      criticalFailure = status;
      this.#failureMessage = this.#records.at(-1)?.execution.FailureMessage;
    }
    const onFailure = step.onFailure ?? 'Abort';
    if (onFailure === 'Abort') return this.#finish(criticalFailure ?? 'Success');
    // An explicit step:X is followed even on an isEnd step (UNCONFIRMED precedence, docs/fidelity.md).
    if (onFailure.startsWith('step:')) return this.#loop(this.#indexOf(onFailure.slice(5)), criticalFailure);
    return this.#loop(step.isEnd === true ? undefined : this.#indexAfter(step, index, undefined), criticalFailure);
  }

  /** Runs the cancellation workflow for the interrupted step, then ends the execution Cancelled. */
  #cancelAt(step: RunbookStep): void {
    this.#runCancellation(step).then(
      () => this.#finish('Cancelled'),
      (error: unknown) => this.#internalError(error),
    );
  }

  /** Engine errors (a missing step, a throwing action wrapper) end the execution Failed, never a rejection. */
  #internalError(error: unknown): void {
    this.#failureMessage = `Internal error: ${(error as Error).message}`;
    this.#finish('Failed');
  }

  #finish(status: AutomationExecutionStatus): void {
    this.#status = status;
    this.#end = this.#deps.clock.now();
    this.#deps.onChange?.(this);
    this.#deps.changes?.emit('automation', this.id);
    this.#resolveFinished();
  }

  #indexOf(name: string): number {
    const i = this.#init.runbook.mainSteps.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`Step ${name} does not exist`);
    return i;
  }

  #indexAfter(step: RunbookStep, index: number, branchNext: string | undefined): number | undefined {
    const target = branchNext ?? step.nextStep;
    return target === undefined ? index + 1 : this.#indexOf(target);
  }

  /**
   * The cancellation workflow: the interrupted step's `onCancel: step:X` runs X (and whatever follows it) for at most
   * two minutes; the execution ends Cancelled either way.
   */
  async #runCancellation(interrupted: RunbookStep): Promise<void> {
    const onCancel = interrupted.onCancel ?? 'Abort';
    if (onCancel.startsWith('step:')) {
      const deadline = new Stopper();
      const cancelTimer = this.#deps.clock.setTimer(CANCELLATION_WORKFLOW_MAX_MS, () => deadline.stop('timeout'));
      const steps = this.#init.runbook.mainSteps;
      let index: number | undefined = this.#indexOf(onCancel.slice(5));
      while (index !== undefined && index < steps.length && !deadline.aborted) {
        const step: RunbookStep = steps[index]!;
        const { status, nextStep } = await this.#runStep(step, true, deadline);
        if (status === 'Success') {
          index = step.isEnd === true ? undefined : this.#indexAfter(step, index, nextStep);
        } else if (step.onFailure?.startsWith('step:') === true) {
          index = this.#indexOf(step.onFailure.slice(5));
        } else if (step.onFailure === 'Continue' && step.isEnd !== true) {
          index = this.#indexAfter(step, index, undefined);
        } else index = undefined;
      }
      cancelTimer();
    }
  }

  // ------------------------------------------------------------------ one step

  #runStep(step: RunbookStep, inCancellation: boolean, outer?: StopSignal): Promise<StepOutcome> {
    const record = this.#beginStep(step);
    const inputs = this.#resolveInputs(record);
    if (inputs === undefined) return Promise.resolve({ status: 'Failed' });
    return this.#attempt(record, inputs, 1, inCancellation, outer);
  }

  /** Runs attempt number `attempt` of the step, and the next ones while it fails (maxAttempts). */
  #attempt(record: StepRecord, inputs: JsonObject, attempt: number, inCancellation: boolean, outer: StopSignal | undefined): Promise<StepOutcome> {
    const running = this.#startAttempt(record, inputs, inCancellation, outer);
    // The action took what it needs: only a retry needs the inputs, so a last attempt does not keep them while it
    // waits ("Inputs" keeps their text).
    const retryInputs = attempt < (record.step.maxAttempts ?? 1) ? inputs : undefined;
    // Promise callbacks rather than async frames, which would keep every local alive while the action waits.
    return running.first.then((first) =>
      this.#endAttempt(record, running, first, inCancellation, outer).then((result) => {
        if (retryInputs === undefined || result.status === 'Success' || result.status === 'Cancelled' || outer?.aborted === true) return this.#endStep(record, result);
        return this.#attempt(record, retryInputs, attempt + 1, inCancellation, outer);
      }),
    );
  }

  #endStep(record: StepRecord, result: StepOutcome): StepOutcome {
    const execution = record.execution;
    execution.StepStatus = result.status;
    execution.ExecutionEndTime = this.#deps.clock.now();
    execution.Outputs = this.#renderOutputs(record.outputs);
    this.#stepOutputs.set(record.step.name, record.outputs);
    this.#current = undefined;
    this.#deps.onChange?.(this);
    this.#deps.changes?.emit('automation', this.id);
    return result;
  }

  /** Records the step as started and current. */
  #beginStep(step: RunbookStep): StepRecord {
    const execution: RecordedStep = {
      StepName: step.name,
      Action: step.action,
      ...(step.timeoutSeconds === undefined ? {} : { TimeoutSeconds: step.timeoutSeconds }),
      OnFailure: step.onFailure ?? 'Abort',
      MaxAttempts: step.maxAttempts ?? 1,
      ExecutionStartTime: this.#deps.clock.now(),
      StepStatus: 'InProgress',
      StepExecutionId: this.#deps.ids.uuid(),
      IsEnd: step.isEnd ?? false,
      ...(step.nextStep === undefined ? {} : { NextStep: step.nextStep }),
      IsCritical: step.isCritical ?? step.onFailure !== 'Continue',
      ValidNextSteps: validNextStepsOf(step),
      // AWS returns `{}` when nothing was overridden (get-automation-execution examples); only interactive and
      // rate-control runs override, which the engine does not have.
      OverriddenParameters: NO_OVERRIDES,
    };
    const record: StepRecord = { step, execution, outputs: {} };
    this.#records.push(record);
    this.#current = record;
    this.#deps.onChange?.(this);
    this.#deps.changes?.emit('automation', this.id);
    return record;
  }

  /** The step's inputs with every `{{ }}` resolved, or undefined when the step failed its input validation. */
  #resolveInputs(record: StepRecord): JsonObject | undefined {
    const { step, execution } = record;
    let inputs: JsonObject;
    try {
      inputs = interpolate(step.inputs as JsonObject, this.#scope()) as JsonObject;
      execution.Inputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, sharedJson(v)]));
    } catch (error) {
      if (!(error instanceof UnresolvedReferenceError)) throw error;
      this.#fail(execution, 'Failed', error.message, { FailureStage: 'InputValidation', FailureType: 'Verification' });
      this.#current = undefined;
      return undefined;
    }
    if (!isSupportedAction(step.action)) {
      // validateRunbook rejects these at CreateDocument; this guards documents that bypassed it.
      this.#fail(execution, 'Failed', `Action ${step.action} is not supported by the local engine.`, { FailureStage: 'InputValidation', FailureType: 'Verification' });
      this.#current = undefined;
      return undefined;
    }
    return inputs;
  }

  /** Starts one attempt of the step's action, with its timeout and cancellation. */
  #startAttempt(record: StepRecord, inputs: JsonObject, inCancellation: boolean, outer: StopSignal | undefined): RunningAttempt {
    const step = record.step;
    const stop = new AttemptStop();
    if (!inCancellation) this.#currentStop = stop;
    const onOuter = outer === undefined ? undefined : (): void => stop.stop('timeout');
    if (onOuter !== undefined) outer?.addEventListener('abort', onOuter, { once: true });
    const timeoutSeconds = effectiveTimeout(step);
    const cancelTimer = timeoutSeconds === undefined ? noTimer : this.#deps.clock.setTimer(timeoutSeconds * 1000, () => stop.stop('timeout'));
    if (this.#cancelRequested && !inCancellation) stop.stop('cancel');
    const role = this.#scopeRole();
    const ctx: ActionContext = {
      step,
      inputs,
      signal: stop,
      clock: this.#deps.clock,
      awsApi: this.#deps.awsApi,
      ssm: this.#deps.ssm,
      runCommand: this.#deps.runCommand,
      roleArn: role !== '' ? role : undefined,
      authorizeSsm: this.#deps.authorizeSsm,
      setOutput: (name, value) => {
        record.outputs[name] = value;
      },
    };
    const handler = ACTIONS[step.action as keyof typeof ACTIONS];
    // One promise settled by whichever comes first, the action's result or the stop: Promise.race would keep a
    // derived promise and a reaction per contender for as long as the action waits.
    let settleFirst!: (value: ActionResult | StepFailure | undefined) => void;
    const first = new Promise<ActionResult | StepFailure | undefined>((resolve) => (settleFirst = resolve));
    const onStop = (): void => settleFirst(undefined);
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop);
    const result = handler(ctx).then(
      (value) => {
        stop.removeEventListener('abort', onStop);
        settleFirst(value);
        return value;
      },
      (error: unknown) => {
        stop.removeEventListener('abort', onStop);
        const failure =
          error instanceof StepFailure ? error : new StepFailure(`Step failed with an internal error: ${(error as Error).message}`, { FailureStage: 'Invocation', FailureType: 'Internal' });
        settleFirst(failure);
        return failure;
      },
    );
    return { stop, cancelTimer, onOuter, result, first, timeoutSeconds };
  }

  /** Ends an attempt: `first` is the action's result, or undefined when the step was stopped first. */
  async #endAttempt(
    record: StepRecord,
    running: RunningAttempt,
    first: ActionResult | StepFailure | undefined,
    inCancellation: boolean,
    outer: StopSignal | undefined,
  ): Promise<StepOutcome> {
    const { step, execution } = record;
    const { stop, timeoutSeconds } = running;
    if (first === undefined) {
      // Let the action clean up (aws:runCommand cancels its command) without waiting on a call that cannot stop.
      await Promise.race([running.result, macrotasks(5)]);
    }
    running.cancelTimer();
    if (running.onOuter !== undefined) outer?.removeEventListener('abort', running.onOuter);
    if (!inCancellation) this.#currentStop = undefined;
    if (first === undefined || stop.aborted) {
      if (stop.reason === 'cancel') {
        execution.FailureMessage = 'Step cancelled because the automation execution was cancelled.';
        return { status: 'Cancelled' };
      }
      this.#fail(execution, 'TimedOut', `Step timed out after ${timeoutSeconds ?? 0} seconds.`, { FailureStage: 'Invocation', FailureType: 'Action' });
      return { status: 'TimedOut' };
    }
    const result = first;
    if (result instanceof StepFailure) {
      this.#fail(execution, 'Failed', result.message, result.details);
      return { status: 'Failed' };
    }
    if (result.status === 'Failed') {
      this.#fail(execution, 'Failed', result.failureMessage ?? 'Step failed.', result.failureDetails ?? { FailureStage: 'Invocation', FailureType: 'Action' });
      return { status: 'Failed' };
    }
    if (result.responseCode !== undefined) execution.ResponseCode = result.responseCode;
    if (result.response !== undefined) {
      execution.Response = JSON.stringify(result.response);
      for (const output of step.outputs ?? []) {
        try {
          const value = selectOutput(result.response, output);
          if (value !== undefined) record.outputs[output.Name] = value;
        } catch (error) {
          this.#fail(execution, 'Failed', `Output ${output.Name}: ${(error as Error).message}`, { FailureStage: 'PostVerification', FailureType: 'Verification' });
          return { status: 'Failed' };
        }
      }
    }
    delete execution.FailureMessage;
    delete execution.FailureDetails;
    return result.nextStep === undefined ? { status: 'Success' } : { status: 'Success', nextStep: result.nextStep };
  }

  #fail(execution: RecordedStep, status: 'Failed' | 'TimedOut', message: string, details: FailureDetails): void {
    execution.StepStatus = status;
    execution.FailureMessage = message;
    execution.FailureDetails = details;
    execution.ExecutionEndTime ??= this.#deps.clock.now();
  }

  /**
   * The runbook's `assumeRole`, resolved once: the execution runs under one role, and resolving it on every attempt
   * built a scope and an interpolation each time.
   */
  #scopeRole(): string | undefined {
    if (this.#role === null) this.#role = this.#resolveRole();
    return this.#role;
  }

  #resolveRole(): string | undefined {
    const role = this.#init.runbook.assumeRole;
    if (role === undefined) return undefined;
    try {
      const resolved = interpolate(role, this.#scope());
      return typeof resolved === 'string' ? resolved : undefined;
    } catch {
      return undefined;
    }
  }

  #scope(): InterpolationScope {
    const { date, dateTime } = dateVariables(this.#deps.clock.now());
    return {
      parameters: this.#init.parameters,
      stepNames: this.#stepNames,
      stepOutputs: this.#stepOutputs,
      variables: {
        'automation:EXECUTION_ID': this.id,
        'global:ACCOUNT_ID': this.#deps.accountId,
        'global:REGION': this.#deps.region,
        'global:AWS_PARTITION': this.#deps.partition,
        'global:DATE': date,
        'global:DATE_TIME': dateTime,
      },
    };
  }

  #renderOutputs(outputs: Record<string, JsonValue>): AutomationParameterMap {
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, toStringList(v)]));
  }

  // ------------------------------------------------------------------ API views

  /** `AutomationExecution.Outputs`: the runbook's `outputs: ["Step.Output"]` that were produced. */
  #executionOutputs(): AutomationParameterMap {
    const out: AutomationParameterMap = {};
    for (const ref of this.#init.runbook.outputs ?? []) {
      const dot = ref.indexOf('.');
      const value = this.#stepOutputs.get(ref.slice(0, dot))?.[ref.slice(dot + 1)];
      if (value !== undefined) out[ref] = toStringList(value);
    }
    return out;
  }

  stepExecutions(): StepExecution[] {
    return this.#records.map((r) => {
      const view = stepView(r.execution);
      if (r === this.#current) view.Outputs = this.#renderOutputs(r.outputs);
      return view;
    });
  }

  describe(): AutomationExecution {
    return {
      AutomationExecutionId: this.id,
      DocumentName: this.#init.documentName,
      DocumentVersion: this.#init.documentVersion,
      ...(this.#start === undefined ? {} : { ExecutionStartTime: new Date(this.#start) }),
      ...(this.#end === undefined ? {} : { ExecutionEndTime: new Date(this.#end) }),
      AutomationExecutionStatus: this.#status,
      StepExecutions: this.stepExecutions(),
      StepExecutionsTruncated: false,
      Parameters: Object.fromEntries(Object.entries(this.#init.parameters).map(([k, v]) => [k, toStringList(v)])),
      Outputs: this.#executionOutputs(),
      ...(this.#failureMessage === undefined || this.#status === 'Success' ? {} : { FailureMessage: this.#failureMessage }),
      Mode: this.#init.mode,
      ExecutedBy: this.#deps.executedBy,
      ...(this.#current === undefined ? {} : { CurrentStepName: this.#current.step.name, CurrentAction: this.#current.step.action }),
      // Targets and ResolvedTargets belong to rate-control runs; AWS returns them empty otherwise (get-automation-execution).
      Targets: [],
      ResolvedTargets: noResolvedTargets(),
    };
  }

  metadata(): AutomationExecutionMetadata {
    return automationMetadata(this.describe());
  }
}

/** DescribeAutomationExecutions' entry for an execution, from its GetAutomationExecution view. */
export function automationMetadata(full: AutomationExecution): AutomationExecutionMetadata {
  return {
    AutomationExecutionId: full.AutomationExecutionId,
    DocumentName: full.DocumentName,
    DocumentVersion: full.DocumentVersion,
    AutomationExecutionStatus: full.AutomationExecutionStatus,
    ...(full.ExecutionStartTime === undefined ? {} : { ExecutionStartTime: full.ExecutionStartTime }),
    ...(full.ExecutionEndTime === undefined ? {} : { ExecutionEndTime: full.ExecutionEndTime }),
    ExecutedBy: full.ExecutedBy,
    // No execution log in S3 locally: `""`, as AWS returns it without one (describe-automation-executions).
    LogFile: '',
    Outputs: full.Outputs,
    Mode: full.Mode,
    ...(full.CurrentStepName === undefined ? {} : { CurrentStepName: full.CurrentStepName }),
    ...(full.CurrentAction === undefined ? {} : { CurrentAction: full.CurrentAction }),
    ...(full.FailureMessage === undefined ? {} : { FailureMessage: full.FailureMessage }),
    Targets: full.Targets,
    ResolvedTargets: full.ResolvedTargets,
    AutomationType: 'Local',
  };
}

/** The API's copy of a recorded step: the same members in the same order, deep-copied, with the times as Dates. */
function stepView(step: RecordedStep): StepExecution {
  const view: Omit<StepExecution, keyof StepTimes<Date>> & StepTimes<number | Date> = structuredClone(step);
  view.ExecutionStartTime = new Date(step.ExecutionStartTime);
  if (step.ExecutionEndTime !== undefined) view.ExecutionEndTime = new Date(step.ExecutionEndTime);
  return view as StepExecution;
}

/**
 * The step's timeout in seconds: `aws:executeAwsApi` (and the single-call assert) at most 25 s,
 * `aws:waitForAwsResourceProperty` 3600 s by default, the others only when `timeoutSeconds` is set.
 */
function effectiveTimeout(step: RunbookStep): number | undefined {
  // The schema allows a numeric string ("1209600" in AWS's aws:pause example); anything else is no timeout
  // here, because validation already refused it when the document was created.
  const declared = step.timeoutSeconds === undefined ? undefined : Number(step.timeoutSeconds);
  const own = declared !== undefined && Number.isFinite(declared) && declared > 0 ? declared : undefined;
  if (step.action === 'aws:executeAwsApi' || step.action === 'aws:assertAwsResourceProperty') {
    return Math.min(own ?? EXECUTE_AWS_API_MAX_SECONDS, EXECUTE_AWS_API_MAX_SECONDS);
  }
  if (step.action === 'aws:waitForAwsResourceProperty') return own ?? WAIT_FOR_PROPERTY_DEFAULT_TIMEOUT_SECONDS;
  return own;
}

/**
 * A step's ValidNextSteps, built once per step of a runbook and shared by its step executions (never changed;
 * the API views are copies).
 */
const VALID_NEXT_STEPS = new WeakMap<RunbookStep, string[]>();

function validNextStepsOf(step: RunbookStep): string[] {
  let next = VALID_NEXT_STEPS.get(step);
  if (next === undefined) VALID_NEXT_STEPS.set(step, (next = validNextSteps(step)));
  return next;
}

function validNextSteps(step: RunbookStep): string[] {
  const next = new Set<string>();
  if (step.nextStep !== undefined) next.add(step.nextStep);
  if (step.onFailure?.startsWith('step:') === true) next.add(step.onFailure.slice(5));
  if (step.action === 'aws:branch') {
    const choices = (step.inputs as JsonObject)['Choices'];
    if (Array.isArray(choices)) {
      for (const c of choices) if (c !== null && typeof c === 'object' && !Array.isArray(c) && typeof c['NextStep'] === 'string') next.add(c['NextStep']);
    }
    const d = (step.inputs as JsonObject)['Default'];
    if (typeof d === 'string') next.add(d);
  }
  return [...next];
}

/** The date variables of the last whole second asked for, shared by every execution within that second. */
let lastDate: { second: number; date: string; dateTime: string } | undefined;

/** automation-variables: `global:DATE` is yyyy-MM-dd and `global:DATE_TIME` yyyy-MM-dd_HH.mm.ss (UTC). */
function dateVariables(epochMs: number): { date: string; dateTime: string } {
  const second = Math.floor(epochMs / 1000);
  if (lastDate?.second !== second) {
    const iso = new Date(second * 1000).toISOString();
    lastDate = { second, date: iso.slice(0, 10), dateTime: `${iso.slice(0, 10)}_${iso.slice(11, 19).replaceAll(':', '.')}` };
  }
  return lastDate;
}

/** Resolves after `n` turns of the event loop (real time, independent of the injected clock). */
function macrotasks(n: number): Promise<void> {
  return n <= 0 ? Promise.resolve() : new Promise((resolve) => setImmediate(() => void macrotasks(n - 1).then(resolve)));
}
