/** `shellstep synth`: writes every generated artifact, or with `--check` reports the stale ones. */
import type { Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { artifacts } from '../../definitions/artifacts.js';
import { ExitCode } from '../exit-codes.js';

export interface SynthResult {
  readonly written: string[];
  readonly unchanged: string[];
  readonly stale: string[];
}

/** Compares (and unless `check`, writes) every artifact under `outDir`. */
export function synth(outDir: string, check: boolean): SynthResult {
  const result: SynthResult = { written: [], unchanged: [], stale: [] };
  for (const artifact of artifacts()) {
    const file = join(outDir, artifact.path);
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === artifact.content) {
      result.unchanged.push(artifact.path);
    } else if (check) {
      result.stale.push(artifact.path);
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, artifact.content);
      result.written.push(artifact.path);
    }
  }
  return result;
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('Write the runbooks, CloudFormation templates and sample state machines from their typed sources.')
    .option('-o, --out <dir>', 'directory to write into', '.')
    .option('--check', 'write nothing; exit 1 if any committed artifact differs from its source')
    .addHelpText(
      'after',
      `
Exit codes: 0 done (or, with --check, everything up to date); 1 stale artifacts found.

Examples:
  $ shellstep synth
  $ shellstep synth --check
  $ shellstep synth --out ./generated`,
    )
    .action((options: { out: string; check?: boolean }) => {
      const result = synth(resolve(options.out), options.check === true);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (result.stale.length > 0) {
        process.stderr.write(`stale: ${result.stale.join(', ')}; run 'shellstep synth' to regenerate.\n`);
        process.exitCode = ExitCode.Failure;
      }
    });
}
