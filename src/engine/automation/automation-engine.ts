/**
 * Automation executions: StartAutomationExecution, GetAutomationExecution, DescribeAutomationExecutions,
 * DescribeAutomationStepExecutions and StopAutomationExecution, with the account's concurrent-execution quota
 * (default 100) and the excess queued as `Pending` up to a queue of 1,000 (aws-semantics §2 Quotas).
 */
import { ssmError } from '../../errors/ssm-errors.js';
import type {
  AutomationExecution,
  AutomationExecutionFilter,
  AutomationExecutionMetadata,
  StartAutomationExecutionRequest,
  StepExecution,
  StepExecutionFilter,
} from '../../model/ssm.js';
import { paginate } from '../run-command/run-command-service.js';
import type { AutomationExecutionDeps } from './automation-execution.js';
import { AutomationExecutionRun } from './automation-execution.js';
import type { DocumentStore } from '../documents/index.js';
import { checkParameterMapLimits, resolveAutomationParameters } from './parameters.js';
import { endInterrupted, RestoredAutomationExecution, restoredView, savedAutomation } from './restored-execution.js';
import { memoryStore, type Store } from '../store/index.js';

/** The store's kind for Automation executions (each with its steps). */
const AUTOMATION_KIND = 'ssm.automation';

/** "100 concurrent automations per account". */
export const DEFAULT_CONCURRENT_AUTOMATION_QUOTA = 100;
/** "queue of 1,000". */
export const AUTOMATION_QUEUE_QUOTA = 1000;

export interface AutomationEngineOptions extends AutomationExecutionDeps {
  readonly documents: DocumentStore;
  readonly concurrentAutomationQuota?: number;
  /** Where executions are kept (default: nowhere but here). */
  readonly store?: Store;
}

export class AutomationEngine {
  readonly #options: AutomationEngineOptions;
  readonly #quota: number;
  readonly #executions = new Map<string, AutomationExecutionRun | RestoredAutomationExecution>();
  readonly #queue: AutomationExecutionRun[] = [];
  readonly #store: Store;
  #running = 0;

  constructor(options: AutomationEngineOptions) {
    const store = options.store ?? memoryStore();
    this.#store = store;
    // Written through at each status and step change, as GetAutomationExecution would show it then.
    this.#options = { ...options, onChange: (run) => store.put(AUTOMATION_KIND, run.id, () => savedAutomation(run.describe())) };
    this.#quota = options.concurrentAutomationQuota ?? DEFAULT_CONCURRENT_AUTOMATION_QUOTA;
  }

