/** Engines on data folders, as `serve --data-dir` makes them, and the stop of a process that dies at once. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { openSqliteStore, type Store } from '../../src/engine/store/index.js';

export interface PersistentEngines {
  /** A new, empty data folder (removed by `cleanup`). */
  dataDir(): string;
  /** An engine whose store is the SQLite database of `dir`, scoped to us-east-1. */
  engineOn(dir: string): LocalEngine;
  /** The process stops at once: what was written stays, nothing more is (no engine close before the store's). */
  crash(engine: LocalEngine): Promise<void>;
  cleanup(): Promise<void>;
}

export function persistentEngines(clock: 'real' | 'fast'): PersistentEngines {
  const dirs: string[] = [];
  const opened: Array<{ engine: LocalEngine; store: Store }> = [];
  return {
    dataDir() {
      const dir = mkdtempSync(join(tmpdir(), 'shellstep-data-'));
      dirs.push(dir);
      return dir;
    },
    engineOn(dir) {
      const store = openSqliteStore(dir);
      const engine = new LocalEngine({ clock, store: store.scope('us-east-1'), instancesDir: join(dir, 'instances') });
      opened.push({ engine, store });
      return engine;
    },
    async crash(engine) {
      const [entry] = opened.splice(
        opened.findIndex((o) => o.engine === engine),
        1,
      );
      entry!.store.flush();
      entry!.store.close();
      await engine.close();
    },
    async cleanup() {
      for (const { engine, store } of opened.splice(0)) {
        await engine.close();
        store.close();
      }
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
