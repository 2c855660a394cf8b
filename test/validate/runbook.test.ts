import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildRunbook } from '../../src/definitions/runbooks.js';
import { validateRunbook } from '../../src/validate/runbook.js';
import type { ValidationIssue } from '../../src/validate/issue.js';

type Mutable = Record<string, any>;

/** A clean runbook to plant one defect into. */
function runbook(): Mutable {
  return structuredClone(buildRunbook('InstanceIds')) as Mutable;
}

function step(doc: Mutable, name: string): Mutable {
  const found = doc['mainSteps'].find((s: Mutable) => s['name'] === name);
  if (found === undefined) throw new Error(`no step ${name}`);
  return found;
}

function codes(issues: ValidationIssue[]): string[] {
  return issues.map((i) => i.code);
}

function only(issues: ValidationIssue[], code: string): ValidationIssue {
  const matching = issues.filter((i) => i.code === code);
  expect(matching, `expected one ${code} in ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  return matching[0]!;
}

describe('validateRunbook', () => {
  test('should find no issue when given the generated runbooks', () => {
    expect(validateRunbook(buildRunbook('InstanceIds'))).toEqual([]);
    expect(validateRunbook(buildRunbook('Targets'))).toEqual([]);
  });

  test('should accept YAML text and report unreadable text', () => {
    const yaml = 'schemaVersion: "0.3"\nmainSteps:\n  - name: Wait\n    action: aws:sleep\n    inputs:\n      Duration: PT1S\n';
    expect(validateRunbook(yaml)).toEqual([]);
    expect(codes(validateRunbook('mainSteps: [unclosed'))).toEqual(['UnreadableContent']);
  });

  test('should report a schema violation with its path when a step has an unknown field', () => {
    const doc = runbook();
    step(doc, 'RunShellScript')['retries'] = 3;
    const found = only(validateRunbook(doc), 'SchemaViolation');
    expect(found.path).toBe('$.mainSteps[1]');
    expect(found.message).toContain("'retries'");
  });

  test('should report a schema violation when schemaVersion is not 0.3', () => {
    const doc = runbook();
    doc['schemaVersion'] = '2.2';
    expect(only(validateRunbook(doc), 'SchemaViolation').path).toBe('$.schemaVersion');
  });

  test('should report an unknown onFailure target', () => {
    const doc = runbook();
    step(doc, 'RunShellScript')['onFailure'] = 'step:Nowhere';
    const found = only(validateRunbook(doc), 'UnknownStepTarget');
    expect(found.path).toBe('$.mainSteps[1].onFailure');
    expect(found.message).toContain("'Nowhere'");
  });

  test('should report an unknown branch NextStep', () => {
    const doc = runbook();
    doc['mainSteps'][0]['inputs']['Choices'][0]['NextStep'] = 'Missing';
    const found = validateRunbook(doc).find((i) => i.code === 'UnknownStepTarget');
    expect(found?.path).toBe('$.mainSteps[0].inputs.Choices[0].NextStep');
  });

  test('should warn about an unreachable step', () => {
    const doc = runbook();
    doc['mainSteps'].push({ name: 'Orphan', action: 'aws:sleep', inputs: { Duration: 'PT1S' } });
    const found = only(validateRunbook(doc), 'UnreachableStep');
    expect(found.severity).toBe('warning');
    expect(found.message).toContain("'Orphan'");
  });

  test('should report a reference to an undeclared parameter', () => {
    const doc = runbook();
    step(doc, 'RunShellScript')['inputs']['Comment'] = '{{ Coment }}';
    const found = only(validateRunbook(doc), 'UndeclaredParameter');
    expect(found.path).toBe('$.mainSteps[1].inputs.Comment');
  });

  test('should report a reference to an output a step does not produce', () => {
    const doc = runbook();
    step(doc, 'NotifySuccess_RunShellScript')['inputs']['output'] = '{"x":"{{ RunShellScript.ExitCode }}"}';
    expect(only(validateRunbook(doc), 'UnknownStepOutput').message).toContain("'ExitCode'");
  });

  test('should explain that Automation cannot select inside an output', () => {
    const doc = runbook();
    step(doc, 'NotifySuccess_RunShellScript')['inputs']['output'] = '{{ RunShellScript.Output.message }}';
    expect(only(validateRunbook(doc), 'UnknownStepOutput').message).toContain('cannot select within an output');
  });

  test('should warn when a step uses the output of a step that may not have run and has no fallback', () => {
    const doc = runbook();
    delete step(doc, 'NotifyFailure_RunShellScript')['onFailure'];
    // A failed SendTaskFailure may end the run (nothing is left to call), so only the reference is flagged.
    const found = validateRunbook(doc).filter((i) => i.code === 'OutputMayBeUnresolved');
    expect(found.map((i) => i.path)).toEqual(['$.mainSteps[3].inputs.error', '$.mainSteps[3].inputs.cause', '$.mainSteps[3].inputs.cause']);
    expect(found.every((i) => i.severity === 'warning')).toBe(true);
  });

  test('should report a Parameter Store reference inside a step', () => {
    const doc = runbook();
    step(doc, 'RunShellScript')['inputs']['Comment'] = '{{ ssm:/my/param }}';
    expect(only(validateRunbook(doc), 'ParameterStoreReferenceInStep').path).toBe('$.mainSteps[1].inputs.Comment');
  });

  test('should report an unknown automation variable', () => {
    const doc = runbook();
    step(doc, 'RunShellScript')['inputs']['Comment'] = '{{ automation:EXECUTION_ARN }}';
    expect(codes(validateRunbook(doc))).toContain('UnknownVariable');
  });

  test('should report an executeAwsApi service that does not exist', () => {
    const doc = runbook();
    step(doc, 'NotifyStepFailed')['inputs']['Service'] = 'step-functions';
    expect(only(validateRunbook(doc), 'UnknownService').message).toContain("'step-functions'");
  });

  test('should report an executeAwsApi API that does not exist', () => {
    const doc = runbook();
    step(doc, 'NotifyStepFailed')['inputs']['Api'] = 'send_task_done';
    expect(only(validateRunbook(doc), 'UnknownApi').message).toContain("'send_task_done'");
  });

  test('should accept both the boto3 and the API spelling of an operation', () => {
    const doc = runbook();
    step(doc, 'NotifyStepFailed')['inputs']['Api'] = 'send_task_failure';
    expect(validateRunbook(doc)).toEqual([]);
  });

  test('should report an API parameter that does not exist, with a hint for wrong case', () => {
    const doc = runbook();
    const inputs = step(doc, 'NotifyStepFailed')['inputs'];
    inputs['TaskToken'] = inputs['taskToken'];
    delete inputs['taskToken'];
    const issues = validateRunbook(doc);
    expect(only(issues, 'UnknownApiParameter').message).toContain("did you mean 'taskToken'");
    expect(only(issues, 'MissingApiParameter').message).toContain("'taskToken'");
  });

  test('should report an executeAwsApi timeout above the 25 s action limit (D12)', () => {
    const doc = runbook();
    step(doc, 'NotifyStepFailed')['timeoutSeconds'] = 50;
    expect(only(validateRunbook(doc), 'TimeoutExceedsActionLimit').path).toBe('$.mainSteps[13].timeoutSeconds');
  });

  test('should report a timeoutSeconds that is not a whole number, and accept a numeric string as AWS does', () => {
    const doc = runbook();
    step(doc, 'RunShellScript')['timeoutSeconds'] = 'soon';
    expect(only(validateRunbook(doc), 'InvalidTimeout').path).toBe('$.mainSteps[1].timeoutSeconds');
    step(doc, 'RunShellScript')['timeoutSeconds'] = '3600';
    expect(validateRunbook(doc)).toEqual([]);
  });

  test('should report a delivery timeout outside the SendCommand range', () => {
    const doc = runbook();
    step(doc, 'RunShellScript')['inputs']['TimeoutSeconds'] = 10;
    expect(only(validateRunbook(doc), 'TimeoutOutOfRange').message).toContain('30..2592000');
  });

  test('should report an Integer runbook parameter fed into a String command parameter', () => {
    const doc = runbook();
    doc['parameters']['executionTimeout'] = { type: 'Integer', default: 3600 };
    const found = validateRunbook(doc).filter((i) => i.code === 'ParameterTypeMismatch');
    // One per aws:runCommand step (four: two shells, with and without S3 output).
    expect(found.map((i) => i.path)).toEqual([1, 4, 7, 10].map((n) => `$.mainSteps[${n}].inputs.Parameters.executionTimeout`));
    expect(found[0]!.message).toContain("is a String, but runbook parameter 'executionTimeout' is a Integer");
  });

  test('should report an unknown branch operator', () => {
    const doc = runbook();
    doc['mainSteps'][0]['inputs']['Choices'][1] = { NextStep: 'RunShellScriptToS3', Variable: '{{ shell }}', StringMatches: 'Shell' };
    expect(codes(validateRunbook(doc))).toContain('UnknownOperator');
  });

  test('should report a default outside allowedValues', () => {
    const doc = runbook();
    doc['parameters']['shell']['default'] = 'shell';
    expect(only(validateRunbook(doc), 'DefaultNotAllowed').path).toBe('$.parameters.shell.default');
  });

  test('should report duplicate step names', () => {
    const doc = runbook();
    step(doc, 'RunShellScriptToS3')['name'] = 'RunShellScript';
    expect(codes(validateRunbook(doc))).toContain('DuplicateStepName');
  });

  test('should report an onCancel target that cannot run in the cancellation workflow', () => {
    const doc = runbook();
    doc['mainSteps'].push({ name: 'Pause', action: 'aws:sleep', inputs: { Duration: 'PT1S' }, isEnd: true });
    step(doc, 'RunShellScript')['onCancel'] = 'step:Pause';
    expect(codes(validateRunbook(doc))).toContain('InvalidCancelTarget');
  });

  test('should report a step that ends the runbook without calling the task token back on success', () => {
    const doc = runbook();
    step(doc, 'RunShellScript')['isEnd'] = true;
    expect(only(validateRunbook(doc), 'CallbackMissingOnSuccess').message).toContain("'RunShellScript'");
  });

  test('should report a cancellable step without onCancel', () => {
    const doc = runbook();
    delete step(doc, 'RunShellScript')['onCancel'];
    expect(only(validateRunbook(doc), 'CallbackMissingOnCancel').path).toBe('$.mainSteps[1].onCancel');
  });

  test('should name an action the local engine does not run as an error only for the local engine', () => {
    const doc = runbook();
    doc['mainSteps'].push({ name: 'Approve', action: 'aws:approve', inputs: { Approvers: ['arn:aws:iam::123456789012:user/x'] }, isEnd: true });
    const forAws = only(validateRunbook(doc), 'ActionNotSupportedLocally');
    expect(forAws.severity).toBe('warning');
    const forEngine = only(validateRunbook(doc, { forLocalEngine: true }), 'ActionNotSupportedLocally');
    expect(forEngine.severity).toBeUndefined();
    expect(forEngine.message).toContain("'aws:approve'");
  });

  describe('the original sample', () => {
    const template = JSON.parse(readFileSync(new URL('../fixtures/original-sample/original-sample.cfn.json', import.meta.url), 'utf8'));
    const content = (id: string): Mutable => {
      const c = structuredClone(template.Resources[id].Properties.Content);
      c.assumeRole = 'arn:aws:iam::123456789012:role/sync-run-shell-script-role';
      return c;
    };

    test.each(['SfnRunCommandByInstanceIds', 'SfnRunCommandByTargets'])('should flag the real defects of %s', (id) => {
      const issues = validateRunbook(content(id));
      // D1: the two-character default; D12: 50 s on a 25 s action; D11(a): a failed SendTaskSuccess strands the token.
      expect(codes(issues)).toEqual(
        expect.arrayContaining(['QuotedEmptyDefault', 'TimeoutExceedsActionLimit', 'CallbackMissingOnFailure', 'CallbackMissingOnCancel']),
      );
      expect(issues.find((i) => i.code === 'CallbackMissingOnFailure')?.path).toBe('$.mainSteps[1].onFailure');
    });
  });
});
