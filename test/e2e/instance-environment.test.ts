/**
 * Local instances behave like EC2 instances with an instance profile (issue 13 §3): a command sees none of the
 * user's AWS variables, and while `serve` runs, `aws …` inside a command reaches the local engine with keys that
 * stand for the instance's role, checked against that role's policies. The user's environment here is full of fake
 * secrets and real-looking pointers (profiles, files, web identity, container credentials, endpoints).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { startServe } from '../helpers/serve.js';

const home = mkdtempSync(join(tmpdir(), 'shellstep-user-'));
writeFileSync(join(home, 'credentials'), '[default]\naws_access_key_id = AKIAUSERFILEKEY00000\naws_secret_access_key = user-file-secret-value\n');
writeFileSync(join(home, 'config'), '[profile real-account]\ncredential_process = echo user-credential-process\n');
writeFileSync(join(home, 'web-identity-token'), 'user-web-identity-token');

/** The user's shell: secrets, and every other way an SDK finds the real account. */
const USER_AWS_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'AKIAUSERENVKEY000000',
  AWS_SECRET_ACCESS_KEY: 'user-env-secret-value',
  AWS_SESSION_TOKEN: 'user-session-token-value',
  AWS_SECURITY_TOKEN: 'user-security-token-value',
  AWS_PROFILE: 'real-account',
  AWS_DEFAULT_PROFILE: 'real-account',
  AWS_CONFIG_FILE: join(home, 'config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  AWS_WEB_IDENTITY_TOKEN_FILE: join(home, 'web-identity-token'),
  AWS_ROLE_ARN: 'arn:aws:iam::999999999999:role/user-real-role',
  AWS_ROLE_SESSION_NAME: 'user-session',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/user-creds',
  AWS_CONTAINER_AUTHORIZATION_TOKEN: 'user-container-token',
  AWS_ENDPOINT_URL: 'https://real-endpoint.example',
  AWS_ENDPOINT_URL_SSM: 'https://ssm.real-endpoint.example',
  AWS_REGION: 'eu-central-1',
  AWS_DEFAULT_REGION: 'eu-central-1',
  AWS_CA_BUNDLE: join(home, 'ca.pem'),
  BOTO_CONFIG: join(home, 'boto'),
  CDK_DEFAULT_ACCOUNT: '999999999999',
};
const USER_VALUES = Object.values(USER_AWS_ENV);

const templateDir = mkdtempSync(join(tmpdir(), 'shellstep-roles-'));
/** A least-privilege instance profile role: it may only describe instances. */
const READONLY_TEMPLATE = join(templateDir, 'instance-roles.json');
writeFileSync(
  READONLY_TEMPLATE,
  JSON.stringify({
    Resources: {
      ReadOnly: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'instance-readonly',
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          Policies: [{ PolicyName: 'describe', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:DescribeInstanceInformation', Resource: '*' }] } }],
        },
      },
    },
  }),
);

let server: ChildProcess;
let endpoint: string;
let defaultNode: string;
let readonlyNode: string;
let ssm: SSMClient;
let sfn: SFNClient;

beforeAll(async () => {
  const started = await startServe(
    ['--instance', 'auto:Role=app', '--instance', 'auto:Role=ro;role=instance-readonly', '--template', READONLY_TEMPLATE, '--role', 'arn:aws:iam::123456789012:role/sfn-test'],
    { ...process.env, ...USER_AWS_ENV },
  );
  server = started.child;
  endpoint = started.endpoint;
  [defaultNode, readonlyNode] = started.instances.map((i) => i.InstanceId) as [string, string];
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  ssm = new SSMClient(config);
  sfn = new SFNClient(config);
}, 30_000);

afterAll(() => {
  ssm?.destroy();
  sfn?.destroy();
  server?.kill('SIGTERM');
});

async function run(instanceId: string, commands: string[]): Promise<{ status: string; stdout: string; stderr: string }> {
  const { Command } = await ssm.send(new SendCommandCommand({ InstanceIds: [instanceId], DocumentName: 'AWS-RunShellScript', Parameters: { commands } }));
  for (let i = 0; i < 600; i++) {
    const out = await ssm.send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId!, InstanceId: instanceId })).catch(() => undefined);
    if (out !== undefined && !['Pending', 'InProgress', 'Delayed'].includes(out.Status!)) {
      return { status: out.Status!, stdout: out.StandardOutputContent ?? '', stderr: out.StandardErrorContent ?? '' };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the command did not finish');
}

