/**
 * The parent command's status from its invocations (aws-semantics §6.3; monitor-commands "Understanding command
 * statuses"). Failed and Execution Timed Out count against MaxErrors; Delivery Timed Out, Undeliverable,
 * Invalid Platform and Terminated do not.
 */
import type { CommandInvocationStatus, CommandStatus, CommandStatusDetails, InvocationStatusDetails } from '../../model/ssm.js';

export interface InvocationView {
  readonly status: CommandInvocationStatus;
  readonly details: InvocationStatusDetails;
}

const TERMINAL: ReadonlySet<CommandInvocationStatus> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);

export function isTerminalInvocation(status: CommandInvocationStatus): boolean {
  return TERMINAL.has(status);
}

/** `ErrorCount`: "the number of targets for which the status is Failed or Execution Timed Out". */
export function countsAsError(inv: InvocationView): boolean {
  return (inv.status === 'Failed' && inv.details === 'Failed') || inv.details === 'Execution Timed Out';
}

const NOT_COUNTED_FAILURES: ReadonlySet<InvocationStatusDetails> = new Set(['Undeliverable', 'Invalid Platform']);

export interface CommandRollup {
  readonly Status: CommandStatus;
  readonly StatusDetails: CommandStatusDetails;
  readonly CompletedCount: number;
  readonly ErrorCount: number;
  readonly DeliveryTimedOutCount: number;
}

/** The command `Status` that goes with each `StatusDetails` the rollup gives. */
const STATUS_OF: Readonly<Record<CommandStatusDetails, CommandStatus>> = {
  Pending: 'Pending',
  'In Progress': 'InProgress',
  Cancelling: 'Cancelling',
  Cancelled: 'Cancelled',
  Success: 'Success',
  Failed: 'Failed',
  'Execution Timed Out': 'TimedOut',
  'Delivery Timed Out': 'TimedOut',
  'No Instances In Tag': 'Failed',
  Undeliverable: 'Failed',
  'Invalid Platform': 'Failed',
  Incomplete: 'Failed',
};

/** The command's status members, as the rollup writes them. */
export type RollupTarget = { -readonly [K in keyof CommandRollup]: CommandRollup[K] };

export function rollupCommand(invocations: readonly InvocationView[], maxErrors: number, cancelRequested: boolean): CommandRollup {
  const rollup: RollupTarget = { Status: 'Pending', StatusDetails: 'Pending', CompletedCount: 0, ErrorCount: 0, DeliveryTimedOutCount: 0 };
  rollUpInto(rollup, invocations, maxErrors, cancelRequested);
  return rollup;
}

/**
 * Writes the rollup onto `target` (the service's command record, or a copy of it). One pass with plain counters and
 * no result object: this runs on every status change of every command.
 */
export function rollUpInto(target: RollupTarget, invocations: readonly InvocationView[], maxErrors: number, cancelRequested: boolean): void {
  const total = invocations.length;
  let completed = 0;
  let errors = 0;
  let deliveryTimedOut = 0;
  let success = 0;
  let notCounted = 0;
  let started = false;
  let anyCancelled = false;
  let anyFailed = false;
  for (let i = 0; i < total; i++) {
    const inv = invocations[i]!;
    const status = inv.status;
    const details = inv.details;
    if (TERMINAL.has(status)) completed++;
    if (countsAsError(inv)) errors++;
    if (details === 'Delivery Timed Out') deliveryTimedOut++;
    if (status === 'Success') success++;
    if (NOT_COUNTED_FAILURES.has(details)) notCounted++;
    if (status !== 'Pending' && status !== 'Delayed') started = true;
    if (status === 'Cancelled') anyCancelled = true;
    if (status === 'Failed' && details === 'Failed') anyFailed = true;
  }
  let statusDetails: CommandStatusDetails;
  if (completed < total) statusDetails = cancelRequested ? 'Cancelling' : started ? 'In Progress' : 'Pending';
  else if (cancelRequested && anyCancelled) statusDetails = 'Cancelled';
  // Over MaxErrors: Execution Timed Out when no invocation Failed outright, else Failed.
  else if (errors > maxErrors) statusDetails = anyFailed ? 'Failed' : 'Execution Timed Out';
  else if (total === 0) statusDetails = 'No Instances In Tag';
  else if (success === total) statusDetails = 'Success';
  else if (notCounted === total) statusDetails = invocations[0]!.details === 'Invalid Platform' ? 'Invalid Platform' : 'Undeliverable';
  else if (deliveryTimedOut > 0 && deliveryTimedOut + notCounted === total) statusDetails = 'Delivery Timed Out';
  // "four of which return Undeliverable and one Success → the parent command's status is Success"; errors within
  // MaxErrors do not fail the command either.
  else if (deliveryTimedOut === 0) statusDetails = 'Success';
  // Some delivered and succeeded, some delivery timed out: `Incomplete` (its Status value is UNCONFIRMED; Failed).
  else statusDetails = 'Incomplete';
  target.Status = STATUS_OF[statusDetails];
  target.StatusDetails = statusDetails;
  target.CompletedCount = completed;
  target.ErrorCount = errors;
  target.DeliveryTimedOutCount = deliveryTimedOut;
}
