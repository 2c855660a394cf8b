/**
 * An Automation execution brought back from the store at start: what GetAutomationExecution showed when it was last
 * written, read-only. One that had not ended then is ended now (`endInterrupted`): nothing of its run survives a
 * restart to continue it.
 */
import type { JsonValue } from '../../model/json.js';
import type { AutomationExecution, AutomationExecutionMetadata, AutomationExecutionStatus, StepExecution } from '../../model/ssm.js';
import { automationMetadata } from './automation-execution.js';

const TERMINAL: ReadonlySet<AutomationExecutionStatus> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

/** The message a step and an execution ended by a restart carry. */
export const INTERRUPTED_MESSAGE = 'Step timed out: the shellstep endpoint stopped while the step ran, and its result was never reported.';

export class RestoredAutomationExecution {
  readonly id: string;
  readonly #view: AutomationExecution;

  constructor(view: AutomationExecution) {
    this.id = view.AutomationExecutionId;
    this.#view = view;
  }

  get status(): AutomationExecutionStatus {
    return this.#view.AutomationExecutionStatus;
  }

  get isTerminal(): boolean {
    return TERMINAL.has(this.#view.AutomationExecutionStatus);
  }

  get finished(): Promise<void> {
    return Promise.resolve();
  }

  run(): Promise<void> {
    return Promise.resolve();
  }

  /** Never called: a restored execution has ended (StopAutomationExecution refuses it first). */
  cancel(): void {}

  describe(): AutomationExecution {
    return structuredClone(this.#view);
  }

  metadata(): AutomationExecutionMetadata {
    return automationMetadata(this.describe());
  }

  stepExecutions(): StepExecution[] {
    return structuredClone(this.#view.StepExecutions ?? []);
  }
}

/** The execution's API view as the store keeps it: JSON, its Dates written as ISO-8601 text. */
export function savedAutomation(view: AutomationExecution): JsonValue {
  return view as unknown as JsonValue;
}

/** The API view back from the store: its times become Dates again. */
export function restoredView(saved: JsonValue): AutomationExecution {
  const view = saved as unknown as AutomationExecution;
  const withDates = <T extends { ExecutionStartTime?: Date; ExecutionEndTime?: Date }>(x: T): T => {
    if (x.ExecutionStartTime !== undefined) x.ExecutionStartTime = new Date(x.ExecutionStartTime as unknown as string);
    if (x.ExecutionEndTime !== undefined) x.ExecutionEndTime = new Date(x.ExecutionEndTime as unknown as string);
    return x;
  };
  withDates(view);
  for (const step of view.StepExecutions ?? []) withDates(step);
  return view;
}

/**
 * Ends an execution that was running when the last process stopped (docs/fidelity.md, Persistence): the step that
 * was running and the execution end `TimedOut`, as a step whose command's agent never reports does (its command
 * invocation ends `Delivery Timed Out`); a cancel in progress ends `Cancelled`. Returns whether it changed anything.
 */
export function endInterrupted(view: AutomationExecution, now: number): boolean {
  if (TERMINAL.has(view.AutomationExecutionStatus)) return false;
  const end = new Date(now);
  const cancelling = view.AutomationExecutionStatus === 'Cancelling';
  for (const step of view.StepExecutions ?? []) {
    if (TERMINAL.has(step.StepStatus)) continue;
    step.StepStatus = cancelling ? 'Cancelled' : 'TimedOut';
    step.ExecutionEndTime = end;
    step.FailureMessage = cancelling ? 'Step cancelled because the automation execution was cancelled.' : INTERRUPTED_MESSAGE;
    if (!cancelling) step.FailureDetails = { FailureStage: 'Invocation', FailureType: 'Action' };
  }
  view.AutomationExecutionStatus = cancelling ? 'Cancelled' : 'TimedOut';
  view.ExecutionStartTime ??= end;
  view.ExecutionEndTime = end;
  if (!cancelling) view.FailureMessage = INTERRUPTED_MESSAGE;
  delete view.CurrentStepName;
  delete view.CurrentAction;
  return true;
}
