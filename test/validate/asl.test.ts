import { describe, expect, test } from 'vitest';
import { validateStateMachine } from '../../src/validate/asl.js';
import { loadCases } from '../conformance/asl-cases.js';

const task = (extra: object) => ({ StartAt: 'T', States: { T: { Type: 'Task', End: true, ...extra } } });

describe('validateStateMachine', () => {
  test('should accept every definition that AWS ran in the conformance cases', () => {
    const rejected = loadCases()
      .map((c) => ({ id: c.id, issues: validateStateMachine(c.definition).filter((i) => i.severity !== 'warning') }))
      .filter((r) => r.issues.length > 0);
    expect(rejected).toEqual([]);
  });

  test('should report schema and graph problems with JSON paths', () => {
    const issues = validateStateMachine({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.path.startsWith('$'))).toBe(true);
    expect(validateStateMachine('nope')).toEqual([{ path: '$', code: 'InvalidDefinition', message: 'A state machine definition must be a JSON object.' }]);
  });

  test('should require States.ALL to be alone and in the last Retrier or Catcher', () => {
    const issues = validateStateMachine(
      task({
        Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments',
        Retry: [{ ErrorEquals: ['States.ALL', 'X'] }, { ErrorEquals: ['Y'] }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'T' }, { ErrorEquals: ['Z'], Next: 'T' }],
      }),
    );
    expect(issues.map((i) => [i.path, i.code])).toEqual(
      expect.arrayContaining([
        ['$.States.T.Retry[0].ErrorEquals', 'StatesAllNotAlone'],
        ['$.States.T.Retry[0].ErrorEquals', 'StatesAllNotLast'],
        ['$.States.T.Catch[0].ErrorEquals', 'StatesAllNotLast'],
      ]),
    );
  });

  test('should require HeartbeatSeconds below TimeoutSeconds', () => {
    const issues = validateStateMachine(task({ Resource: 'arn:aws:states:::aws-sdk:ssm:listDocuments', TimeoutSeconds: 10, HeartbeatSeconds: 10 }));
    expect(issues).toContainEqual(expect.objectContaining({ path: '$.States.T.HeartbeatSeconds', code: 'HeartbeatNotBelowTimeout' }));
  });

  test('should reject unknown aws-sdk services and actions, and warn about resources the local engine cannot run', () => {
    expect(validateStateMachine(task({ Resource: 'arn:aws:states:::aws-sdk:nosuchservice:doThing' }))).toContainEqual(
      expect.objectContaining({ code: 'UnknownAwsSdkService' }),
    );
    expect(validateStateMachine(task({ Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecutionz.waitForTaskToken' }))).toContainEqual(
      expect.objectContaining({ code: 'UnknownAwsSdkAction' }),
    );
    expect(validateStateMachine(task({ Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', Parameters: { 'a.$': '$$.Task.Token' } }))).toEqual([]);
    expect(validateStateMachine(task({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f' }))).toContainEqual(
      expect.objectContaining({ code: 'UnsupportedLocally', severity: 'warning' }),
    );
  });
});

describe('validateStateMachine on malformed structure', () => {
  test.each([
    [{ StartAt: 'A', States: null }, '$.States'],
    [{ StartAt: 'A', States: 'A' }, '$.States'],
    [{ StartAt: 'A', States: { A: null } }, '$.States.A'],
    [{ StartAt: 'A', States: { A: { Type: 'Pass', Parameters: null, End: true } } }, '$.States.A.Parameters'],
    [{ StartAt: 'A', States: { A: { Type: 'Map', ItemsPath: null, ItemProcessor: { StartAt: 'B', States: { B: { Type: 'Succeed' } } }, End: true } } }, '$.States.A.ItemsPath'],
    [{ StartAt: 'A', States: { A: { Type: 'Choice', Choices: [{ Variable: null, StringEquals: 'x', Next: 'B' }], Default: 'B' }, B: { Type: 'Succeed' } } }, '$.States.A.Choices[0].Variable'],
    [{ StartAt: 'S', States: { S: { Type: 'Map', ItemsPath: '$.items', ToleratedFailureCountPath: null, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } }, '$.States.S.ToleratedFailureCountPath'],
    [{ StartAt: 'A', States: { A: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', ResultSelector: null, End: true } } }], End: true } } }, '$.States.A.Branches[0].States.B.ResultSelector'],
  ])('should report an issue, not throw, for %j', (definition, path) => {
    const issues = validateStateMachine(definition);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.every((i) => i.code === 'SCHEMA_VALIDATION_FAILED')).toBe(true);
  });
});
