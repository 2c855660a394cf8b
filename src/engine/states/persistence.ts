/**
 * How the Step Functions service keeps its records in the store (src/engine/store/): each state machine with its
 * versions and aliases, the revisions that machines, versions and executions run, Standard executions, each
 * execution's history as a log of its events, activities, and tags. Express executions are not kept: AWS keeps no
 * history or describable state of them either.
 */
import type { JsonValue } from '../../model/json.js';
import type { StateMachineDefinition } from '../../model/state-machine.js';
import type { Clock } from '../clock.js';
import type { AliasRecord } from './aliases.js';
import type { ExecutionResult, RunningExecution } from './execution.js';
import { ExecutionHistory, type RecordedEvent } from './history.js';
import type { Revision } from './versions.js';

export const MACHINE_KIND = 'sfn.stateMachine';
export const REVISION_KIND = 'sfn.revision';
export const EXECUTION_KIND = 'sfn.execution';
export const HISTORY_KIND = 'sfn.history';
export const ACTIVITY_KIND = 'sfn.activity';
export const TAGS_KIND = 'sfn.tags';

/** The cause of an execution that the engine's stop ended: ExecutionAborted's, and DescribeExecution's. */
export const INTERRUPTED_CAUSE = 'The shellstep endpoint stopped while the execution was running.';

/** A revision's key among its machine's: the first revision has no id. */
export function revisionKey(machineArn: string, revision: Revision): string {
  return `${machineArn}#${revision.revisionId ?? 'INITIAL'}`;
}

export type SavedRevision = Omit<Revision, 'definition'>;

export function savedRevision(revision: Revision): JsonValue {
  const { definition: _parsed, ...saved } = revision;
  return saved as unknown as JsonValue;
}

/** The revision back: its definition parsed again from its text, which was validated when it was stored. */
export function restoredRevision(saved: SavedRevision): Revision {
  return { ...saved, definition: JSON.parse(saved.definitionText) as StateMachineDefinition };
}

export interface SavedMachine {
  readonly arn: string;
  readonly name: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly creationDate: number;
  readonly created: { readonly publish: boolean; readonly versionDescription?: string; readonly versionArn?: string };
  readonly revision: string;
  readonly versions: ReadonlyArray<{ readonly number: number; readonly revision: string; readonly description?: string; readonly creationDate: number }>;
  readonly nextVersion: number;
  readonly aliases: readonly AliasRecord[];
  /** Deleted: no longer listed, kept for the executions that name it. */
  readonly deleted?: boolean;
}

export interface SavedExecution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly revision: string;
  readonly versionArn?: string;
  readonly aliasArn?: string;
  readonly traceHeader?: string;
  readonly inputText: string;
  readonly startTime: number;
  /** Absent while the execution runs. */
  readonly stopDate?: number;
  readonly result?: ExecutionResult;
}

/** The result of an execution that was running when the last process stopped: ABORTED, as LocalEngine.close ends one. */
export function interruptedResult(): ExecutionResult {
  return { status: 'ABORTED', cause: INTERRUPTED_CAUSE };
}

/** A finished execution as the service holds one: its history, start time and result, nothing left to run or stop. */
export function restoredRunning(clock: Clock, startTime: number, events: readonly RecordedEvent[], result: ExecutionResult): RunningExecution {
  const history = new ExecutionHistory(clock);
  history.events.push(...events);
  return { history, startTime, result: Promise.resolve(result), stop: () => undefined };
}
