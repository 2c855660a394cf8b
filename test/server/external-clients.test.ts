import { describe, expect, test } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { useLocalEndpoint } from '../helpers/local-endpoint.js';

const root = new URL('../../', import.meta.url).pathname;
const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

const local = useLocalEndpoint();

/** Any credentials work: the endpoint does not check signatures. */
function env(): NodeJS.ProcessEnv {
  return { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: local.endpoint.url, AWS_PAGER: '' };
}

/** Runs a client without blocking this process's event loop, which serves the endpoint. */
function exec(file: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env(), encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

async function aws(args: string[]): Promise<{ status: number; json: any; stderr: string }> {
  const out = await exec('aws', ['--endpoint-url', local.endpoint.url, '--output', 'json', ...args]);
  return { status: out.status, json: out.stdout.trim() === '' ? undefined : JSON.parse(out.stdout), stderr: out.stderr };
}

describe('external clients against the local endpoint', () => {
  test.skipIf(!hasAwsCli)('should run the core flow with the AWS CLI', async () => {
    const created = await aws(['ssm', 'create-document', '--name', 'CliRunCommand', '--document-type', 'Automation', '--document-format', 'JSON', '--content', `file://${root}runbooks/SfnRunCommandByInstanceIds.json`]);
    expect(created.status, created.stderr).toBe(0);
    const definition = JSON.stringify({
      StartAt: 'Run',
      States: {
        Run: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
          Parameters: { DocumentName: 'CliRunCommand', Parameters: { InstanceIds: [local.instanceId], 'taskToken.$': 'States.Array($$.Task.Token)', Commands: ['echo from-cli'] } },
          TimeoutSeconds: 600,
          End: true,
        },
      },
    });
    // The role comes from IAM first, as on AWS or moto; a role nobody created is refused.
    const refused = await aws(['stepfunctions', 'create-state-machine', '--name', 'cli', '--definition', definition, '--role-arn', 'arn:aws:iam::123456789012:role/cli-role']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      'An error occurred (AccessDeniedException) when calling the CreateStateMachine operation: Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.',
    );
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const role = await aws(['iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', JSON.stringify(trust)]);
    expect(role.status, role.stderr).toBe(0);
    expect(role.json.Role.Arn).toBe('arn:aws:iam::123456789012:role/cli-role');
    const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] };
    const policy = await aws(['iam', 'put-role-policy', '--role-name', 'cli-role', '--policy-name', 'run', '--policy-document', JSON.stringify(allow)]);
    expect(policy.status, policy.stderr).toBe(0);
    const machine = await aws(['stepfunctions', 'create-state-machine', '--name', 'cli', '--definition', definition, '--role-arn', role.json.Role.Arn]);
    expect(machine.status, machine.stderr).toBe(0);
    const started = await aws(['stepfunctions', 'start-execution', '--state-machine-arn', machine.json.stateMachineArn]);
    let described = await aws(['stepfunctions', 'describe-execution', '--execution-arn', started.json.executionArn]);
    for (let i = 0; i < 20 && described.json.status === 'RUNNING'; i++) described = await aws(['stepfunctions', 'describe-execution', '--execution-arn', started.json.executionArn]);
    expect(described.json.status).toBe('SUCCEEDED');
    const commandId = JSON.parse(described.json.output).CommandId;
    const invocation = await aws(['ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', local.instanceId]);
    expect(invocation.json.StandardOutputContent).toBe('from-cli\n');
    const missing = await aws(['ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', 'i-00000000000000000']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('InvocationDoesNotExist');
  }, 60_000);

  test.skipIf(!hasBoto3)('should run the core flow with boto3 (AWS_ENDPOINT_URL)', async () => {
    const out = await exec('python3', [`${root}test/fixtures/clients/boto3_flow.py`, local.instanceId, `${root}runbooks/SfnRunCommandByInstanceIds.json`, `${root}state-machines/run-shell-command.asl.json`]);
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ status: 'SUCCEEDED', stdout: 'from-boto3\n', errorCode: 'InvocationDoesNotExist', refused: 'AccessDeniedException' });
  }, 60_000);
});
