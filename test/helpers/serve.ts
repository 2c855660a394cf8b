/** Starts the built `shellstep serve` as a child process and waits for its start JSON. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './fixtures.js';

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly instances: Array<{ InstanceId: string; RootDir: string }>;
  /** What serve wrote to stderr so far. */
  stderr(): string;
}

/** `detached`: serve leads a process group of its own, as a shell's foreground job does (Ctrl-C signals the group). */
export function startServe(args: readonly string[], env: NodeJS.ProcessEnv = process.env, options: { detached?: boolean } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', ...args], { cwd: REPO_ROOT, env, detached: options.detached === true });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        const started = JSON.parse(out) as { endpoint: string; instances: ServeProcess['instances'] };
        resolve({ child, endpoint: started.endpoint, instances: started.instances, stderr: () => stderr });
      } catch {
        // not complete yet
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}
