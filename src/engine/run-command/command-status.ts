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

export function rollupCommand(invocations: readonly InvocationView[], maxErrors: number, cancelRequested: boolean): CommandRollup {
  const total = invocations.length;
  const completed = invocations.filter((i) => isTerminalInvocation(i.status)).length;
  const errors = invocations.filter(countsAsError).length;
  const deliveryTimedOut = invocations.filter((i) => i.details === 'Delivery Timed Out').length;
  const counts = { CompletedCount: completed, ErrorCount: errors, DeliveryTimedOutCount: deliveryTimedOut };
  if (completed < total) {
    if (cancelRequested) return { Status: 'Cancelling', StatusDetails: 'Cancelling', ...counts };
    const started = invocations.some((i) => i.status !== 'Pending' && i.status !== 'Delayed');
    return started ? { Status: 'InProgress', StatusDetails: 'In Progress', ...counts } : { Status: 'Pending', StatusDetails: 'Pending', ...counts };
  }
  const success = invocations.filter((i) => i.status === 'Success').length;
  const notCounted = invocations.filter((i) => NOT_COUNTED_FAILURES.has(i.details)).length;
  if (cancelRequested && invocations.some((i) => i.status === 'Cancelled')) {
    return { Status: 'Cancelled', StatusDetails: 'Cancelled', ...counts };
  }
  if (errors > maxErrors) {
    const onlyTimeouts = invocations.every((i) => !(i.status === 'Failed' && i.details === 'Failed'));
    return onlyTimeouts
      ? { Status: 'TimedOut', StatusDetails: 'Execution Timed Out', ...counts }
      : { Status: 'Failed', StatusDetails: 'Failed', ...counts };
  }
  if (total === 0) return { Status: 'Failed', StatusDetails: 'No Instances In Tag', ...counts };
  if (success === total) return { Status: 'Success', StatusDetails: 'Success', ...counts };
  if (notCounted === total) {
    return { Status: 'Failed', StatusDetails: invocations[0]!.details === 'Invalid Platform' ? 'Invalid Platform' : 'Undeliverable', ...counts };
  }
  if (deliveryTimedOut > 0 && deliveryTimedOut + notCounted === total) {
    return { Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', ...counts };
  }
  // "four of which return Undeliverable and one Success → the parent command's status is Success"; errors within
  // MaxErrors do not fail the command either.
  if (deliveryTimedOut === 0) return { Status: 'Success', StatusDetails: 'Success', ...counts };
  // Some delivered and succeeded, some delivery timed out: `Incomplete` (its Status value is UNCONFIRMED; Failed).
  return { Status: 'Failed', StatusDetails: 'Incomplete', ...counts };
}
