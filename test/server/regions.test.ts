import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CreateStateMachineCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateDocumentCommand, DescribeDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { RegionalEngines } from '../../src/engine/regions/regional-engines.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../src/server/server.js';

const ACCOUNT = '210987654321';
const PASS = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}';
let engines: RegionalEngines;
let endpoint: LocalEndpoint;

beforeAll(async () => {
  engines = await RegionalEngines.start({ accountId: ACCOUNT, create: (scope) => new LocalEngine({ ...scope, clock: 'fast' }) });
  endpoint = await startLocalEndpoint(engines);
});
afterAll(async () => {
  await endpoint.close();
  await engines.close();
});

const config = (region: string) => ({ endpoint: endpoint.url, region, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'any' } });

async function raw(region: string, target: string, body: string): Promise<{ status: number; body: string }> {
  const auth = `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/${region}/states/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
  const res = await fetch(endpoint.url, {
    method: 'POST',
    headers: { authorization: auth, 'x-amz-date': '20260101T000000Z', 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' },
    body,
  });
  return { status: res.status, body: await res.text() };
}

describe('regions from the SigV4 credential scope', () => {
  test('should keep resources per region and give ARNs the region and partition clients sign for', async () => {
    for (const [region, partition] of [['eu-west-1', 'aws'], ['cn-north-1', 'aws-cn'], ['us-gov-west-1', 'aws-us-gov']] as const) {
      const sfn = new SFNClient(config(region));
      // IAM is global to the account: the role defined through one engine is every region's.
      const roleArn = engines.default.roles.define(`arn:${partition}:iam::${ACCOUNT}:role/any`).arn;
      const made = await sfn.send(new CreateStateMachineCommand({ name: 'same-name', definition: PASS, roleArn }));
      expect(made.stateMachineArn).toBe(`arn:${partition}:states:${region}:${ACCOUNT}:stateMachine:same-name`);
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: made.stateMachineArn }));
      expect(started.executionArn).toMatch(new RegExp(`^arn:${partition}:states:${region}:${ACCOUNT}:execution:same-name:`));
      const listed = await sfn.send(new ListStateMachinesCommand({}));
      expect(listed.stateMachines?.map((m) => m.stateMachineArn)).toEqual([made.stateMachineArn]);
    }
    // The default region never saw them.
    expect((await new SFNClient(config('us-east-1')).send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
  });

  test('should deploy a stack in cn-north-1 with that region, partition and account in its pseudo parameters', async () => {
    const cfn = new CloudFormationClient(config('cn-north-1'));
    const template = JSON.stringify({
      Resources: { Doc: { Type: 'AWS::SSM::Document', Properties: { DocumentType: 'Command', Content: { schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['true'] } }] } } } },
      Outputs: { Where: { Value: { 'Fn::Sub': '${AWS::Partition} ${AWS::Region} ${AWS::AccountId} ${AWS::URLSuffix}' } } },
    });
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName: 'where', TemplateBody: template }));
    expect(StackId).toMatch(new RegExp(`^arn:aws-cn:cloudformation:cn-north-1:${ACCOUNT}:stack/where/`));
    let stack;
    for (let i = 0; i < 100; i++) {
      stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'where' }))).Stacks?.[0];
      if (!String(stack?.StackStatus).endsWith('IN_PROGRESS')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack?.Outputs?.[0]?.OutputValue).toBe(`aws-cn cn-north-1 ${ACCOUNT} amazonaws.com.cn`);
  });

  test('should keep SSM documents per region', async () => {
    const content = JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['true'] } }] });
    await new SSMClient(config('eu-west-1')).send(new CreateDocumentCommand({ Name: 'OnlyInIreland', Content: content, DocumentType: 'Command' }));
    const seen = await new SSMClient(config('eu-west-1')).send(new DescribeDocumentCommand({ Name: 'OnlyInIreland' }));
    expect(seen.Document?.Owner).toBe(ACCOUNT);
    await expect(new SSMClient(config('eu-central-1')).send(new DescribeDocumentCommand({ Name: 'OnlyInIreland' }))).rejects.toMatchObject({ name: 'InvalidDocument' });
  });

  test('should refuse a credential scoped to no region as AWS does, and keep serving', async () => {
    for (const region of ['bogus', 'US-EAST-1', 'aws-global', '%00']) {
      const out = await raw(region, 'AWSStepFunctions.ListStateMachines', '{}');
      expect(out.status, region).toBe(400);
      expect(JSON.parse(out.body)).toEqual({ __type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region, not '${region}'. ` });
    }
    expect(engines.list().map((e) => e.region)).not.toContain('bogus');
    expect((await raw('eu-west-1', 'AWSStepFunctions.ListStateMachines', '{}')).status).toBe(200);
  });
});
