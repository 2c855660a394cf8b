/** IAM under `serve`, with boto3 as a moto user drives it: roles through the IAM API, undefined roles refused, --no-iam. */
import { afterEach, describe, expect, test } from 'vitest';
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { startServe } from '../helpers/serve.js';

const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

/** The flow of a moto test: create_role, then a state machine with it, then one with a role that was never created. */
const FLOW = `
import json, sys, boto3
iam, sfn = boto3.client("iam"), boto3.client("stepfunctions")
definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
out = {}
def code(call):
    try:
        call()
        return None
    except Exception as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"]]
out["undefined"] = code(lambda: sfn.create_state_machine(name="undefined", definition=definition, roleArn="arn:aws:iam::123456789012:role/never-created"))
if sys.argv[1] == "create":
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="moto-style", AssumeRolePolicyDocument=json.dumps(trust), Path="/test/")["Role"]
    out["role"] = {"Arn": role["Arn"], "Path": role["Path"], "trust": role["AssumeRolePolicyDocument"]}
    out["machine"] = sfn.create_state_machine(name="with-role", definition=definition, roleArn=role["Arn"])["stateMachineArn"]
    out["listed"] = [r["RoleName"] for r in iam.list_roles(PathPrefix="/test/")["Roles"]]
    out["duplicate"] = code(lambda: iam.create_role(RoleName="moto-style", AssumeRolePolicyDocument=json.dumps(trust)))
    out["missing"] = code(lambda: iam.get_role(RoleName="nobody"))
    out["defined"] = sfn.create_state_machine(name="with-defined", definition=definition, roleArn="arn:aws:iam::123456789012:role/from-flag")["stateMachineArn"]
print(json.dumps(out))
`;

function boto3(endpoint: string, mode: 'create' | 'plain'): Promise<any> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint };
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', FLOW, mode], { env, encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => (error === null ? resolve(JSON.parse(stdout)) : reject(new Error(stderr))));
  });
}

describe('serve and IAM roles (boto3)', () => {
  test.skipIf(!hasBoto3)('should refuse an undefined role, and accept roles made by iam.create_role and --role', async () => {
    const server = await startServe(['--role', 'arn:aws:iam::123456789012:role/from-flag']);
    started.push(server.child);
    const out = await boto3(server.endpoint, 'create');
    expect(out.undefined).toEqual(['AccessDeniedException', 'Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.']);
    // botocore decodes the URL-encoded policy document into a dict, as it does for AWS.
    expect(out.role).toEqual({
      Arn: 'arn:aws:iam::123456789012:role/test/moto-style',
      Path: '/test/',
      trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    expect(out.machine).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:with-role');
    expect(out.listed).toEqual(['moto-style']);
    expect(out.duplicate).toEqual(['EntityAlreadyExists', 'Role with name moto-style already exists.']);
    expect(out.missing).toEqual(['NoSuchEntity', 'The role with name nobody cannot be found.']);
    expect(out.defined).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:with-defined');
  }, 60_000);

  test.skipIf(!hasBoto3)('should accept any role with --no-iam', async () => {
    const server = await startServe(['--no-iam']);
    started.push(server.child);
    expect((await boto3(server.endpoint, 'plain')).undefined).toBeNull();
  }, 60_000);
});
