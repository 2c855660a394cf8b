/**
 * StartSyncExecution's `sync-` host prefix (the SDKs prepend it to the endpoint's host, and `sync-127.0.0.1` does
 * not resolve): each client reaches the local endpoint with its documented setting (docs/feature-support.md).
 */
import { execFile, spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { CreateStateMachineCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { useLocalEndpoint } from '../helpers/local-endpoint.js';

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;
const local = useLocalEndpoint();
const DEFINITION = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'echo.$': '$.x' }, End: true } } });

function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

function clientEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: local.endpoint.url, AWS_PAGER: '', ...extra };
}

async function expressMachine(name: string): Promise<string> {
  const sfn = new SFNClient({ endpoint: local.endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const roleArn = local.engine.roles.define('arn:aws:iam::123456789012:role/r').arn;
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name, definition: DEFINITION, roleArn, type: 'EXPRESS' }));
  sfn.destroy();
  return stateMachineArn!;
}

describe('StartSyncExecution from each client', () => {
  test('SDK v3 should reach it with disableHostPrefix', async () => {
    const stateMachineArn = await expressMachine('sync-sdk');
    const sfn = new SFNClient({ endpoint: local.endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, disableHostPrefix: true });
    expect(await sfn.send(new StartSyncExecutionCommand({ stateMachineArn, input: '{"x":1}' }))).toMatchObject({ status: 'SUCCEEDED', output: '{"echo":1}' });
    sfn.destroy();
  });

  test.skipIf(!hasAwsCli)('the AWS CLI should reach it with AWS_DISABLE_HOST_PREFIX_INJECTION=true', async () => {
    const stateMachineArn = await expressMachine('sync-cli');
    const out = await exec('aws', ['stepfunctions', 'start-sync-execution', '--state-machine-arn', stateMachineArn, '--input', '{"x":2}', '--output', 'json'], clientEnv({ AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' }));
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'SUCCEEDED', output: '{"echo":2}' });
  }, 60_000);

  test.skipIf(!hasBoto3)('boto3 should reach it with AWS_DISABLE_HOST_PREFIX_INJECTION=true', async () => {
    const stateMachineArn = await expressMachine('sync-boto3');
    const script = "import boto3,json,sys;r=boto3.client('stepfunctions').start_sync_execution(stateMachineArn=sys.argv[1],input='{\"x\":3}');print(json.dumps({'status':r['status'],'output':r['output']}))";
    const out = await exec('python3', ['-c', script, stateMachineArn], clientEnv({ AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' }));
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ status: 'SUCCEEDED', output: '{"echo":3}' });
  }, 60_000);
});
