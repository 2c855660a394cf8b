/**
 * The one interface the services keep their records through. A record is a JSON snapshot of one resource (a state
 * machine, an execution, a command…) under a kind and an id; a log is an append-only list of entries of one record
 * (an execution's history events, a stack's events). The services never see how or where records are kept.
 */
import type { JsonValue } from '../../model/json.js';

/** A snapshot made when it is written: the store calls it at most once per batch, with the record's latest state. */
export type Snapshot = () => JsonValue;

export interface StoredRecord {
  readonly id: string;
  readonly value: JsonValue;
}

export interface Store {
  /**
   * Whether what is written outlives this process. A service may skip building snapshots for a store that keeps
   * nothing (the default, in memory), so that the default costs nothing.
   */
  readonly durable: boolean;
  /** Saves (creates or replaces) a record; `snapshot` is called when the write happens, so the latest state wins. */
  put(kind: string, id: string, snapshot: Snapshot): void;
  delete(kind: string, id: string): void;
  /** Appends entry `seq` (1, 2, 3… per owner) to the log of record `owner`. Entries never change once appended. */
  append(kind: string, owner: string, seq: number, entry: JsonValue): void;
  /** Every record of a kind, oldest first (the order they were first put). */
  records(kind: string): StoredRecord[];
  /** Every log of a kind, by owner, each in `seq` order. */
  logs(kind: string): Map<string, JsonValue[]>;
  /** The same store, with its records kept apart under `name` (one per region). */
  scope(name: string): Store;
  /**
   * Removes every record and log of this store (of this scope only, for a scoped store). Scoped stores handed out
   * before write nothing from then on (reset: the engines that held them are closed, and what their executions record
   * as they stop must not come back); take a new `scope` for the engine that replaces one.
   */
  clear(): void;
  /** Writes what is pending now, instead of at the end of this event-loop turn. */
  flush(): void;
  /** Flushes and releases the store (the scopes of a store share it: close the one that was opened). */
  close(): void;
}
