import { describe, expect, test } from 'vitest';
import { shellstep } from './helpers.js';

describe('shellstep demo', () => {
  test('should run every scenario as expected, with the live view on stderr and the result JSON on stdout', () => {
    const result = shellstep(['demo', '--sleep', '0']);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.passed).toBe(true);
    expect(report.scenarios.map((s: { status: string }) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(report.scenarios[1].nodes).toHaveLength(2);
    expect(report.scenarios[2].nodes[0]).toMatchObject({ Status: 'Failed', ResponseCode: 3 });
    expect(result.stderr).toContain('▶ RunShellCommand (Task)');
    expect(result.stderr).toContain('✗ TaskFailed: RunCommand.Failed');
    expect(result.stderr).toContain('All scenarios behaved as expected');
    // The seed's command writes to a file and prints nothing: said so, not `output: ""`.
    expect(result.stderr).toContain(': Success, exit 0, no output');
    expect(result.stderr).not.toContain('output: ""');
    // The instances' temp folder is gone when the demo ends, so the result does not point into it.
    expect(report.instances[0]).toEqual({ InstanceId: expect.stringMatching(/^i-/), Tags: { Name: 'web-1', Role: 'web' } });
  });

  test('should reject an unusable --sleep with exit 1', () => {
    const result = shellstep(['demo', '--sleep', 'soon']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("error: option '--sleep <seconds>' argument 'soon' is invalid. Expected a whole number of seconds from 0 to 600.\n");
  });
});
