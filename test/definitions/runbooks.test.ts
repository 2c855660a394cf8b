import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  buildRunbook,
  CALLBACK_STEP_TIMEOUT,
  ERROR_NAMES,
  MAX_DELIVERY_TIMEOUT,
  MAX_EXECUTION_TIMEOUT,
  RUN_COMMAND_STEP_TIMEOUT,
  type TargetMode,
} from '../../src/definitions/runbooks.js';
import type { RunbookStep } from '../../src/model/runbook.js';

const MODES: TargetMode[] = ['InstanceIds', 'Targets'];
const COMMAND_STATUSES = ['Pending', 'InProgress', 'Success', 'Cancelled', 'Failed', 'TimedOut', 'Cancelling'];

function steps(mode: TargetMode): RunbookStep[] {
  return [...buildRunbook(mode).mainSteps];
}

/** Substitutes `{{ Step.Output }}` and `{{ automation:EXECUTION_ID }}` the way Automation embeds strings. */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, name: string) => {
    const value = values[name.slice(name.indexOf('.') + 1)] ?? values[name];
    if (value === undefined) throw new Error(`no value for ${name}`);
    return value;
  });
}

describe.each(MODES)('runbook by %s', (mode) => {
  test('should declare the seed parameters with their types and a real empty workingDirectory default (D1)', () => {
    const p = buildRunbook(mode).parameters!;
    expect(p[mode]?.type).toBe(mode === 'InstanceIds' ? 'StringList' : 'MapList');
    expect(p['Commands']).toMatchObject({ type: 'StringList', minItems: 1 });
    expect(p['taskToken']).toMatchObject({ type: 'String' });
    expect(p['taskToken']?.default).toBeUndefined();
    expect(p['workingDirectory']?.default).toBe('');
    expect(p['executionTimeout']).toMatchObject({ type: 'String', default: '3600' });
    expect(p['shell']).toMatchObject({ default: 'Shell', allowedValues: ['Shell', 'PowerShell'] });
    expect(p['deliveryTimeout']).toMatchObject({ type: 'Integer' });
  });

  test('should accept executionTimeout 1..172800 and nothing else', () => {
    const pattern = new RegExp(buildRunbook(mode).parameters!['executionTimeout']!.allowedPattern!);
    for (const ok of ['1', '5', '3600', '99999', '100000', '171999', '172799', '172800']) expect(pattern.test(ok), ok).toBe(true);
    for (const bad of ['0', '172801', '200000', '-1', '3600s', '', '01']) expect(pattern.test(bad), bad).toBe(false);
  });

  test('should bound every step by its action limit (D12) and the run-command step by the largest command lifetime', () => {
    for (const step of steps(mode)) {
      if (step.action === 'aws:executeAwsApi') expect(step.timeoutSeconds).toBeLessThanOrEqual(CALLBACK_STEP_TIMEOUT);
      if (step.action === 'aws:runCommand') {
        expect(step.timeoutSeconds).toBeGreaterThan(MAX_DELIVERY_TIMEOUT + MAX_EXECUTION_TIMEOUT);
        expect(step.timeoutSeconds).toBe(RUN_COMMAND_STEP_TIMEOUT);
        expect(step.maxAttempts).toBe(1);
      }
    }
  });

  test('should give every non-callback step an onFailure and an onCancel callback path', () => {
    const byName = new Map(steps(mode).map((s) => [s.name, s]));
    for (const step of steps(mode)) {
      if (step.action !== 'aws:executeAwsApi') {
        expect(step.onFailure, step.name).toMatch(/^step:/);
        expect(byName.get(step.onFailure!.slice(5))?.action).toBe('aws:executeAwsApi');
        expect(step.onCancel, step.name).toBe('step:NotifyAutomationCancelled');
      }
    }
  });

  test('should produce valid JSON success output for every command id, status and execution id', () => {
    const successSteps = steps(mode).filter((s) => s.inputs['Api'] === 'SendTaskSuccess');
    expect(successSteps).toHaveLength(4);
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom(...COMMAND_STATUSES), fc.uuid(), (commandId, status, executionId) => {
        for (const step of successSteps) {
          const output = JSON.parse(interpolate(String(step.inputs['output']), { CommandId: commandId, Status: status, 'automation:EXECUTION_ID': executionId }));
          expect(output).toEqual({ CommandId: commandId, Status: status, DocumentName: expect.stringMatching(/^AWS-Run(Power)?ShellScript$/), AutomationExecutionId: executionId });
        }
      }),
      { numRuns: 200 },
    );
  });

  test('should name the failure after the command status so Catch can tell them apart (D10)', () => {
    const failure = steps(mode).find((s) => s.name === 'NotifyFailure_RunShellScript')!;
    for (const status of ['Failed', 'TimedOut', 'Cancelled']) {
      expect(interpolate(String(failure.inputs['error']), { Status: status })).toBe(`RunCommand.${status}`);
    }
    expect(Object.values(ERROR_NAMES)).toContain('RunCommand.TimedOut');
    const cause = interpolate(String(failure.inputs['cause']), { CommandId: 'c-1', Status: 'Failed', 'automation:EXECUTION_ID': 'a-1' });
    expect(cause).toContain('list-command-invocations --details --command-id c-1');
  });

  test('should keep last-resort callbacks free of step outputs, so they always resolve', () => {
    for (const name of ['NotifyStepFailed', 'NotifyAutomationCancelled', 'NotifyCallbackFailed']) {
      const step = steps(mode).find((s) => s.name === name)!;
      const refs = JSON.stringify(step.inputs).match(/\{\{[^}]*\}\}/g) ?? [];
      expect(refs.every((r) => /taskToken|automation:EXECUTION_ID/.test(r)), name).toBe(true);
    }
  });

  test('should stay under the 64 KB document content limit', () => {
    expect(Buffer.byteLength(JSON.stringify(buildRunbook(mode)))).toBeLessThan(64 * 1024);
  });
});

describe('docs/runbooks.md', () => {
  const doc = readFileSync(new URL('../../docs/runbooks.md', import.meta.url), 'utf8');

  test('should document every parameter of both runbooks', () => {
    for (const mode of MODES) {
      for (const name of Object.keys(buildRunbook(mode).parameters!)) expect(doc, name).toContain(`| \`${name}\``);
    }
  });

  test('should document every error name', () => {
    for (const name of Object.values(ERROR_NAMES)) expect(doc, name).toContain(`| \`${name}\``);
  });

  test('should state the run-command step backstop that the source uses', () => {
    expect(doc).toContain(`timeoutSeconds: ${RUN_COMMAND_STEP_TIMEOUT}`);
  });
});
