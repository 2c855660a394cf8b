/**
 * TestState and StartSyncExecution with real clients. Their API model puts `sync-` in front of the endpoint's host,
 * which cannot be done to `127.0.0.1`: the clients must be told not to (docs/testing.md, "The sync- host prefix").
 * AWS CLI and boto3: `AWS_DISABLE_HOST_PREFIX_INJECTION=true` or `Config(inject_host_prefix=False)`; SDK v3:
 * `disableHostPrefix: true` (the conformance runner). Where `*.localhost` resolves to loopback, an endpoint named
 * `http://<name>.localhost:<port>` needs no setting: its prefixed name is loopback too.
 */
import { execFile, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { describe, expect, test } from 'vitest';
import { useLocalEndpoint } from '../helpers/local-endpoint.js';

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

const local = useLocalEndpoint();

function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const base = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1' };
    execFile(file, args, { env: { ...process.env, ...base, ...env }, encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const definition = JSON.stringify({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { 'FunctionName.$': '$.fn' },
  ResultSelector: { 'status.$': '$.StatusCode' },
  Next: 'Done',
});

describe('TestState with the AWS CLI and boto3', () => {
  test.skipIf(!hasAwsCli)('should answer `aws stepfunctions test-state` with AWS_DISABLE_HOST_PREFIX_INJECTION=true', async () => {
    const out = await exec(
      'aws',
      ['--endpoint-url', local.endpoint.url, '--output', 'json', 'stepfunctions', 'test-state', '--definition', definition, '--input', '{"fn":"f"}', '--inspection-level', 'DEBUG', '--mock', JSON.stringify({ result: '{"StatusCode":200}' })],
      { AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' },
    );
    expect(out.status, out.stderr).toBe(0);
    const response = JSON.parse(out.stdout);
    expect(response).toMatchObject({ status: 'SUCCEEDED', output: '{"status":200}', nextState: 'Done' });
    expect(JSON.parse(response.inspectionData.afterParameters)).toEqual({ FunctionName: 'f' });
  }, 60_000);

  test.skipIf(!hasBoto3)("should answer boto3's test_state with Config(inject_host_prefix=False), and refuse a bad mock as AWS does", async () => {
    const script = `
import json, sys, boto3
from botocore.config import Config
sfn = boto3.client('stepfunctions', endpoint_url=sys.argv[1], config=Config(inject_host_prefix=False))
ok = sfn.test_state(definition=sys.argv[2], input='{"fn":"f"}', mock={'errorOutput': {'error': 'Lambda.TooManyRequestsException', 'cause': 'busy'}})
try:
    sfn.test_state(definition=sys.argv[2], mock={'result': '{"StatusCode": "200"}'})
    refused = None
except sfn.exceptions.ValidationException as error:
    refused = error.response['Error']['Message']
print(json.dumps({'status': ok['status'], 'error': ok['error'], 'refused': refused}))
`;
    const out = await exec('python3', ['-c', script, local.endpoint.url, definition], {});
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      status: 'FAILED',
      error: 'Lambda.TooManyRequestsException',
      refused: "Mock result schema validation error: Field 'StatusCode' must be a number",
    });
  }, 60_000);

  test('should serve a request whose Host is a sync- prefixed *.localhost name', async () => {
    const body = JSON.stringify({ definition: JSON.stringify({ Type: 'Pass', End: true }), input: '{"a":1}' });
    const { port } = local.endpoint;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/', headers: {
          host: `sync-shellstep.localhost:${port}`,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AWSStepFunctions.TestState',
          // The endpoint wants a SigV4 Authorization; it verifies signatures only with --credentials.
          'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
          authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/states/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        },
      },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: 'SUCCEEDED', output: '{"a":1}' });
  });
});
