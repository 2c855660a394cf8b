import { describe, expect, test } from 'vitest';
import { AWS_DOCUMENTS } from '../../src/engine/documents/index.js';
import { validateCommandDocument } from '../../src/validate/command-document.js';
import { validateFile } from '../../src/validate/index.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const step = (extra: object = {}) => ({ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['echo hi'] }, ...extra });
const errors = (doc: unknown) => validateCommandDocument(doc).filter((i) => i.severity !== 'warning');

describe('validateCommandDocument', () => {
  test("should accept AWS's own documents and the documented shapes of 1.2, 2.0 and 2.2", () => {
    for (const aws of Object.values(AWS_DOCUMENTS)) expect(validateCommandDocument(JSON.parse(aws.content)), aws.name).toEqual([]);
    expect(errors({ schemaVersion: '2.2', mainSteps: [step({ precondition: { StringEquals: ['platformType', 'Linux'] } })] })).toEqual([]);
    // AWS's own 2.0 example takes `commands` in its script steps (aws-tools-for-powershell Get-SSMDocument).
    expect(errors({ schemaVersion: '2.0', mainSteps: [{ action: 'aws:runShellScript', name: 'runShellScript', inputs: { commands: '{{ commands }}' } }] })).toEqual([]);
    expect(errors({ schemaVersion: '1.2', runtimeConfig: { 'aws:runShellScript': { properties: { runCommand: 'echo' } } } })).toEqual([]);
  });

  test('should report schema violations with their path', () => {
    expect(errors({ mainSteps: [step()] }).map((i) => i.path)).toContain('$');
    expect(errors({ schemaVersion: '2.2', mainSteps: [step({ action: 'aws:nope' })] }).map((i) => i.path)).toContain('$.mainSteps[0].action');
    expect(errors({ schemaVersion: '2.2', mainSteps: [step({ extra: 1 })] }).map((i) => i.message)).toContain("Unknown field 'extra'.");
    expect(errors({ schemaVersion: '2.2', mainSteps: [step()], assumeRole: 'x' }).map((i) => i.message)).toContain("Unknown field 'assumeRole'.");
  });

  test('should report duplicate step names and preconditions the agent would refuse', () => {
    expect(errors({ schemaVersion: '2.2', mainSteps: [step(), step()] }).map((i) => i.code)).toEqual(['DuplicateStepName']);
    expect(errors({ schemaVersion: '2.0', mainSteps: [step({ precondition: { StringEquals: ['platformType', 'Linux'] } })] }).map((i) => i.code)).toEqual([
      'PreconditionNotSupported',
    ]);
    for (const precondition of [{ StringLike: ['platformType', 'Linux'] }, { StringEquals: ['platformType'] }, { StringEquals: ['a', 'a'] }]) {
      expect(errors({ schemaVersion: '2.2', mainSteps: [step({ precondition })] }).map((i) => i.code), JSON.stringify(precondition)).toEqual(['UnsupportedPrecondition']);
    }
  });

  test('should check parameter definitions as for runbooks, and warn of undeclared references', () => {
    const doc = { schemaVersion: '2.2', parameters: { level: { type: 'String', default: 'x', allowedValues: ['a', 'b'] } }, mainSteps: [step({ inputs: { runCommand: ['echo {{ level }} {{ other }}'] } })] };
    const issues = validateCommandDocument(doc);
    expect(issues.filter((i) => i.severity !== 'warning').map((i) => i.code)).toEqual(['DefaultNotAllowed']);
    expect(issues.filter((i) => i.severity === 'warning').map((i) => i.code)).toEqual(['UndeclaredParameter']);
  });

  test('should be chosen by `shellstep validate` for a Command document file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-cmd-'));
    const file = join(dir, 'doc.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: '2.2', mainSteps: [step(), step()] }));
    const result = validateFile(file);
    expect(result.kind).toBe('command-document');
    expect(result.issues.map((i) => i.code)).toEqual(['DuplicateStepName']);
  });
});
