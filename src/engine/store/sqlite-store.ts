/**
 * The store of `serve --data-dir`: one SQLite database (better-sqlite3) in write-ahead-log mode. Writes are queued
 * and committed together once per event-loop turn, in one transaction: a `kill -9` loses at most the last turn's
 * writes, and never leaves a half-written database (SQLite's WAL recovery replays only committed transactions).
 */
import { createRequire } from 'node:module';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { JsonValue } from '../../model/json.js';
import type { Snapshot, Store, StoredRecord } from './store.js';

/** The database's file name inside the data folder. */
export const DATABASE_FILE = 'shellstep.sqlite';
/** The schema this build writes; a database of a later version is refused rather than misread. */
export const SCHEMA_VERSION = 1;
/** `PRAGMA application_id` of shellstep's databases ('shst'), so that another program's SQLite file is recognised. */
const APPLICATION_ID = 0x73687374;

/** A data folder or database that cannot be used; the message names the file and says why. */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

export interface SqliteStoreOptions {
  /** Told about a failed write (a full disk…); the engine keeps serving from memory. Default: one line on stderr. */
  readonly onError?: (error: Error) => void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS records (
    scope TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (scope, kind, id)
  );
  CREATE TABLE IF NOT EXISTS logs (
    scope TEXT NOT NULL, kind TEXT NOT NULL, owner TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (scope, kind, owner, seq)
  ) WITHOUT ROWID;
`;

type Database = BetterSqlite3.Database;

interface PendingPut {
  readonly scope: string;
  readonly kind: string;
  readonly id: string;
  /** undefined: the record is deleted. */
  readonly snapshot: Snapshot | undefined;
}

/** The database and its write queue, shared by every scope of one opened store. */
class SqliteDatabase {
  readonly file: string;
  readonly #db: Database;
  readonly #onError: (error: Error) => void;
  readonly #statements: {
    upsert: BetterSqlite3.Statement;
    remove: BetterSqlite3.Statement;
    append: BetterSqlite3.Statement;
    records: BetterSqlite3.Statement;
    logs: BetterSqlite3.Statement;
    clearRecords: BetterSqlite3.Statement;
    clearLogs: BetterSqlite3.Statement;
  };
  readonly #puts = new Map<string, PendingPut>();
  readonly #appends: Array<[string, string, string, number, JsonValue]> = [];
  #scheduled = false;
  #closed = false;
  /** Bumped by a clear of everything, or of one scope: stores handed out before it then write nothing. */
  #epoch = 0;
  readonly #scopeEpochs = new Map<string, number>();
  #reportedError: string | undefined;

  constructor(file: string, db: Database, onError: (error: Error) => void) {
    this.file = file;
    this.#db = db;
    this.#onError = onError;
    this.#statements = {
      // ON CONFLICT … DO UPDATE keeps the row (and its rowid, the record's place in the listing order).
      upsert: db.prepare('INSERT INTO records (scope, kind, id, body) VALUES (?, ?, ?, ?) ON CONFLICT (scope, kind, id) DO UPDATE SET body = excluded.body'),
      remove: db.prepare('DELETE FROM records WHERE scope = ? AND kind = ? AND id = ?'),
      append: db.prepare('INSERT OR REPLACE INTO logs (scope, kind, owner, seq, body) VALUES (?, ?, ?, ?, ?)'),
      records: db.prepare('SELECT id, body FROM records WHERE scope = ? AND kind = ? ORDER BY rowid'),
      logs: db.prepare('SELECT owner, body FROM logs WHERE scope = ? AND kind = ? ORDER BY owner, seq'),
      clearRecords: db.prepare('DELETE FROM records WHERE scope = ?'),
      clearLogs: db.prepare('DELETE FROM logs WHERE scope = ?'),
    };
  }

  put(scope: string, kind: string, id: string, snapshot: Snapshot | undefined): void {
    if (this.#closed) return;
    // One write per record per turn, whatever number of changes it went through.
    this.#puts.set(`${scope}\u0000${kind}\u0000${id}`, { scope, kind, id, snapshot });
    this.#schedule();
  }

  append(scope: string, kind: string, owner: string, seq: number, entry: JsonValue): void {
    if (this.#closed) return;
    this.#appends.push([scope, kind, owner, seq, entry]);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#closed || (this.#puts.size === 0 && this.#appends.length === 0)) return;
    const puts = [...this.#puts.values()];
    const appends = this.#appends.splice(0);
    this.#puts.clear();
    const s = this.#statements;
    try {
      this.#db.transaction(() => {
        for (const put of puts) {
          if (put.snapshot === undefined) s.remove.run(put.scope, put.kind, put.id);
          else s.upsert.run(put.scope, put.kind, put.id, JSON.stringify(put.snapshot()));
        }
        for (const [scope, kind, owner, seq, entry] of appends) s.append.run(scope, kind, owner, seq, JSON.stringify(entry));
      })();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      // Once per distinct failure: a full disk would otherwise print a line per turn.
      if (this.#reportedError !== failure.message) {
        this.#reportedError = failure.message;
        this.#onError(new StoreOpenError(this.file, `could not write: ${failure.message}`));
      }
    }
  }

  records(scope: string, kind: string): StoredRecord[] {
    this.flush();
    return this.#read(() => (this.#statements.records.all(scope, kind) as Array<{ id: string; body: string }>).map((row) => ({ id: row.id, value: JSON.parse(row.body) as JsonValue })));
  }

  logs(scope: string, kind: string): Map<string, JsonValue[]> {
    this.flush();
    return this.#read(() => {
      const logs = new Map<string, JsonValue[]>();
      for (const row of this.#statements.logs.iterate(scope, kind) as Iterable<{ owner: string; body: string }>) {
        let log = logs.get(row.owner);
        if (log === undefined) logs.set(row.owner, (log = []));
        log.push(JSON.parse(row.body) as JsonValue);
      }
      return logs;
    });
  }

  /** Reads happen at start (restore): a damaged page or row is reported against the file, not as a stack trace. */
  #read<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw new StoreOpenError(this.file, `cannot be read (${error instanceof Error ? error.message : String(error)}); move it away to start with an empty data folder`);
    }
  }

  /** Where the store of `scope` stands: a store whose stamp differs was handed out before a clear. */
  stamp(scope: string): string {
    return `${this.#epoch}/${this.#scopeEpochs.get(scope) ?? 0}`;
  }

