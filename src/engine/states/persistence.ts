/**
 * How the Step Functions service keeps its records in the store (src/engine/store/): state machines and Standard
 * executions as snapshots, and each execution's history as a log of its events. Express executions are not kept: AWS
 * keeps no history or describable state of them either.
 */
import type { JsonValue } from '../../model/json.js';
import type { Clock } from '../clock.js';
import type { ExecutionResult, RunningExecution } from './execution.js';
import { ExecutionHistory, type RecordedEvent } from './history.js';
import type { StateMachineDefinition } from '../../model/state-machine.js';
import { encodeRecord } from '../store/index.js';
import type { ExecutionRecord, StateMachineRecord, StateMachineType } from './service.js';
import type { Revision } from './versions.js';

export const MACHINE_KIND = 'sfn.stateMachine';
export const EXECUTION_KIND = 'sfn.execution';
export const HISTORY_KIND = 'sfn.history';

/** The cause of an execution that the engine's stop ended: ExecutionAborted's, and DescribeExecution's. */
export const INTERRUPTED_CAUSE = 'The shellstep endpoint stopped while the execution was running.';

/** A revision as kept: its definition as text (parsed again on restore). */
export type SavedRevision = Omit<Revision, 'definition'>;

export interface SavedMachine {
  readonly arn: string;
  readonly name: string;
  readonly type: StateMachineType;
  readonly creationDate: number;
  readonly revision: SavedRevision;
  readonly created: StateMachineRecord['created'];
  /** Deleted: no longer listed, kept for the executions that name it. */
  readonly deleted?: boolean;
}

export interface SavedExecution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly inputText: string;
  readonly startTime: number;
  readonly revision: SavedRevision;
  readonly versionArn?: string;
  readonly aliasArn?: string;
  readonly traceHeader?: string;
  /** Absent while the execution runs. */
  readonly stopDate?: number;
  readonly result?: ExecutionResult;
}

function savedRevision(revision: Revision): SavedRevision {
  const { definition: _definition, ...rest } = revision;
  return rest;
}

/** A kept revision made whole again. */
export function restoredRevision(saved: SavedRevision): Revision {
  return { ...saved, definition: JSON.parse(saved.definitionText) as StateMachineDefinition };
}

export function savedMachine(machine: StateMachineRecord, deleted: boolean): JsonValue {
  const saved: SavedMachine = {
    arn: machine.arn,
    name: machine.name,
    type: machine.type,
    creationDate: machine.creationDate,
    revision: savedRevision(machine.revision),
    created: machine.created,
    ...(deleted ? { deleted } : {}),
  };
  return encodeRecord(saved);
}

export function savedExecution(record: ExecutionRecord): JsonValue {
  const saved: SavedExecution = {
    arn: record.arn,
    name: record.name,
    stateMachineArn: record.stateMachine.arn,
    inputText: record.inputText,
    startTime: record.running.startTime,
    revision: savedRevision(record.revision),
    ...(record.versionArn === undefined ? {} : { versionArn: record.versionArn }),
    ...(record.aliasArn === undefined ? {} : { aliasArn: record.aliasArn }),
    ...(record.traceHeader === undefined ? {} : { traceHeader: record.traceHeader }),
    ...(record.stopDate === undefined ? {} : { stopDate: record.stopDate }),
    ...(record.result === undefined ? {} : { result: record.result }),
  };
  return encodeRecord(saved);
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
