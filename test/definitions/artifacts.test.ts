import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, RUNBOOKS_TEMPLATE_PATH, SAMPLE_TEMPLATE_PATH } from '../../src/definitions/artifacts.js';
import { synth } from '../../src/cli/commands/synth.js';

const root = new URL('../../', import.meta.url).pathname;

const cfnLintAvailable = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
function hasCfnLint(): boolean {
  return cfnLintAvailable;
}

describe('generated artifacts', () => {
  test('should match the committed files (run `shellstep synth` when this fails)', () => {
    const result = synth(root, true);
    expect(result.stale).toEqual([]);
    expect(result.unchanged).toHaveLength(artifacts().length);
  });

  test('should render identically twice, with a trailing newline', () => {
    const first = artifacts();
    const second = artifacts();
    expect(second).toEqual(first);
    for (const a of first) expect(a.content.endsWith('}\n')).toBe(true);
  });

  test('should report a hand-edited artifact as stale and rewrite it when not checking', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-synth-'));
    expect(synth(dir, false).written).toHaveLength(artifacts().length);
    writeFileSync(join(dir, RUNBOOKS_TEMPLATE_PATH), '{}\n');
    expect(synth(dir, true).stale).toEqual([RUNBOOKS_TEMPLATE_PATH]);
    expect(synth(dir, false).written).toEqual([RUNBOOKS_TEMPLATE_PATH]);
    expect(synth(dir, true).stale).toEqual([]);
  });

  // AWS's own linter on every generated template. Skipped, visibly, where cfn-lint is not installed.
  test.skipIf(!hasCfnLint()).each([RUNBOOKS_TEMPLATE_PATH, SAMPLE_TEMPLATE_PATH])('should pass cfn-lint: %s', (path) => {
    const out = spawnSync('cfn-lint', ['--format', 'parseable', join(root, path)], { encoding: 'utf8' });
    expect(out.stdout + out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  test.skipIf(!hasCfnLint())('should make cfn-lint fail on a template with a planted defect (the lint check can fail)', () => {
    const template = JSON.parse(readFileSync(join(root, RUNBOOKS_TEMPLATE_PATH), 'utf8'));
    template.Resources.SfnRunCommandByInstanceIds.Properties.DocumentType = 'Automaton';
    const file = join(mkdtempSync(join(tmpdir(), 'shellstep-lint-')), 'bad.json');
    writeFileSync(file, JSON.stringify(template));
    const out = spawnSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
    expect(out.status).not.toBe(0);
    expect(out.stdout).toContain('Automaton');
  });
});
