/**
 * Execution history events with AWS's types, ids, previous-event ids and details, in the shape that
 * `GetExecutionHistory` returns (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
 */
import type { JsonValue } from '../../model/json.js';
import { keptJson } from '../flat-string.js';

/** The `HistoryEventType` values the local interpreter emits (API_HistoryEvent.html, "type"). */
export type HistoryEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimedOut'
  | 'EvaluationFailed'
  | `${'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map'}StateEntered`
  | `${'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Parallel' | 'Map'}StateExited`
  | 'ActivityScheduled'
  | 'ActivityScheduleFailed'
  | 'ActivityStarted'
  | 'ActivitySucceeded'
  | 'ActivityFailed'
  | 'ActivityTimedOut'
  | 'TaskScheduled'
  | 'TaskStarted'
  | 'TaskSubmitted'
  | 'TaskSucceeded'
  | 'TaskFailed'
  | 'TaskTimedOut'
  | 'TaskStateAborted'
  | 'WaitStateAborted'
  | 'ParallelStateStarted'
  | 'ParallelStateSucceeded'
  | 'ParallelStateFailed'
  | 'ParallelStateAborted'
  | 'MapStateStarted'
  | 'MapStateSucceeded'
  | 'MapStateFailed'
  | 'MapStateAborted'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapIterationFailed'
  | 'MapIterationAborted'
  | 'MapRunStarted'
  | 'MapRunSucceeded'
  | 'MapRunFailed';

/** `{truncated}` as in HistoryEventExecutionDataDetails; the local engine never truncates. */
export interface DataDetails {
  readonly truncated: boolean;
}

/**
 * One history event as the API returns it. The `*EventDetails` member is named as in the API
 * (e.g. `taskScheduledEventDetails`).
 */
export interface HistoryEvent {
  /** Epoch-based `Date`, as the AWS SDK v3 surfaces timestamps. */
  readonly timestamp: Date;
  readonly type: HistoryEventType;
  readonly id: number;
  readonly previousEventId: number;
  readonly [details: string]: unknown;
}

/**
 * One history event as an execution keeps it: the time in epoch ms, not a Date (a Date costs ~96 bytes and a waiting
 * execution keeps a handful of events); `historyEvent` makes the API's shape.
 */
export interface RecordedEvent {
  readonly timestamp: number;
  readonly type: HistoryEventType;
  readonly id: number;
  readonly previousEventId: number;
  readonly [details: string]: unknown;
}

export type HistoryListener = (event: HistoryEvent) => void;
export type RecordedEventListener = (event: RecordedEvent) => void;

/** The API's view of a recorded event: the same members in the same order, the time as a Date. */
export function historyEvent(event: RecordedEvent): HistoryEvent {
  return { ...event, timestamp: new Date(event.timestamp) };
}

/** Records the events of one execution and notifies subscribers as they happen. */
export class ExecutionHistory {
  readonly events: RecordedEvent[] = [];
  #listeners: Set<RecordedEventListener> | undefined;

  /** The clock itself rather than a `now` closure: one object fewer per execution. */
  constructor(private readonly clock: { now(): number }) {}

  /** Appends an event after `previousEventId` and returns its id. */
  add(type: HistoryEventType, previousEventId: number, detailsKey?: string, details?: Record<string, unknown>): number {
    const id = this.events.length + 1;
    // Adding the details key after creation keeps the object in V8's fast mode (a computed key in the literal
    // does not), which matters with thousands of waiting executions.
    const event: { -readonly [K in keyof RecordedEvent]: RecordedEvent[K] } = { timestamp: this.clock.now(), type, id, previousEventId };
    if (detailsKey !== undefined) event[detailsKey] = details;
    this.events.push(event);
    if (this.#listeners !== undefined) for (const listener of this.#listeners) listener(event);
    return id;
  }

  /** Calls `listener` with every later event; returns the unsubscribe function. */
  subscribe(listener: RecordedEventListener): () => void {
    (this.#listeners ??= new Set()).add(listener);
    return () => this.#listeners?.delete(listener);
  }

  get lastEventId(): number {
    return this.events.length;
  }
}

/** Compact JSON text for `input`/`output` members of event details (kept flat: see flat-string.ts). */
export function eventData(value: JsonValue | undefined): string {
  return value === undefined ? 'null' : keptJson(value);
}

export const NOT_TRUNCATED: DataDetails = Object.freeze({ truncated: false });
