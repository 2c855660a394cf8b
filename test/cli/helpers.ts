import { spawnSync } from 'node:child_process';

const bin = new URL('../../dist/cli/main.js', import.meta.url).pathname;
export const projectRoot = new URL('../../', import.meta.url).pathname;

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `shellstep` binary (npm test builds it first). */
export function shellstep(args: readonly string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? projectRoot,
    ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
