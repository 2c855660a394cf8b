import { spawnSync } from 'node:child_process';

const bin = new URL('../../dist/cli/main.js', import.meta.url).pathname;
export const projectRoot = new URL('../../', import.meta.url).pathname;

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `shellstep` binary (npm test builds it first). */
export function shellstep(args: readonly string[], options: { cwd?: string; input?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? projectRoot,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServeProcess {
  /** What `serve` printed on start: the endpoint and the instances it made. */
  readonly endpoint: string;
  readonly instances: Array<{ InstanceId: string }>;
  stop(): void;
}

/** Starts `shellstep serve` on a free port and resolves with what it printed once it listens. */
export async function startServe(args: readonly string[]): Promise<ServeProcess> {
  const { spawn } = await import('node:child_process');
  const server = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { cwd: projectRoot });
  const printed = await new Promise<{ endpoint: string; instances: Array<{ InstanceId: string }> }>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        resolve(JSON.parse(out));
      } catch {
        // not complete yet
      }
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    setTimeout(() => reject(new Error('serve did not start')), 15_000).unref();
  });
  return { ...printed, stop: () => void server.kill('SIGTERM') };
}
