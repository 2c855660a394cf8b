import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { decodeQuery, queryService } from '../../src/server/query-protocol.js';
import { startEndpoint, type LocalEndpoint } from '../../src/server/server.js';
import { ServiceError } from '../../src/errors/service-error.js';

describe('decodeQuery', () => {
  test('should turn member lists and nested members into arrays of objects', () => {
    const params = new URLSearchParams(
      'Action=CreateStack&Version=2010-05-15&StackName=s&Capabilities.member.1=CAPABILITY_IAM&Parameters.member.1.ParameterKey=A&Parameters.member.1.ParameterValue=1&Parameters.member.2.ParameterKey=B&Parameters.member.2.UsePreviousValue=true',
    );
    expect(decodeQuery(params)).toEqual({
      StackName: 's',
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [
        { ParameterKey: 'A', ParameterValue: '1' },
        { ParameterKey: 'B', UsePreviousValue: 'true' },
      ],
    });
  });
});

describe('query protocol through the endpoint', () => {
  let endpoint: LocalEndpoint;
  let client: CloudFormationClient;
  const received: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    endpoint = await startEndpoint({
      services: [],
      query: queryService({
        CreateStack: async (input) => {
          received.push(input);
          return { StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1' };
        },
        DescribeStacks: async () => ({
          Stacks: [
            {
              StackId: 'id',
              StackName: 's',
              CreationTime: new Date(Date.UTC(2026, 0, 1)),
              StackStatus: 'CREATE_COMPLETE',
              Outputs: [{ OutputKey: 'K', OutputValue: 'a<b&c', ExportName: 'E' }],
            },
          ],
        }),
        DescribeStackEvents: async () => {
          throw new ServiceError('ValidationError', 'Stack [missing] does not exist');
        },
      }),
    });
    client = new CloudFormationClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  });

  afterAll(async () => {
    client.destroy();
    await endpoint.close();
  });

  test('should accept an SDK CreateStack and return its StackId', async () => {
    const out = await client.send(new CreateStackCommand({ StackName: 's', TemplateBody: '{}', Capabilities: ['CAPABILITY_IAM'], Parameters: [{ ParameterKey: 'A', ParameterValue: 'x' }] }));
    expect(out.StackId).toBe('arn:aws:cloudformation:us-east-1:123456789012:stack/s/1');
    expect(received[0]).toMatchObject({ StackName: 's', TemplateBody: '{}', Capabilities: ['CAPABILITY_IAM'], Parameters: [{ ParameterKey: 'A', ParameterValue: 'x' }] });
  });

  test('should serialize lists, dates and escaped text so the SDK reads them back', async () => {
    const out = await client.send(new DescribeStacksCommand({ StackName: 's' }));
    expect(out.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    expect(out.Stacks?.[0]?.CreationTime?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(out.Stacks?.[0]?.Outputs).toEqual([{ OutputKey: 'K', OutputValue: 'a<b&c', ExportName: 'E' }]);
  });

  test('should return errors the SDK raises with their code and message', async () => {
    const error = await client.send(new DescribeStackEventsCommand({ StackName: 'missing' })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ValidationError');
    expect((error as Error).message).toBe('Stack [missing] does not exist');
  });
});
