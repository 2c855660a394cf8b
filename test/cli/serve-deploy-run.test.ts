import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { projectRoot } from './helpers.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';

const bin = `${projectRoot}dist/cli/main.js`;

/** Runs the CLI without blocking the event loop (the server is another process, but keep one style). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: projectRoot, env: { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let serve: ServeProcess;
let endpoint: { endpoint: string; instances: Array<{ InstanceId: string }> };

beforeAll(async () => {
  serve = await startServe(['--clock', 'fast', '--instance', 'i-0123456789abcdef0:Role=web', '--instance', 'auto']);
  endpoint = serve;
});

afterAll(() => {
  serve.child.kill('SIGTERM');
});

describe('serve, deploy and run', () => {
  test('should print the endpoint and the instances it created', () => {
    expect(endpoint.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint.instances.map((i) => i.InstanceId)[0]).toBe('i-0123456789abcdef0');
    expect(endpoint.instances[1]!.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
  });

  test('should deploy both templates to the local endpoint and run the sample with the live view', async () => {
    const runbooks = await cli(['deploy', '--template', 'cloudformation/ssm-automation-documents.cfn.json', '--stack-name', 'shellstep-runbooks', '--endpoint-url', endpoint.endpoint]);
    expect(runbooks.status, runbooks.stderr).toBe(0);
    expect(JSON.parse(runbooks.stdout)).toMatchObject({ StackStatus: 'CREATE_COMPLETE', Outputs: { ByInstanceIdsDocumentName: 'SfnRunCommandByInstanceIds' } });
    expect(runbooks.stderr).toMatch(/CREATE_COMPLETE\s+AWS::SSM::Document\s+SfnRunCommandByInstanceIds/);

    const sample = await cli(['deploy', '--template', 'cloudformation/sample-state-machine.cfn.json', '--stack-name', 'sample', '--parameter', 'InstanceId=i-0123456789abcdef0', '--parameter', 'SleepSeconds=0', '--endpoint-url', endpoint.endpoint]);
    expect(sample.status, sample.stderr).toBe(0);
    const arn = JSON.parse(sample.stdout).Outputs.JsonPathStateMachineArn as string;

    const again = await cli(['deploy', '--template', 'cloudformation/sample-state-machine.cfn.json', '--stack-name', 'sample', '--parameter', 'InstanceId=i-0123456789abcdef0', '--parameter', 'SleepSeconds=0', '--endpoint-url', endpoint.endpoint]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('No changes to deploy. Stack sample is up to date.');
    expect(JSON.parse(again.stdout).StackStatus).toBe('CREATE_COMPLETE');

    const run = await cli(['run', '--state-machine', arn, '--endpoint-url', endpoint.endpoint]);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).status).toBe('SUCCEEDED');
    expect(run.stderr).toContain('▶ RunShellCommand (Task)');
    expect(run.stderr).toContain('i-0123456789abcdef0: Success (exit 0)');
  }, 60_000);

  test('should show a change set without executing it (--no-execute), then execute a fresh one', async () => {
    const args = ['deploy', '--template', 'cloudformation/sample-state-machine.cfn.json', '--stack-name', 'review', '--parameter', 'InstanceId=i-0123456789abcdef0', '--endpoint-url', endpoint.endpoint];
    expect((await cli(args)).status).toBe(0);
    const shown = await cli([...args.filter((a) => a !== 'InstanceId=i-0123456789abcdef0' && a !== '--parameter'), '--parameter', 'SleepSeconds=3', '--no-execute', '--change-set-name', 'fewer-seconds']);
    expect(shown.status, shown.stderr).toBe(0);
    const out = JSON.parse(shown.stdout);
    expect(out).toMatchObject({ StackName: 'review', ChangeSetName: 'fewer-seconds', ChangeSetType: 'UPDATE' });
    expect(out.Changes.map((c: any) => [c.ResourceChange.Action, c.ResourceChange.LogicalResourceId, c.ResourceChange.Replacement])).toEqual([
      ['Modify', 'RunShellCommandJsonPath', 'False'],
      ['Modify', 'RunShellCommandJsonata', 'False'],
    ]);
    expect(shown.stderr).toContain('Change set fewer-seconds for stack review: 0 to add, 2 to modify (0 replaced), 0 to remove');
    expect(shown.stderr).toMatch(/~ Modify RunShellCommandJsonPath\s+AWS::StepFunctions::StateMachine\s+replacement: False\n\s+DefinitionSubstitutions: parameter SleepSeconds\n/);
    expect(shown.stderr).toContain(`aws --endpoint-url ${endpoint.endpoint} cloudformation execute-change-set --change-set-name ${out.ChangeSetId}`);
    // Nothing ran: the stack is as the first deploy left it, and the same change applied for real updates it.
    const applied = await cli([...args.filter((a) => a !== 'InstanceId=i-0123456789abcdef0' && a !== '--parameter'), '--parameter', 'SleepSeconds=3']);
    expect(applied.status, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout).StackStatus).toBe('UPDATE_COMPLETE');
    expect(applied.stderr).toMatch(/UPDATE_COMPLETE\s+AWS::StepFunctions::StateMachine\s+RunShellCommandJsonPath/);
  }, 60_000);

  test('should fail a deploy whose parameters the template refuses, with exit 1', async () => {
    const bad = await cli(['deploy', '--template', 'cloudformation/sample-state-machine.cfn.json', '--stack-name', 'bad', '--parameter', 'InstanceId=not-an-instance', '--endpoint-url', endpoint.endpoint]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("Parameter 'InstanceId' must match pattern");
  });

  test('should run commands on the endpoint\'s instances through the runbook path', async () => {
    const out = await cli(['run-command', '--instance', 'i-0123456789abcdef0', '--endpoint-url', endpoint.endpoint, '--', 'echo', 'hi', '&&', 'exit 4']);
    expect(out.status).toBe(2);
    const report = JSON.parse(out.stdout);
    expect(report.error).toBe('RunCommand.Failed');
    expect(report.nodes).toEqual([
      { InstanceId: 'i-0123456789abcdef0', Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 4, StandardOutputContent: 'hi\n', StandardErrorContent: '' },
    ]);
  }, 60_000);
});
