/**
 * What a part in bench/parts/ writes to bench/results/<name>.json: its figures under stable keys (merged into
 * latest.json at the top level, so each key must be unique across parts), and the rows of its table in latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

export type BenchValue = number | string | boolean | null;

export interface BenchRow {
  readonly label: string;
  /** A key of `values`. */
  readonly key: string;
  readonly goal?: string;
}

export interface BenchPart {
  /** The heading of the part's table in latest.md. */
  readonly title: string;
  readonly values: Readonly<Record<string, BenchValue>>;
  readonly rows: readonly BenchRow[];
  /** Lines printed under the table: what was skipped and why, versions of peers, caveats. */
  readonly notes?: readonly string[];
}

/** Writes bench/results/<name>.json. */
export function writePart(name: string, part: BenchPart): void {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(part, null, 2)}\n`);
}

/** A TCP port free on loopback right now, for a server a part starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
