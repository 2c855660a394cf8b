/**
 * `serve` as standard tools see it: the AWS CLI and boto3 in several regions and partitions, `--account-id` and
 * `--region`, `aws sts get-caller-identity` from the user and from a local command, and a pytest suite in moto's
 * server-mode style that resets the endpoint between tests.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellstep, projectRoot } from './helpers.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasPytest = spawnSync('python3', ['-m', 'pytest', '--version'], { stdio: 'ignore' }).status === 0;
const ACCOUNT = '210987654321';
const RUNBOOKS = 'runbooks';

let server: ServeProcess;
let credentialsFile: string;

beforeAll(async () => {
  credentialsFile = join(mkdtempSync(join(tmpdir(), 'shellstep-creds-')), 'credentials');
  writeFileSync(credentialsFile, '[ci]\naws_access_key_id = AKIASHELLSTEPCI00001\naws_secret_access_key = ci-secret\n');
  server = await startServe(['--account-id', ACCOUNT, '--region', 'eu-west-1', '--instance', 'auto', '--template', RUNBOOKS]);
});
afterAll(() => {
  server.child.kill('SIGTERM');
});

/** Runs a client without blocking this process's event loop. */
function exec(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const base = { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', PYTHONDONTWRITEBYTECODE: '1' };
    execFile(file, args, { env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000, cwd: projectRoot }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

async function aws(endpoint: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<any> {
  const out = await exec('aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], env);
  if (out.status !== 0) throw new Error(`aws ${args.join(' ')}: ${out.stderr}`);
  return out.stdout.trim() === '' ? undefined : JSON.parse(out.stdout);
}

describe('serve with --account-id and --region, for the AWS CLI and boto3', () => {
  test.skipIf(!hasAwsCli)('should answer aws sts get-caller-identity with the account, in the partition of the region', async () => {
    expect(await aws(server.endpoint, ['sts', 'get-caller-identity'])).toEqual({
      UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:user/shellstep-local-user`,
    });
    const cn = await aws(server.endpoint, ['--region', 'cn-north-1', 'sts', 'get-caller-identity']);
    expect(cn.Arn).toBe(`arn:aws-cn:iam::${ACCOUNT}:user/shellstep-local-user`);
  }, 60_000);

  test.skipIf(!hasAwsCli)('should give clients in eu-west-1 and cn-north-1 ARNs in their region, partition and account', async () => {
    const pass = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}';
    // As on AWS, the role must exist and trust Step Functions; IAM roles live in the partition of the region.
    const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
    const role = await aws(server.endpoint, ['--region', 'eu-west-1', 'iam', 'create-role', '--role-name', 'x', '--assume-role-policy-document', trust]);
    expect(role.Role.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/x`);
    const eu = await aws(server.endpoint, ['--region', 'eu-west-1', 'stepfunctions', 'create-state-machine', '--name', 'm', '--definition', pass, '--role-arn', `arn:aws:iam::${ACCOUNT}:role/x`]);
    expect(eu.stateMachineArn).toBe(`arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:m`);
    const script = [
      'import boto3, json, sys',
      `iam = boto3.client("iam", region_name="cn-north-1", endpoint_url=sys.argv[1])`,
      `iam.create_role(RoleName="x", AssumeRolePolicyDocument='${trust}')`,
      `sfn = boto3.client("stepfunctions", region_name="cn-north-1", endpoint_url=sys.argv[1])`,
      `arn = sfn.create_state_machine(name="m", definition='${pass}', roleArn="arn:aws-cn:iam::${ACCOUNT}:role/x")["stateMachineArn"]`,
      'run = sfn.start_execution(stateMachineArn=arn)["executionArn"]',
      'print(json.dumps([arn, run]))',
    ].join('\n');
    const out = await exec('python3', ['-c', script, server.endpoint]);
    expect(out.status, out.stderr).toBe(0);
    const [arn, run] = JSON.parse(out.stdout) as [string, string];
    expect(arn).toBe(`arn:aws-cn:states:cn-north-1:${ACCOUNT}:stateMachine:m`);
    expect(run).toMatch(new RegExp(`^arn:aws-cn:states:cn-north-1:${ACCOUNT}:execution:m:`));
  }, 60_000);

  test.skipIf(!hasAwsCli)('should deploy the startup template in the default region, with roles in the account', async () => {
    const stacks = (await aws(server.endpoint, ['--region', 'eu-west-1', 'cloudformation', 'describe-stacks'])).Stacks;
    expect(stacks.map((s: any) => s.StackId)).toEqual([expect.stringMatching(new RegExp(`^arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/shellstep-runbooks/`))]);
    const role = stacks[0].Outputs.find((o: any) => o.OutputKey === 'RunbookRoleArn').OutputValue;
    expect(role).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:role/shellstep-runbooks-SSMSyncRole-`));
    expect((await aws(server.endpoint, ['--region', 'us-east-1', 'cloudformation', 'describe-stacks'])).Stacks).toEqual([]);
  }, 60_000);

  test('should let shellstep run-command --endpoint-url create its state machine in the account and region serve has', () => {
    // No --role-arn and no --region: the CLI takes both from the endpoint (its engine's shellstep-local role, its
    // default region, where the runbooks are), so IAM finds the role and the runbook exists.
    const instanceId = server.instances[0]!.InstanceId;
    const out = shellstep(['run-command', '--endpoint-url', server.endpoint, '--instance', instanceId, '--', 'echo', 'from-eu'], {
      env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
    });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('from-eu');
  }, 60_000);

  test.skipIf(!hasAwsCli)("should show a local command its instance role in aws sts get-caller-identity", async () => {
    const instanceId = server.instances[0]!.InstanceId;
    const sent = await aws(server.endpoint, ['--region', 'eu-west-1', 'ssm', 'send-command', '--instance-ids', instanceId, '--document-name', 'AWS-RunShellScript', '--parameters', 'commands=["aws sts get-caller-identity --output json","echo region=$AWS_REGION"]']);
    let invocation: any;
    for (let i = 0; i < 300; i++) {
      invocation = await aws(server.endpoint, ['--region', 'eu-west-1', 'ssm', 'get-command-invocation', '--command-id', sent.Command.CommandId, '--instance-id', instanceId]);
      if (!['Pending', 'InProgress', 'Delayed'].includes(invocation.Status)) break;
    }
    expect(invocation.Status, invocation.StandardErrorContent).toBe('Success');
    const [identity, region] = invocation.StandardOutputContent.split('}\n');
    expect(JSON.parse(`${identity}}`)).toEqual({
      UserId: expect.stringMatching(new RegExp(`^AROA[A-Z2-7]{17}:${instanceId}$`)),
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/shellstep-local-instance/${instanceId}`,
    });
    expect(region).toBe('region=eu-west-1\n');
  }, 90_000);

  test.skipIf(!hasAwsCli)('should name a --credentials user in get-caller-identity when signatures are verified', async () => {
    const verified = await startServe([], { ...process.env, SHELLSTEP_CREDENTIALS: credentialsFile });
    try {
      const identity = await aws(verified.endpoint, ['sts', 'get-caller-identity'], { AWS_ACCESS_KEY_ID: 'AKIASHELLSTEPCI00001', AWS_SECRET_ACCESS_KEY: 'ci-secret' });
      expect(identity.Arn).toBe('arn:aws:iam::123456789012:user/ci');
      const refused = await exec('aws', ['--endpoint-url', verified.endpoint, 'sts', 'get-caller-identity'], { AWS_ACCESS_KEY_ID: 'AKIASHELLSTEPCI00001', AWS_SECRET_ACCESS_KEY: 'wrong' });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('SignatureDoesNotMatch');
    } finally {
      verified.child.kill('SIGTERM');
    }
  }, 60_000);

  test('should refuse a --region or --account-id that is none', () => {
    const region = shellstep(['serve', '--port', '0', '--region', 'moon-1']);
    expect(region.status).toBe(1);
    expect(region.stderr).toContain("expected a region name such as us-east-1, eu-west-1 or cn-north-1, got 'moon-1'");
    const account = shellstep(['serve', '--port', '0', '--account-id', '1234']);
    expect(account.status).toBe(1);
    expect(account.stderr).toContain("expected 12 digits, got '1234'");
  });
});

describe("a pytest suite in moto's server-mode style", () => {
  const suite = 'test/fixtures/clients/moto_style';

  test.skipIf(!hasPytest)('should pass against serve with /moto-api/reset between tests, and fail without the resets', async () => {
    const moto = await startServe(['--instance', 'auto', '--template', RUNBOOKS]);
    try {
      const env = { SHELLSTEP_ENDPOINT: moto.endpoint, SHELLSTEP_INSTANCE: moto.instances[0]!.InstanceId };
      const run = await exec('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', suite], env);
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/\b8 passed\b/);
      // The same suite without resets: tests that create what another test created fail.
      const unreset = await exec('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', suite], { ...env, SHELLSTEP_SKIP_RESET: '1' });
      expect(unreset.status).toBe(1);
      expect(unreset.stdout).toMatch(/StateMachineAlreadyExists|DocumentAlreadyExists/);
    } finally {
      moto.child.kill('SIGTERM');
    }
  }, 120_000);
});