  /**
   * Brings back the executions the store kept (at start), read-only; one that had not ended is ended as
   * `endInterrupted` says (docs/fidelity.md, Persistence).
   */
  restore(): void {
    for (const { id, value } of this.#store.records(AUTOMATION_KIND)) {
      const view = restoredView(value);
      if (endInterrupted(view, this.#options.clock.now())) this.#store.put(AUTOMATION_KIND, id, () => savedAutomation(view));
      this.#executions.set(id, new RestoredAutomationExecution(view));
    }
  }

  async StartAutomationExecution(input: StartAutomationExecutionRequest): Promise<{ AutomationExecutionId: string }> {
    if (typeof input.DocumentName !== 'string' || !/^[a-zA-Z0-9_\-.:/]{3,128}$/.test(input.DocumentName)) {
      throw ssmError('ValidationException', `DocumentName '${String(input.DocumentName)}' must match ^[a-zA-Z0-9_\\-.:/]{3,128}$.`);
    }
    const mode = input.Mode ?? 'Auto';
    if (mode !== 'Auto') throw ssmError('ValidationException', `Mode ${mode} is not supported by the local engine (Auto only).`);
    const resolved = this.#options.documents.resolveForExecution(input.DocumentName, input.DocumentVersion);
    const given = checkParameterMapLimits(input.Parameters);
    const parameters = resolveAutomationParameters(resolved.runbook, given);
    if (this.#queue.length >= AUTOMATION_QUEUE_QUOTA) {
      throw ssmError('AutomationExecutionLimitExceededException', `More than ${AUTOMATION_QUEUE_QUOTA} automation executions are queued.`);
    }
    const run = new AutomationExecutionRun(this.#options, {
      id: this.#options.ids.uuid(),
      documentName: resolved.name,
      documentVersion: resolved.version,
      runbook: resolved.runbook,
      parameters,
      mode,
    });
    this.#executions.set(run.id, run);
    this.#options.onChange?.(run);
    this.#queue.push(run);
    this.#drain();
    return { AutomationExecutionId: run.id };
  }

  async GetAutomationExecution(input: { AutomationExecutionId: string }): Promise<{ AutomationExecution: AutomationExecution }> {
    return { AutomationExecution: this.#require(input.AutomationExecutionId).describe() };
  }

  async DescribeAutomationExecutions(
    input: { Filters?: AutomationExecutionFilter[]; MaxResults?: number; NextToken?: string } = {},
  ): Promise<{ AutomationExecutionMetadataList: AutomationExecutionMetadata[]; NextToken?: string }> {
    let list = [...this.#executions.values()].map((r) => r.metadata());
    for (const f of input.Filters ?? []) {
      const pick: Record<string, (m: AutomationExecutionMetadata) => boolean> = {
        DocumentNamePrefix: (m) => f.Values.some((v) => m.DocumentName.startsWith(v)),
        ExecutionStatus: (m) => f.Values.includes(m.AutomationExecutionStatus),
        ExecutionId: (m) => f.Values.includes(m.AutomationExecutionId),
        StartTimeBefore: (m) => m.ExecutionStartTime !== undefined && f.Values.some((v) => m.ExecutionStartTime!.getTime() < Date.parse(v)),
        StartTimeAfter: (m) => m.ExecutionStartTime !== undefined && f.Values.some((v) => m.ExecutionStartTime!.getTime() > Date.parse(v)),
      };
      const fn = pick[f.Key];
      if (fn === undefined) throw ssmError('InvalidFilterKey', `Filter key ${f.Key} is not supported by the local engine.`);
      list = list.filter(fn);
    }
    const page = paginate(list, input.MaxResults, input.NextToken, 50);
    return { AutomationExecutionMetadataList: page.items, ...(page.next === undefined ? {} : { NextToken: page.next }) };
  }

  async DescribeAutomationStepExecutions(input: {
    AutomationExecutionId: string;
    Filters?: StepExecutionFilter[];
    MaxResults?: number;
    NextToken?: string;
    ReverseOrder?: boolean;
  }): Promise<{ StepExecutions: StepExecution[]; NextToken?: string }> {
    let steps = this.#require(input.AutomationExecutionId).stepExecutions();
    for (const f of input.Filters ?? []) {
      const pick: Record<string, (s: StepExecution) => boolean> = {
        StepName: (s) => f.Values.includes(s.StepName),
        Action: (s) => f.Values.includes(s.Action),
        StepExecutionId: (s) => f.Values.includes(s.StepExecutionId),
        StepExecutionStatus: (s) => f.Values.includes(s.StepStatus),
        StartTimeBefore: (s) => s.ExecutionStartTime !== undefined && f.Values.some((v) => s.ExecutionStartTime!.getTime() < Date.parse(v)),
        StartTimeAfter: (s) => s.ExecutionStartTime !== undefined && f.Values.some((v) => s.ExecutionStartTime!.getTime() > Date.parse(v)),
      };
      const fn = pick[f.Key];
      if (fn === undefined) throw ssmError('InvalidFilterKey', `Filter key ${f.Key} is not supported.`);
      steps = steps.filter(fn);
    }
    if (input.ReverseOrder === true) steps.reverse();
    const page = paginate(steps, input.MaxResults, input.NextToken, 50);
    return { StepExecutions: page.items, ...(page.next === undefined ? {} : { NextToken: page.next }) };
  }

  async StopAutomationExecution(input: { AutomationExecutionId: string; Type?: 'Complete' | 'Cancel' }): Promise<Record<string, never>> {
    const run = this.#require(input.AutomationExecutionId);
    if ((input.Type ?? 'Cancel') !== 'Cancel') {
      throw ssmError('InvalidAutomationStatusUpdateException', 'StopAutomationExecution Type Complete applies to rate-control automations, which the local engine does not run.');
    }
    if (run.isTerminal || run.status === 'Cancelling') {
      throw ssmError('InvalidAutomationStatusUpdateException', `The execution ${run.id} is ${run.status} and cannot be cancelled.`);
    }
    const queued = run instanceof AutomationExecutionRun ? this.#queue.indexOf(run) : -1;
    if (queued >= 0) this.#queue.splice(queued, 1);
    run.cancel();
    return {};
  }

  /** Resolves when the execution is terminal (tests, CLI). */
  async waitForExecution(id: string): Promise<AutomationExecution> {
    const run = this.#require(id);
    await run.finished;
    return run.describe();
  }

  #require(id: string): AutomationExecutionRun | RestoredAutomationExecution {
    const run = this.#executions.get(id);
    if (run === undefined) throw ssmError('AutomationExecutionNotFoundException', `Automation execution ${id} not found.`);
    return run;
  }

  #drain(): void {
    while (this.#running < this.#quota && this.#queue.length > 0) {
      const run = this.#queue.shift()!;
      this.#running++;
      void run.run().finally(() => {
        this.#running--;
        this.#drain();
      });
    }
  }
}
