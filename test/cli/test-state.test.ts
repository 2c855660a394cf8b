import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { projectRoot, shellstep } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-test-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

describe('shellstep test-state', () => {
  test('should print the TestState response and exit 0 when the state succeeds', () => {
    const definition = file('pass.json', { Type: 'Pass', Parameters: { 'v.$': '$.a' }, Next: 'B' });
    const run = shellstep(['test-state', '--definition', definition, '--input', '{"a":1}', '--inspection-level', 'DEBUG']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'SUCCEEDED', output: '{"v":1}', nextState: 'B', inspectionData: { afterParameters: '{"v":1}' } });
  });

  test('should exit 2 for a state that does not succeed, and 1 for a request TestState refuses', () => {
    const task = file('task.json', { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Retry: [{ ErrorEquals: ['Busy'] }], End: true });
    const retriable = shellstep(['test-state', '--definition', task, '--mock-error', 'Busy', '--mock-cause', 'try later', '--retrier-retry-count', '1', '--inspection-level', 'TRACE']);
    expect(retriable.status).toBe(2);
    expect(JSON.parse(retriable.stdout)).toMatchObject({ status: 'RETRIABLE', error: 'Busy', cause: 'try later', inspectionData: { errorDetails: { retryIndex: 0, retryBackoffIntervalSeconds: 2 } } });
    const refused = shellstep(['test-state', '--definition', task, '--mock-result', '{"StatusCode":"200"}']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe("test-state: ValidationException: Mock result schema validation error: Field 'StatusCode' must be a number\n");
    expect(shellstep(['test-state', '--definition', task, '--retrier-retry-count', 'two']).stderr).toContain("expected a whole number, got 'two'");
    expect(shellstep(['test-state', '--input', '{}']).stderr).toContain('--definition (or a request with a definition) is required');
  });

  test('should take a whole request file, test a state of the shipped machine by name, and read file:// values', () => {
    const request = file('request.json', { stateName: 'RunShellCommand', mock: { errorOutput: { error: 'RunCommand.TimedOut', cause: 'slow' } } });
    const input = file('input.json', { id: 7 });
    const run = shellstep(['test-state', '--request', request, '--definition', `${projectRoot}state-machines/run-shell-command.asl.json`, '--input', `file://${input}`]);
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({ status: 'CAUGHT_ERROR', error: 'RunCommand.TimedOut', cause: 'slow', output: '{"id":7,"error":{"Error":"RunCommand.TimedOut","Cause":"slow"}}', nextState: 'CommandFailed' });
  });

  test('should call the local services for real without a mock: a sendCommand Task on a local instance', () => {
    const definition = file('send.json', {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:ssm:sendCommand',
      Parameters: { DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'], Parameters: { commands: ['true'] } },
      ResultSelector: { 'document.$': '$.Command.DocumentName', 'targets.$': '$.Command.TargetCount' },
      End: true,
    });
    const run = shellstep(['test-state', '--definition', definition, '--role-arn', 'arn:aws:iam::123456789012:role/r', '--instance', 'i-0123456789abcdef0', '--clock', 'fast']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(JSON.parse(run.stdout).output)).toEqual({ document: 'AWS-RunShellScript', targets: 1 });
  });
});

describe('shellstep serve --mock-config', () => {
  test('should exit 1 listing every problem of a bad mock configuration, before it listens', () => {
    const config = file('MockConfigFile.json', { StateMachines: { M: { TestCases: { T: { S: 'Missing' } } } }, MockedResponses: { R: { '2-1': { Return: 1 } } } });
    const run = shellstep(['serve', '--port', '0', '--mock-config', config]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${config} is not a valid mock configuration:`);
    expect(run.stderr).toContain('$.MockedResponses.R["2-1"]: The range \'2-1\' ends before it starts.');
    expect(run.stderr).toContain("$.StateMachines.M.TestCases.T.S: State 'S' uses mocked response 'Missing', which MockedResponses does not define.");
  });
});
