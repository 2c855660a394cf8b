import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'cdk-app');
const outdir = mkdtempSync(join(tmpdir(), 'shellstep-example-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

type Json = Record<string, unknown>;

describe('examples/cdk-app', () => {
  test('should write its CloudFormation template offline and pass cdk-nag when npm run synth runs', () => {
    const stdout = execFileSync('npm', ['run', '--silent', 'synth'], {
      cwd: EXAMPLE,
      env: { ...process.env, CDK_OUTDIR: outdir },
      encoding: 'utf8',
    });
    const templatePath = join(outdir, 'ShellStepExample.template.json');
    expect(stdout.trim().split('\n').at(-1)).toBe(templatePath);
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Json }> };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::SSM::Document')).toHaveLength(2);
    expect(types.filter((t) => t === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(Object.keys((template as unknown as { Outputs: Json }).Outputs)).toContain('StateMachineArn');
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; conclusion: string; violations: unknown[] }>;
    };
    expect(report.pluginReports.map((r) => [r.pluginName, r.conclusion, r.violations.length])).toEqual([['AwsSolutions', 'success', 0]]);
  }, 120_000);

  test('should type-check when compiled with its own tsconfig', () => {
    expect(() =>
      execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(EXAMPLE, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' }),
    ).not.toThrow();
  }, 120_000);
});
