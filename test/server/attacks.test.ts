/**
 * The two requests of issue 13 that a web page could send to `serve`: a cross-site form POST that rewrites the
 * documented `shellstep-runbooks` stack with an extra command, and a DNS-rebinding `SendCommand` with a foreign Host.
 * Both are refused, nothing runs and no stack changes; the same requests sent as a real client sends them (signed,
 * from loopback) do run, which shows that the checks below would see an attack that got through.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../src/server/server.js';
import type { JsonObject } from '../../src/model/json.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { sigv4FormHeaders } from '../helpers/sigv4.js';

const RUNBOOKS = readFileSync(join(REPO_ROOT, 'cloudformation/ssm-automation-documents.cfn.json'), 'utf8');

/** The runbooks template with `touch <marker>` as the command of every RunShellScript step: the attacker's UpdateStack. */
function evilTemplate(marker: string): string {
  const template = JSON.parse(RUNBOOKS) as { Resources: Record<string, { Type: string; Properties: { Content: { mainSteps: JsonObject[] } } }> };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::SSM::Document') continue;
    for (const step of resource.Properties.Content.mainSteps) {
      const inputs = step['inputs'] as { Parameters?: { commands?: unknown } } | undefined;
      if (step['action'] === 'aws:runCommand' && inputs?.Parameters?.commands !== undefined) inputs.Parameters.commands = [`touch ${marker}`];
    }
  }
  return JSON.stringify(template);
}

function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, method: 'POST', path: '/', headers, setHost: headers['host'] === undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

let engine: LocalEngine;
let endpoint: LocalEndpoint;
let instanceId: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shellstep-attacks-'));
  engine = new LocalEngine({ clock: 'fast' });
  instanceId = engine.instances.add().instanceId;
  await engine.deploy(RUNBOOKS, { stackName: 'shellstep-runbooks' });
  endpoint = await startLocalEndpoint(engine);
});

afterAll(async () => {
  await endpoint.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The user's next ordinary run of the runbook; resolves once its command has finished. */
async function ordinaryExecution(): Promise<void> {
  const { AutomationExecutionId } = await engine.ssm.StartAutomationExecution({
    DocumentName: 'SfnRunCommandByInstanceIds',
    Parameters: { InstanceIds: [instanceId], Commands: ['echo ordinary'], taskToken: ['token-of-an-ordinary-run'] },
  });
  await until(async () => {
    const { AutomationExecution } = await engine.ssm.GetAutomationExecution({ AutomationExecutionId });
    return ['InProgress', 'Pending', 'Waiting'].includes(AutomationExecution.AutomationExecutionStatus) ? undefined : AutomationExecution;
  });
}

async function stackState() {
  const stack = (await engine.cloudformation.DescribeStacks({ StackName: 'shellstep-runbooks' })).Stacks[0] as JsonObject;
  const document = await engine.ssm.GetDocument({ Name: 'SfnRunCommandByInstanceIds' });
  return { status: stack['StackStatus'], updated: stack['LastUpdatedTime'], content: document.Content };
}

describe('the attacks of issue 13', () => {
  test('should refuse the cross-origin form POST that UpdateStacks shellstep-runbooks, so that nothing runs and the stack is unchanged', async () => {
    const marker = join(dir, 'pwned-by-update-stack');
    const form = new URLSearchParams({ Action: 'UpdateStack', StackName: 'shellstep-runbooks', 'Capabilities.member.1': 'CAPABILITY_IAM', TemplateBody: evilTemplate(marker) }).toString();
    const before = await stackState();

    // What the browser sends for a page's <form method=post> (curl -H 'Origin: https://evil.example' in the issue).
    const fromPage = await post(endpoint.url, { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, form);
    expect(fromPage.status).toBe(403);
    expect(fromPage.body).toContain("<Code>AccessDenied</Code><Message>Origin 'https://evil.example' is not allowed");
    // The same form without an Origin (a client that is not a browser): refused for having no Authorization.
    const unsigned = await post(endpoint.url, { 'content-type': 'application/x-www-form-urlencoded' }, form);
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain('<Code>MissingAuthenticationToken</Code>');

    expect(await stackState()).toEqual(before);
    expect(before.content).not.toContain('touch');
    await ordinaryExecution();
    expect(existsSync(marker)).toBe(false);

    // Control: the same update from a real client goes through, and then the ordinary run does create the marker.
    const cfn = new CloudFormationClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await cfn.send(new UpdateStackCommand({ StackName: 'shellstep-runbooks', Capabilities: ['CAPABILITY_IAM'], TemplateBody: evilTemplate(marker) }));
    cfn.destroy();
    await until(async () => ((await stackState()).status === 'UPDATE_COMPLETE' ? true : undefined));
    await ordinaryExecution();
    expect(existsSync(marker)).toBe(true);
  });

  test('should refuse SendCommand with a foreign Host (DNS rebinding), so that nothing runs', async () => {
    const marker = join(dir, 'pwned-by-send-command');
    const body = JSON.stringify({ InstanceIds: [instanceId], DocumentName: 'AWS-RunShellScript', Parameters: { commands: [`touch ${marker}`] } });
    // curl -d sends the form content type; the X-Amz-Target header makes it a JSON-protocol call.
    const headers = { host: 'attacker.example', 'x-amz-target': 'AmazonSSM.SendCommand', 'content-type': 'application/x-www-form-urlencoded' };
    const rebound = await post(endpoint.url, headers, body);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ __type: 'AccessDeniedException' });
    // Even signed (a page cannot sign, but the Host check does not depend on it).
    expect((await post(endpoint.url, { ...headers, ...sigv4FormHeaders() }, body)).status).toBe(403);

    const commands = (await engine.ssm.ListCommands()).Commands;
    expect(commands.filter((c) => JSON.stringify(c.Parameters).includes(marker))).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(marker)).toBe(false);

    // Control: from loopback with a SigV4 Authorization, as the AWS CLI sends it, the command runs.
    const local = await post(endpoint.url, { 'x-amz-target': 'AmazonSSM.SendCommand', 'content-type': 'application/x-amz-json-1.1', ...sigv4FormHeaders() }, body);
    expect(local.status).toBe(200);
    await until(async () => (existsSync(marker) ? true : undefined));
  });
});
