/** Persistence: one store interface, kept in memory (the default, nothing written) or in SQLite (`--data-dir`). */
export type { Snapshot, Store, StoredRecord } from './store.js';
export { decodeRecord, encodeRecord } from './codec.js';
export { memoryStore } from './memory-store.js';
export { DATABASE_FILE, SCHEMA_VERSION, StoreOpenError, openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
