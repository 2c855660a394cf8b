import { afterEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { LocalEngine } from '../../../src/engine/local-engine.js';

const root = new URL('../../../', import.meta.url).pathname;
const runbooksTemplate = readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8');

let engine: LocalEngine;
afterEach(async () => {
  await engine?.close();
});

describe('ListStackResources, DescribeStackResource, DescribeStackResources', () => {
  test('should report each resource with its latest status, sorted by logical id, as the API shapes them', async () => {
    engine = new LocalEngine({ clock: 'fast' });
    const cfn = engine.cloudformation;
    await engine.deploy(runbooksTemplate, { stackName: 'rb' });
    const stackId = (await cfn.DescribeStacks({ StackName: 'rb' })).Stacks[0]!['StackId'];
    const { StackResourceSummaries } = await cfn.ListStackResources({ StackName: 'rb' });
    expect(StackResourceSummaries.map((r) => r['LogicalResourceId'])).toEqual(['SSMSyncRole', 'SfnRunCommandByInstanceIds', 'SfnRunCommandByTargets']);
    expect(StackResourceSummaries[1]).toEqual({
      LogicalResourceId: 'SfnRunCommandByInstanceIds',
      PhysicalResourceId: 'SfnRunCommandByInstanceIds',
      ResourceType: 'AWS::SSM::Document',
      LastUpdatedTimestamp: expect.any(Date),
      ResourceStatus: 'CREATE_COMPLETE',
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
    expect((await cfn.DescribeStackResource({ StackName: 'rb', LogicalResourceId: 'SSMSyncRole' })).StackResourceDetail).toEqual({
      StackName: 'rb',
      StackId: stackId,
      LogicalResourceId: 'SSMSyncRole',
      PhysicalResourceId: cfn.physicalId('rb', 'SSMSyncRole'),
      ResourceType: 'AWS::IAM::Role',
      LastUpdatedTimestamp: expect.any(Date),
      ResourceStatus: 'CREATE_COMPLETE',
      Metadata: '{}',
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
    const byPhysical = await cfn.DescribeStackResources({ PhysicalResourceId: 'SfnRunCommandByTargets' });
    expect(byPhysical.StackResources.map((r) => [r['StackName'], r['LogicalResourceId'], r['ResourceStatus']])).toEqual([
      ['rb', 'SSMSyncRole', 'CREATE_COMPLETE'],
      ['rb', 'SfnRunCommandByInstanceIds', 'CREATE_COMPLETE'],
      ['rb', 'SfnRunCommandByTargets', 'CREATE_COMPLETE'],
    ]);
    expect((await cfn.DescribeStackResources({ StackName: 'rb', LogicalResourceId: 'SSMSyncRole' })).StackResources).toEqual([
      expect.objectContaining({ StackId: stackId, LogicalResourceId: 'SSMSyncRole', Timestamp: expect.any(Date), DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' } }),
    ]);

    // A deleted stack's resources stay readable by its id, DELETE_COMPLETE.
    await cfn.DeleteStack({ StackName: 'rb' });
    await cfn.waitForStack('rb');
    await expect(cfn.ListStackResources({ StackName: 'rb' })).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack with id rb does not exist' });
    const deleted = await cfn.ListStackResources({ StackName: String(stackId) });
    expect(deleted.StackResourceSummaries.map((r) => r['ResourceStatus'])).toEqual(['DELETE_COMPLETE', 'DELETE_COMPLETE', 'DELETE_COMPLETE']);
  });

  test('should answer with the AWS errors for unknown stacks, resources and requests', async () => {
    engine = new LocalEngine({ clock: 'fast' });
    const cfn = engine.cloudformation;
    await engine.deploy(runbooksTemplate, { stackName: 'rb' });
    await expect(cfn.DescribeStackResource({ StackName: 'not-a-valid-stack', LogicalResourceId: 'X' })).rejects.toThrow("Stack 'not-a-valid-stack' does not exist");
    await expect(cfn.DescribeStackResource({ StackName: 'rb', LogicalResourceId: 'Nope' })).rejects.toThrow('Resource Nope does not exist for stack rb');
    await expect(cfn.DescribeStackResources({})).rejects.toThrow('Either StackName or PhysicalResourceId must be specified.');
    await expect(cfn.DescribeStackResources({ StackName: 'rb', PhysicalResourceId: 'x' })).rejects.toThrow('Cannot specify both StackName and PhysicalResourceId');
    await expect(cfn.DescribeStackResources({ PhysicalResourceId: 'unknown' })).rejects.toThrow('Stack for unknown does not exist');
    await expect(cfn.ListStackResources({ StackName: 'rb', NextToken: 'bogus' })).rejects.toThrow('Invalid NextToken');
    await expect(cfn.ListStackResources({ StackName: '1bad' })).rejects.toThrow("Value '1bad' at 'stackName' failed to satisfy constraint");
  });
});
