/**
 * What a part in bench/parts/ writes to bench/results/<name>.json: its figures under stable keys (merged into
 * latest.json at the top level, so each key must be unique across parts), and the rows of its table in latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';

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
