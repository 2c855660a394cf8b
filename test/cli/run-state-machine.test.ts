import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixturePath, REPO_ROOT } from '../helpers/fixtures.js';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run-state-machine', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('shellstep run-state-machine', () => {
  test('should print one JSON object and exit 0 when the execution succeeds on the fast clock', () => {
    const r = cli('--definition', fixturePath('state-machines/wait-then-pass.asl.json'), '--input', '{"a":1}', '--clock', 'fast', '--now', '2024-01-01T00:00:00Z', '--context', '{"Execution":{"Name":"my-exec"}}');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'SUCCEEDED', output: { entered: '2024-01-01T01:00:00.000Z', name: 'my-exec', input: { a: 1 } } });
  });

  test('should exit 2 with error and cause when the execution fails', () => {
    const r = cli('--definition', fixturePath('state-machines/fail-with-error.asl.json'), '--input', '{}');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'FAILED', error: 'Custom.Error', cause: 'it failed' });
  });

  test('should let Task states call Step Functions itself, and fail clearly on services the CLI does not run', () => {
    const listed = cli('--definition', fixturePath('state-machines/task-sfn-list-state-machines.asl.json'), '--input', '{}');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ status: 'SUCCEEDED', output: { names: ['run-state-machine'] } });
    const unavailable = cli('--definition', fixturePath('state-machines/task-ssm-unavailable.asl.json'), '--input', '{}');
    expect(unavailable.code).toBe(2);
    const result = JSON.parse(unavailable.stdout) as { status: string; error: string; cause: string };
    expect(result).toMatchObject({ status: 'FAILED', error: 'Ssm.UnknownOperationException' });
    expect(result.cause).toContain('ssm:DescribeInstanceInformation');
    // stdout stays the one result object; the hint goes to stderr, one line.
    expect(unavailable.stdout.trim().split('\n')).toHaveLength(1);
    expect(unavailable.stderr.trim().split('\n')).toEqual([expect.stringContaining('calls ssm:DescribeInstanceInformation, which this command does not provide')]);
  });

  test('should run the examples of its help as written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-rsm-'));
    try {
      const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run-state-machine', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;
      const lines = help.split('\n').filter((l) => l.startsWith('  $ ')).map((l) => l.slice(4).replace(/^shellstep /, `${process.execPath} ${REPO_ROOT}/dist/cli/main.js `));
      expect(lines).toHaveLength(4);
      const results = lines.map((line) => spawnSync('sh', ['-c', line], { cwd: dir, encoding: 'utf8', timeout: 30_000 }));
      expect(results.map((r) => r.status)).toEqual([0, 0, 0, 0]);
      expect(JSON.parse(results[1]!.stdout)).toEqual({ status: 'SUCCEEDED', output: 'world' });
      expect(JSON.parse(results[3]!.stdout)).toEqual({ status: 'SUCCEEDED', output: {} });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('should exit 1 and list the issues on stderr when the definition is invalid', () => {
    const r = cli('--definition', fixturePath('state-machines/invalid-missing-next.asl.json'), '--input', '{}');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('invalid-missing-next.asl.json: $');
  });

  test('should exit 1 when the arguments are unusable', () => {
    expect(cli('--definition', fixturePath('state-machines/fail-with-error.asl.json'), '--input', '{nope').code).toBe(1);
    expect(cli('--definition', fixturePath('state-machines/fail-with-error.asl.json'), '--clock', 'slow').code).toBe(1);
    expect(cli('--definition', '/no/such/file.json').code).toBe(1);
  });

  test('should print the documented help text with the exit codes and examples', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run-state-machine', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(HELP);
  });
});

const HELP = `Usage: shellstep run-state-machine [options]

Run one Step Functions execution of an ASL definition in-process (no server).

Options:
  --definition <file>  the state machine definition (ASL JSON)
  --input <json>       the execution input (default: "{}")
  --clock <mode>       'fast' skips waits and timeouts instantly; 'real' waits
                       in real time (default: "real")
  --context <json>     values for $$.Execution / $$.StateMachine, e.g.
                       {"Execution":{"Name":"x"}}
  --now <iso>          the execution start time (ISO-8601)
  -h, --help           display help for command

Prints one JSON object on stdout: {"status": "SUCCEEDED"|"FAILED"|"TIMED_OUT"|"ABORTED",
"output": <json, when SUCCEEDED>, "error": "...", "cause": "..."}; progress and issues go to stderr.
Task states can call Step Functions itself (arn:aws:states:::aws-sdk:sfn:*); other services are not wired here.

Exit codes: 0 SUCCEEDED; 2 the execution did not succeed; 1 unusable arguments or an invalid definition.

A definition that calls other services (the shipped run-shell-command ones call SSM) fails its Task here; run
those against the whole local engine: shellstep serve, then shellstep run --endpoint-url.

Examples:
  $ echo '{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","Result":"world","End":true}}}' > hello.asl.json
  $ shellstep run-state-machine --definition hello.asl.json --input '{"a":1}'
  $ echo '{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":3600,"End":true}}}' > nap.asl.json
  $ shellstep run-state-machine --definition nap.asl.json --clock fast --now 2024-01-01T00:00:00Z
`;
