/** The real `aws cloudformation deploy` (AWS CLI, change sets and waiters) against `shellstep serve`. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { projectRoot } from './helpers.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

let serve: ServeProcess;

beforeAll(async () => {
  if (hasAwsCli) serve = await startServe(['--clock', 'fast', '--instance', 'i-0123456789abcdef0']);
});

afterAll(() => {
  serve?.child.kill('SIGTERM');
});

function aws(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
  return new Promise((resolve) => {
    execFile('aws', ['--endpoint-url', serve.endpoint, ...args], { cwd: projectRoot, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

async function json(args: string[]): Promise<any> {
  const out = await aws([...args, '--output', 'json']);
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout);
}

describe.skipIf(!hasAwsCli)('aws cloudformation deploy against serve', () => {
  test('should deploy the runbooks template, then the sample with parameter overrides through a reviewed change set', async () => {
    const runbooks = await aws(['cloudformation', 'deploy', '--template-file', 'cloudformation/ssm-automation-documents.cfn.json', '--stack-name', 'shellstep-runbooks', '--capabilities', 'CAPABILITY_IAM']);
    expect(runbooks.status, runbooks.stderr).toBe(0);
    expect(runbooks.stdout).toContain('Successfully created/updated stack - shellstep-runbooks');
    const stack = (await json(['cloudformation', 'describe-stacks', '--stack-name', 'shellstep-runbooks'])).Stacks[0];
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.ChangeSetId).toMatch(/:changeSet\/awscli-cloudformation-package-deploy-\d+\//);
    expect(stack.Outputs.find((o: any) => o.OutputKey === 'ByInstanceIdsDocumentName').OutputValue).toBe('SfnRunCommandByInstanceIds');

    const reviewed = await aws([
      'cloudformation',
      'deploy',
      '--template-file',
      'cloudformation/sample-state-machine.cfn.json',
      '--stack-name',
      'sample',
      '--capabilities',
      'CAPABILITY_IAM',
      '--parameter-overrides',
      'InstanceId=i-0123456789abcdef0',
      'SleepSeconds=0',
      '--no-execute-changeset',
    ]);
    expect(reviewed.status, reviewed.stderr).toBe(0);
    const changeSetId = /describe-change-set --change-set-name (\S+)/.exec(reviewed.stdout)?.[1];
    expect(changeSetId, reviewed.stdout).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:changeSet\//);
    expect((await json(['cloudformation', 'describe-stacks', '--stack-name', 'sample'])).Stacks[0].StackStatus).toBe('REVIEW_IN_PROGRESS');
    const changeSet = await json(['cloudformation', 'describe-change-set', '--change-set-name', changeSetId!]);
    expect(changeSet).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', StackName: 'sample' });
    expect(changeSet.Parameters).toContainEqual({ ParameterKey: 'SleepSeconds', ParameterValue: '0' });
    expect(changeSet.Changes.map((c: any) => `${c.ResourceChange.Action} ${c.ResourceChange.LogicalResourceId}`)).toEqual([
      'Add RunShellCommandJsonPath',
      'Add RunShellCommandJsonata',
      'Add StateMachineRole',
    ]);

    const executed = await aws(['cloudformation', 'execute-change-set', '--change-set-name', changeSetId!]);
    expect(executed.status, executed.stderr).toBe(0);
    const waited = await aws(['cloudformation', 'wait', 'stack-create-complete', '--stack-name', 'sample']);
    expect(waited.status, waited.stderr).toBe(0);
    const resources = await json(['cloudformation', 'list-stack-resources', '--stack-name', 'sample']);
    expect(resources.StackResourceSummaries.map((r: any) => [r.LogicalResourceId, r.ResourceStatus])).toEqual([
      ['RunShellCommandJsonPath', 'CREATE_COMPLETE'],
      ['RunShellCommandJsonata', 'CREATE_COMPLETE'],
      ['StateMachineRole', 'CREATE_COMPLETE'],
    ]);
    // GetTemplate through botocore, which decodes a JSON template body into an object.
    const template = await json(['cloudformation', 'get-template', '--stack-name', 'sample']);
    expect(template.TemplateBody.Resources.RunShellCommandJsonPath.Type).toBe('AWS::StepFunctions::StateMachine');
  }, 120_000);

  test('should say "No changes to deploy" for a second deploy that changes nothing: exit 255, or 0 with --no-fail-on-empty-changeset', async () => {
    const args = ['cloudformation', 'deploy', '--template-file', 'cloudformation/ssm-automation-documents.cfn.json', '--stack-name', 'again', '--capabilities', 'CAPABILITY_IAM', '--parameter-overrides', 'DocumentNamePrefix=Again'];
    // The AWS CLI names its change sets awscli-cloudformation-package-deploy-<epoch second>: two deploys in one second
    // reuse the name with another Description, which AWS refuses (AlreadyExistsException), as the endpoint does.
    // So each deploy here starts in a second after the one the previous deploy ended in (a wait of at most 1 s): its
    // name, taken while it runs, is then later than the previous one's.
    let lastEnded = 0;
    const inOwnSecond = async (deployArgs: string[]) => {
      while (Math.floor(Date.now() / 1000) <= lastEnded) await new Promise((resolve) => setTimeout(resolve, 20));
      const ran = await aws(deployArgs);
      lastEnded = Math.floor(Date.now() / 1000);
      return ran;
    };
    expect((await inOwnSecond(args)).status).toBe(0);
    const strict = await inOwnSecond(args);
    expect(strict.status).toBe(255);
    expect(strict.stderr).toContain('No changes to deploy. Stack again is up to date');
    const lenient = await inOwnSecond([...args, '--no-fail-on-empty-changeset']);
    expect(lenient.status, lenient.stderr).toBe(0);
    expect(lenient.stdout).toContain('No changes to deploy. Stack again is up to date');
    // The failed, empty change sets stay listed, as on AWS.
    const listed = await json(['cloudformation', 'list-change-sets', '--stack-name', 'again']);
    expect(listed.Summaries.map((s: any) => [s.Status, s.ExecutionStatus])).toEqual([
      ['CREATE_COMPLETE', 'EXECUTE_COMPLETE'],
      ['FAILED', 'UNAVAILABLE'],
      ['FAILED', 'UNAVAILABLE'],
    ]);
  }, 120_000);

  test('should validate a template and summarise it as the AWS CLI prints them', async () => {
    const validated = await json(['cloudformation', 'validate-template', '--template-body', 'file://cloudformation/sample-state-machine.cfn.json']);
    expect(validated.Capabilities).toEqual(['CAPABILITY_IAM']);
    expect(validated.Parameters.map((p: any) => p.ParameterKey)).toEqual(['InstanceId', 'RunbooksStackName', 'SleepSeconds']);
    const bad = await aws(['cloudformation', 'validate-template', '--template-body', '{"Resources": {}}']);
    expect(bad.status).toBe(255);
    expect(bad.stderr).toContain('An error occurred (ValidationError) when calling the ValidateTemplate operation: Template format error');
  }, 60_000);
});