describe("a local instance's command environment under serve", () => {
  test("should show none of the user's AWS variables, and the endpoint, region and role keys of the instance instead", async () => {
    const { stdout } = await run(defaultNode, ['env']);
    for (const value of USER_VALUES) expect(stdout).not.toContain(value);
    const env = Object.fromEntries(stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env['AWS_ENDPOINT_URL']).toBe(endpoint);
    expect(env['AWS_REGION']).toBe('us-east-1');
    expect(env['AWS_DEFAULT_REGION']).toBe('us-east-1');
    expect(env['AWS_EC2_METADATA_DISABLED']).toBe('true');
    expect(env['AWS_ACCESS_KEY_ID']).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(env['AWS_SESSION_TOKEN']).toBeDefined();
    expect(env['AWS_SHARED_CREDENTIALS_FILE']).toMatch(new RegExp(`/${defaultNode}/\\.aws/credentials$`));
    expect(env['AWS_CONFIG_FILE']).toMatch(new RegExp(`/${defaultNode}/\\.aws/config$`));
    for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_ENDPOINT_URL_SSM', 'AWS_CA_BUNDLE', 'BOTO_CONFIG', 'CDK_DEFAULT_ACCOUNT']) {
      expect([name, env[name]]).toEqual([name, undefined]);
    }
    // The node's own ~/.aws files hold its role keys, never the user's.
    const files = await run(defaultNode, ['cat "$AWS_CONFIG_FILE" "$AWS_SHARED_CREDENTIALS_FILE"']);
    expect(files.stdout).toContain(`endpoint_url = ${endpoint}`);
    expect(files.stdout).toContain(`aws_access_key_id = ${env['AWS_ACCESS_KEY_ID']}`);
    for (const value of USER_VALUES) expect(files.stdout).not.toContain(value);
  });

  test('should reach the local engine with `aws ssm describe-instance-information` from inside a command', async () => {
    const out = await run(defaultNode, ['aws ssm describe-instance-information --query "InstanceInformationList[].InstanceId" --output text']);
    expect(out.stderr).toBe('');
    expect(out.status).toBe('Success');
    expect(out.stdout.trim().split(/\s+/).sort()).toEqual([defaultNode, readonlyNode].sort());
  });

  test('should complete a waiting Task with `aws stepfunctions send-task-success` from inside the command it ran', async () => {
    const definition = {
      StartAt: 'RunOnInstance',
      States: {
        RunOnInstance: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ssm:sendCommand.waitForTaskToken',
          Parameters: {
            DocumentName: 'AWS-RunShellScript',
            InstanceIds: [defaultNode],
            Parameters: {
              // Inside intrinsic strings only ' { } \ may be escaped (AWS refuses \"), so the JSON is built by printf.
              'commands.$': String.raw`States.Array(States.Format('TOKEN={}', $$.Task.Token), 'OUT=$(printf \'\{"from": "%s"\}\' "$AWS_SSM_INSTANCE_ID")', 'aws stepfunctions send-task-success --task-token "$TOKEN" --task-output "$OUT"')`,
            },
          },
          TimeoutSeconds: 60,
          End: true,
        },
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'callback-from-instance', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/sfn-test' }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    let done;
    for (let i = 0; i < 600; i++) {
      done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (done.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(done?.status).toBe('SUCCEEDED');
    expect(JSON.parse(done!.output!)).toEqual({ from: defaultNode });
  });

  test("should check a command's calls against its instance role's policies", async () => {
    const allowed = await run(readonlyNode, ['aws ssm describe-instance-information --query "length(InstanceInformationList)"']);
    expect(allowed.stdout.trim()).toBe('2');
    const denied = await run(readonlyNode, ['aws stepfunctions list-state-machines']);
    expect(denied.status).toBe('Failed');
    expect(denied.stderr).toContain(
      `An error occurred (AccessDeniedException) when calling the ListStateMachines operation: User: arn:aws:sts::123456789012:assumed-role/instance-readonly/${readonlyNode} is not authorized to perform: states:ListStateMachines`,
    );
  });
});

describe('a local instance without an endpoint (library mode)', () => {
  /** Runs `commands` on a new node of `engine`; the spawner helper it starts inherits the user's variables set here. */
  async function runLocally(engine: LocalEngine, commands: string[]) {
    const node = engine.instances.add();
    const { Command } = await engine.ssm.SendCommand({ InstanceIds: [node.instanceId], DocumentName: 'AWS-RunShellScript', Parameters: { commands } });
    for (let i = 0; i < 600; i++) {
      const invocation = await engine.ssm.GetCommandInvocation({ CommandId: Command.CommandId, InstanceId: node.instanceId });
      if (!['Pending', 'InProgress', 'Delayed'].includes(invocation.Status)) return invocation;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the command did not finish');
  }

  test('should pass the user\'s environment through only when asked (inheritAwsEnvironment)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, USER_AWS_ENV);
    const engine = new LocalEngine({ clock: 'fast', inheritAwsEnvironment: true });
    try {
      const invocation = await runLocally(engine, ['env']);
      expect(invocation.StandardOutputContent).toContain(`AWS_SECRET_ACCESS_KEY=${USER_AWS_ENV['AWS_SECRET_ACCESS_KEY']}`);
      expect(invocation.StandardOutputContent).toContain(`AWS_PROFILE=real-account`);
      expect(invocation.StandardOutputContent).not.toContain('AWS_EC2_METADATA_DISABLED');
    } finally {
      await engine.close();
      process.env = saved;
    }
  });

  test('should give commands no AWS variable of the user and none that points at AWS', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, USER_AWS_ENV);
    const engine = new LocalEngine({ clock: 'fast' });
    try {
      const invocation = await runLocally(engine, ['env', 'aws sts get-caller-identity']);
      const stdout = invocation.StandardOutputContent;
      for (const value of USER_VALUES) expect(stdout).not.toContain(value);
      expect(stdout).not.toMatch(/^AWS_(ENDPOINT_URL|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)=/m);
      expect(stdout).toMatch(/^AWS_EC2_METADATA_DISABLED=true$/m);
      // With nothing to sign with, the AWS CLI stops before it sends anything anywhere.
      expect(invocation.StandardErrorContent).toContain('Unable to locate credentials');
    } finally {
      await engine.close();
      process.env = saved;
    }
  });
});
