/** `shellstep validate FILE...`: reports every issue in templates, runbooks and state machine definitions. */
import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { isFile, PACKAGE_ROOT, SHIPPED_FILES } from '../shipped.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Validate CloudFormation templates, Automation runbooks and Step Functions definitions (kind detected from the content).')
    .argument('<files...>', `JSON or YAML files, or shipped files by name (${SHIPPED_FILES.map((f) => f.name).join(', ')})`)
    .option('--quiet', 'print nothing on stderr')
    .addHelpText(
      'after',
      `
Prints {"files": [{file, kind, issues: [{path, code, message, severity}]}], "errors", "warnings"} on stdout
and one line per issue on stderr. Warnings (deployment risks, features the local engine lacks) do not fail.

Exit codes: 0 no errors; 1 errors found; 2 a file could not be read or parsed.

Examples:
  $ shellstep validate runbooks sample run-shell-command
  $ shellstep validate my-template.yaml my-runbook.json my-machine.asl.json`,
    )
    .action(async (files: string[], options: { quiet?: boolean }) => {
      const { isError, validateFile } = await import('../../validate/index.js');
      const shipped = (arg: string) => (isFile(arg) ? undefined : SHIPPED_FILES.find((f) => f.name === arg));
      const results = files.map((arg) => {
        const file = shipped(arg);
        return file === undefined ? validateFile(arg) : { ...validateFile(`${PACKAGE_ROOT}${file.path}`), file: arg };
      });
      const all = results.flatMap((r) => r.issues);
      const errors = all.filter(isError).length;
      const warnings = all.length - errors;
      if (options.quiet !== true) {
        for (const r of results) {
          for (const i of r.issues) process.stderr.write(`${r.file}: ${i.path}: ${i.severity ?? 'error'} ${i.code}: ${i.message}\n`);
          if (r.issues.length === 0) process.stderr.write(`${r.file}: ok (${r.kind})\n`);
        }
      }
      process.stdout.write(`${JSON.stringify({ files: results, errors, warnings }, null, 2)}\n`);
      process.exitCode = results.some((r) => r.unreadable) ? ExitCode.ExecutionFailed : errors > 0 ? ExitCode.Failure : ExitCode.Success;
    });
}
