import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { shellstep } from './helpers.js';

describe('shellstep run-command', () => {
  test.each([
    ['2', 'the SSM agent would run it for 3600 s'],
    ['abc', 'not a number'],
  ])('should refuse --execution-timeout %s in one line before running anything (%s)', (value) => {
    const result = shellstep(['run-command', '--instance', 'auto', '--execution-timeout', value, '--', 'sleep 8']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: option '--execution-timeout <seconds>' argument '${value}' is invalid. Expected a whole number of seconds from 5 to 172800 (the SSM agent runs values under 5 for 3600 s).\n`,
    );
  });

  test('should refuse a --delivery-timeout SendCommand refuses, and a lower-case shell', () => {
    expect(shellstep(['run-command', '--instance', 'auto', '--delivery-timeout', '10', '--', 'true']).stderr).toContain('from 30 to 2592000 (SendCommand TimeoutSeconds)');
    expect(shellstep(['run-command', '--instance', 'auto', '--shell', 'shell', '--', 'true']).stderr).toContain("Expected 'Shell' or 'PowerShell'.");
  });

  test('should run on a new local instance and leave no temp folder behind', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'shellstep-cli-tmp-'));
    try {
      const result = shellstep(['run-command', '--instance', 'auto', '--execution-timeout', '5', '--', 'echo "hi from $PWD"'], { env: { TMPDIR: tmp } });
      expect(result.status, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.nodes[0]).toMatchObject({ Status: 'Success', StandardOutputContent: expect.stringContaining(`hi from ${tmp}/shellstep-instances-`) });
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
