/**
 * `workingDirectory` resolution of the run-script plugins (aws-semantics §6.1; amazon-ssm-agent
 * `agent/plugins/runscript/runscript.go`): empty → the default working directory; absolute → used as-is (a missing
 * folder makes the start fail); relative → `<orchestrationDir>/downloads/<path>` when it exists, otherwise the
 * default. So the original sample's default `""` (two quote characters, D1) silently falls back.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export type WorkingDirectory = { readonly ok: true; readonly dir: string } | { readonly ok: false; readonly error: string };

export function resolveWorkingDirectory(requested: string, orchestrationDir: string, defaultDir: string): WorkingDirectory {
  const trimmed = requested.trim();
  if (trimmed === '') return { ok: true, dir: defaultDir };
  if (isAbsolute(trimmed)) {
    const isDir = existsSync(trimmed) && statSync(trimmed).isDirectory();
    // Go's exec reports `chdir <dir>: no such file or directory`; the agent prefixes "failed to run commands".
    return isDir ? { ok: true, dir: trimmed } : { ok: false, error: `failed to run commands: chdir ${trimmed}: no such file or directory` };
  }
  const candidate = join(orchestrationDir, 'downloads', trimmed);
  return existsSync(candidate) && statSync(candidate).isDirectory() ? { ok: true, dir: candidate } : { ok: true, dir: defaultDir };
}
