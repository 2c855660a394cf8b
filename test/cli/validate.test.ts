import { describe, expect, test } from 'vitest';
import { shellstep } from './helpers.js';
import { tmpdir } from 'node:os';

const original = new URL('../fixtures/original-sample/original-sample.cfn.json', import.meta.url).pathname;

describe('shellstep validate', () => {
  test('should exit 0 and report every generated artifact clean', () => {
    const files = [
      'cloudformation/ssm-automation-documents.cfn.json',
      'cloudformation/sample-state-machine.cfn.json',
      'runbooks/SfnRunCommandByInstanceIds.json',
      'runbooks/SfnRunCommandByTargets.json',
      'state-machines/run-shell-command.asl.json',
      'state-machines/run-shell-command.jsonata.asl.json',
    ];
    const result = shellstep(['validate', ...files]);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.errors).toBe(0);
    expect(report.files.map((f: { kind: string }) => f.kind)).toEqual(['template', 'template', 'runbook', 'runbook', 'state-machine', 'state-machine']);
  });

  test('should exit 1 and list issues with paths when the original sample is validated', () => {
    const result = shellstep(['validate', original]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('$.Resources.SfnRunCommandByInstanceIds.Properties.Content.mainSteps[1].onFailure: error CallbackMissingOnFailure');
    expect(JSON.parse(result.stdout).errors).toBeGreaterThan(0);
  });

  test('should exit 2 when a file cannot be read', () => {
    const result = shellstep(['validate', 'does-not-exist.json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('file not found');
  });

  test('should document exit codes and examples in --help', () => {
    const result = shellstep(['validate', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Exit codes: 0 no errors; 1 errors found; 2 a file could not be read or parsed.');
    expect(result.stdout).toContain('$ shellstep validate runbooks sample run-shell-command');
  });
});

describe('shellstep synth', () => {
  test('should exit 0 with --check on the committed artifacts', () => {
    const result = shellstep(['synth', '--check']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).stale).toEqual([]);
  });
});

describe('shellstep validate, shipped files by name', () => {
  test('should validate the shipped template, runbook and state machine named on the command line', () => {
    const result = shellstep(['validate', 'runbooks', 'SfnRunCommandByTargets', 'run-shell-command.jsonata'], { cwd: tmpdir() });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { files: Array<{ file: string; kind: string }> };
    expect(report.files.map((f) => [f.file, f.kind])).toEqual([
      ['runbooks', 'template'],
      ['SfnRunCommandByTargets', 'runbook'],
      ['run-shell-command.jsonata', 'state-machine'],
    ]);
  });
});
