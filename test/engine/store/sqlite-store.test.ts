import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DATABASE_FILE, SCHEMA_VERSION, StoreOpenError, memoryStore, openSqliteStore, type Store } from '../../../src/engine/store/index.js';
import { loadBetterSqlite3 } from '../../../src/engine/store/sqlite-store.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
const dirs: string[] = [];
const opened: Store[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shellstep-store-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string): Store {
  const store = openSqliteStore(dir);
  opened.push(store);
  return store;
}

function openError(dir: string): StoreOpenError {
  try {
    open(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(StoreOpenError);
    return error as StoreOpenError;
  }
  throw new Error('the store opened');
}

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('memoryStore', () => {
  test('keeps nothing and never calls a snapshot', () => {
    const store = memoryStore();
    let calls = 0;
    store.put('k', 'a', () => {
      calls++;
      return 1;
    });
    store.append('log', 'a', 1, { x: 1 });
    store.flush();
    expect(store.durable).toBe(false);
    expect(calls).toBe(0);
    expect(store.records('k')).toEqual([]);
    expect(store.logs('log').size).toBe(0);
  });
});

describe('openSqliteStore', () => {
  test('should say how to install better-sqlite3 when the optional package is missing or does not load', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'better-sqlite3'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => loadBetterSqlite3('/data/shellstep.sqlite', missing)).toThrow(StoreOpenError);
    expect(() => loadBetterSqlite3('/data/shellstep.sqlite', missing)).toThrow('/data/shellstep.sqlite: --data-dir needs the optional package better-sqlite3 (npm install better-sqlite3@12), which is not installed');
    const wrongAbi = () => {
      throw Object.assign(new Error('The module was compiled against a different Node.js version\nmore'), { code: 'ERR_DLOPEN_FAILED' });
    };
    expect(() => loadBetterSqlite3('/d/x.sqlite', wrongAbi)).toThrow('which did not load: The module was compiled against a different Node.js version');
    const other = () => {
      throw new TypeError('boom');
    };
    expect(() => loadBetterSqlite3('/d/x.sqlite', other)).toThrow(TypeError);
  });

  test('keeps records and logs across a close and reopen, in first-put order', () => {
    const dir = dataDir();
    const store = open(dir);
    expect(store.durable).toBe(true);
    let state = 'RUNNING';
    store.put('execution', 'b', () => ({ status: state }));
    store.put('execution', 'a', () => ({ status: 'SUCCEEDED' }));
    store.append('history', 'b', 1, { type: 'ExecutionStarted' });
    store.append('history', 'b', 2, { type: 'ExecutionSucceeded' });
    state = 'SUCCEEDED';
    store.put('execution', 'b', () => ({ status: state }));
    store.put('gone', 'x', () => 1);
    store.delete('gone', 'x');
    store.close();

    const again = open(dir);
    expect(again.records('execution')).toEqual([
      { id: 'b', value: { status: 'SUCCEEDED' } },
      { id: 'a', value: { status: 'SUCCEEDED' } },
    ]);
    expect(again.records('gone')).toEqual([]);
    expect([...again.logs('history')]).toEqual([['b', [{ type: 'ExecutionStarted' }, { type: 'ExecutionSucceeded' }]]]);
  });

  test('calls a snapshot once per turn, when the batch is written', async () => {
    const store = open(dataDir());
    let calls = 0;
    const snapshot = () => ++calls;
    for (let i = 0; i < 5; i++) store.put('k', 'a', snapshot);
    expect(calls).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    expect(store.records('k')).toEqual([{ id: 'a', value: 1 }]);
  });

  test('keeps scopes apart and clears one scope or all', () => {
    const root = open(dataDir());
    const east = root.scope('us-east-1');
    const west = root.scope('eu-west-1');
    east.put('k', 'a', () => 'east');
    west.put('k', 'a', () => 'west');
    west.append('log', 'a', 1, 'w1');
    expect(east.records('k')).toEqual([{ id: 'a', value: 'east' }]);
    expect(west.records('k')).toEqual([{ id: 'a', value: 'west' }]);
    west.clear();
    expect(west.records('k')).toEqual([]);
    expect(west.logs('log').size).toBe(0);
    expect(east.records('k')).toHaveLength(1);
    root.clear();
    expect(east.records('k')).toEqual([]);
  });

  test('lets no store handed out before a clear write after it (a reset engine stopping), and a new scope write', async () => {
    const root = open(dataDir());
    const old = root.scope('us-east-1');
    const other = root.scope('eu-west-1');
    old.put('execution', 'a', () => 'RUNNING');
    root.clear();
    // The closed engine's execution records its end after the reset.
    old.put('execution', 'a', () => 'ABORTED');
    old.append('history', 'a', 1, 'late');
    other.put('execution', 'b', () => 'late too');
    const fresh = root.scope('us-east-1');
    fresh.put('execution', 'c', () => 'new');
    await new Promise((resolve) => setImmediate(resolve));
    expect(fresh.records('execution')).toEqual([{ id: 'c', value: 'new' }]);
    expect(fresh.logs('history').size).toBe(0);
    expect(root.scope('eu-west-1').records('execution')).toEqual([]);
    // Clearing one scope leaves the others' stores writing.
    const west = root.scope('eu-west-1');
    fresh.clear();
    west.put('k', 'w', () => 1);
    fresh.put('k', 'gone', () => 1);
    expect(west.records('k')).toEqual([{ id: 'w', value: 1 }]);
    expect(root.scope('us-east-1').records('k')).toEqual([]);
  });

  test('writes in WAL mode with the schema version and application id', () => {
    const dir = dataDir();
    open(dir).close();
    const db = new Sqlite(join(dir, DATABASE_FILE), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(0x73687374);
    db.close();
  });

  test('refuses a file that is not a database, naming it', () => {
    const dir = dataDir();
    writeFileSync(join(dir, DATABASE_FILE), 'these are my notes, not a database\n'.repeat(200));
    const error = openError(dir);
    expect(error.message).toContain(join(dir, DATABASE_FILE));
    expect(error.message).toMatch(/is not an SQLite database/);
  });

  test("refuses another program's SQLite database", () => {
    const dir = dataDir();
    const db = new Sqlite(join(dir, DATABASE_FILE));
    db.exec('CREATE TABLE customers (id INTEGER)');
    db.close();
    const error = openError(dir);
    expect(error.message).toMatch(/another program \(tables: customers\)/);
  });

  test('refuses a database written by a newer schema version', () => {
    const dir = dataDir();
    open(dir).close();
    const db = new Sqlite(join(dir, DATABASE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const error = openError(dir);
    expect(error.message).toContain(`newer shellstep (schema version ${SCHEMA_VERSION + 1}`);
  });

  test('refuses a damaged database', () => {
    const dir = dataDir();
    const store = open(dir);
    for (let i = 0; i < 300; i++) store.put('k', `id-${i}`, () => ({ padding: 'x'.repeat(400) }));
    store.close();
    opened.length = 0;
    // Overwrite the middle of the file (its table pages), keeping the header: SQLite sees a damaged database.
    const file = join(dir, DATABASE_FILE);
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 2, bytes.length - 4096);
    writeFileSync(file, bytes);
    const error = openError(dir);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/damaged|not an SQLite database/);
  });

  test('refuses a data folder that is a file, and a second process on the same folder', () => {
    const dir = dataDir();
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    expect(openError(file).message).toContain(file);
    const first = open(join(dir, 'data'));
    first.put('k', 'a', () => 1);
    first.flush();
    expect(openError(join(dir, 'data')).message).toMatch(/in use by another shellstep process/);
  });

  test('creates the data folder, and leaves no file in it for a memory store', () => {
    const dir = dataDir();
    mkdirSync(join(dir, 'empty'));
    memoryStore().put('k', 'a', () => 1);
    expect(readdirSync(join(dir, 'empty'))).toEqual([]);
    open(join(dir, 'new', 'nested'));
    expect(readdirSync(join(dir, 'new', 'nested'))).toContain(DATABASE_FILE);
  });
});