  clear(scope: string | undefined): void {
    if (this.#closed) return;
    if (scope === undefined) this.#epoch++;
    else this.#scopeEpochs.set(scope, (this.#scopeEpochs.get(scope) ?? 0) + 1);
    if (scope === undefined) {
      this.#puts.clear();
      this.#appends.length = 0;
      this.#db.exec('DELETE FROM records; DELETE FROM logs;');
      return;
    }
    for (const [key, put] of this.#puts) if (put.scope === scope) this.#puts.delete(key);
    this.#appends.splice(0, this.#appends.length, ...this.#appends.filter((a) => a[0] !== scope));
    this.#db.transaction(() => {
      this.#statements.clearRecords.run(scope);
      this.#statements.clearLogs.run(scope);
    })();
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    this.#db.close();
  }
}

/** One scope of an opened database: the root (scope '') or a region's records. */
class SqliteStore implements Store {
  readonly durable = true;
  readonly #database: SqliteDatabase;
  readonly #scope: string;
  readonly #root: boolean;
  readonly #stamp: string;

  constructor(database: SqliteDatabase, scope: string, root: boolean) {
    this.#database = database;
    this.#scope = scope;
    this.#root = root;
    this.#stamp = database.stamp(scope);
  }

  /**
   * False once its records were cleared: the engine that held it is being replaced (reset), and what its last
   * executions record as they stop must not come back into the emptied store.
   */
  get #current(): boolean {
    return this.#root || this.#database.stamp(this.#scope) === this.#stamp;
  }

  put(kind: string, id: string, snapshot: Snapshot): void {
    if (this.#current) this.#database.put(this.#scope, kind, id, snapshot);
  }
  delete(kind: string, id: string): void {
    if (this.#current) this.#database.put(this.#scope, kind, id, undefined);
  }
  append(kind: string, owner: string, seq: number, entry: JsonValue): void {
    if (this.#current) this.#database.append(this.#scope, kind, owner, seq, entry);
  }
  records(kind: string): StoredRecord[] {
    return this.#database.records(this.#scope, kind);
  }
  logs(kind: string): Map<string, JsonValue[]> {
    return this.#database.logs(this.#scope, kind);
  }
  scope(name: string): Store {
    return new SqliteStore(this.#database, this.#scope === '' ? name : `${this.#scope}/${name}`, false);
  }
  clear(): void {
    this.#database.clear(this.#root ? undefined : this.#scope);
  }
  flush(): void {
    this.#database.flush();
  }
  close(): void {
    this.#database.close();
  }
}

/**
 * Opens (or creates) the database of a data folder. Throws `StoreOpenError`, naming the file, for a folder that is
 * a file, a file that is not an SQLite database or is damaged, another program's database, a database written by a
 * newer shellstep, or one another process has open.
 */
/**
 * better-sqlite3, loaded here and not at import: the native module costs start-up time that runs without --data-dir
 * never need. It is an optional peer dependency, so that the default install stays light (no native build, ~40
 * packages fewer); a user who wants --data-dir installs it, and is told so when it is missing.
 */
export function loadBetterSqlite3(file: string, load: (name: string) => unknown = createRequire(import.meta.url)): typeof BetterSqlite3 {
  try {
    return load('better-sqlite3') as typeof BetterSqlite3;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_DLOPEN_FAILED') throw error;
    throw new StoreOpenError(file, `--data-dir needs the optional package better-sqlite3 (npm install better-sqlite3@12), which ${code === 'MODULE_NOT_FOUND' ? 'is not installed' : `did not load: ${(error as Error).message.split('\n')[0]}`}`);
  }
}

export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  const dir = resolve(dataDir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new StoreOpenError(dir, `cannot be used as the data folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!statSync(dir).isDirectory()) throw new StoreOpenError(dir, 'is not a folder');
  const file = join(dir, DATABASE_FILE);
  const Sqlite = loadBetterSqlite3(file);
  let db: Database | undefined;
  try {
    // A short wait for the lock: another serve on this folder is refused at once, not after better-sqlite3's 5 s.
    db = new Sqlite(file, { timeout: 250 });
    // One process at a time: a second serve on the same folder would overwrite the first's records.
    db.pragma('locking_mode = EXCLUSIVE');
    checkOwnership(db, file);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a process crash loses nothing committed; only a power cut can lose the last commits.
    db.pragma('synchronous = NORMAL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StoreOpenError(file, `is damaged (quick_check: ${String(check)}); move it away to start with an empty data folder`);
    db.exec('BEGIN EXCLUSIVE');
    db.exec(SCHEMA);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    db?.close();
    if (error instanceof StoreOpenError) throw error;
    throw new StoreOpenError(file, describeOpenFailure(error));
  }
  const onError = options.onError ?? ((error: Error) => process.stderr.write(`shellstep: ${error.message}\n`));
  return new SqliteStore(new SqliteDatabase(file, db, onError), '', true);
}

/** Refuses another program's database and a newer shellstep's. A new, empty file is ours to initialise. */
function checkOwnership(db: Database, file: string): void {
  const applicationId = Number(db.pragma('application_id', { simple: true }));
  const version = Number(db.pragma('user_version', { simple: true }));
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
  if (applicationId !== APPLICATION_ID && (applicationId !== 0 || tables.length > 0)) {
    throw new StoreOpenError(file, `is an SQLite database of another program (tables: ${tables.slice(0, 5).join(', ') || 'none'}), not shellstep's; give --data-dir a folder of its own`);
  }
  if (version > SCHEMA_VERSION) {
    throw new StoreOpenError(file, `was written by a newer shellstep (schema version ${version}; this one reads up to ${SCHEMA_VERSION}); upgrade shellstep or use another --data-dir`);
  }
}

function describeOpenFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') return 'is not an SQLite database (a foreign or damaged file); move it away or give --data-dir a folder of its own';
  if (code === 'SQLITE_CORRUPT') return `is damaged (${message}); move it away to start with an empty data folder`;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'is in use by another shellstep process';
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') return `cannot be opened for writing (${message})`;
  return `cannot be opened (${code ?? 'error'}: ${message})`;
}
