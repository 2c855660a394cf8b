import { describe, expect, test } from 'vitest';
import { SSM_OPERATIONS, ssmHandlers } from '../../src/engine/ssm-service.js';
import { ssmRig } from '../helpers/ssm.js';

describe('SsmService', () => {
  test('should describe instances with ping status and tag filters', async () => {
    const { ssm, instances } = ssmRig();
    const web = instances.add({ tags: { role: 'web' } });
    const db = instances.add({ tags: { role: 'db' } });
    instances.goOffline(db.instanceId);
    const all = await ssm.DescribeInstanceInformation();
    expect(all.InstanceInformationList.map((i) => [i.InstanceId, i.PingStatus])).toEqual([[web.instanceId, 'Online'], [db.instanceId, 'ConnectionLost']]);
    const online = await ssm.DescribeInstanceInformation({ Filters: [{ Key: 'PingStatus', Values: ['Online'] }] });
    expect(online.InstanceInformationList.map((i) => i.InstanceId)).toEqual([web.instanceId]);
    const tagged = await ssm.DescribeInstanceInformation({ Filters: [{ Key: 'tag:role', Values: ['db'] }] });
    expect(tagged.InstanceInformationList.map((i) => i.InstanceId)).toEqual([db.instanceId]);
    await expect(ssm.DescribeInstanceInformation({ Filters: [{ Key: 'Bogus', Values: ['x'] }] })).rejects.toMatchObject({ name: 'InvalidFilterKey' });
  });

  test('should page results with NextToken', async () => {
    const { ssm, instances } = ssmRig();
    for (let i = 0; i < 3; i++) instances.add();
    const first = await ssm.DescribeInstanceInformation({ MaxResults: 2 });
    expect(first.InstanceInformationList).toHaveLength(2);
    const second = await ssm.DescribeInstanceInformation({ MaxResults: 2, NextToken: first.NextToken! });
    expect(second.InstanceInformationList).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    await expect(ssm.DescribeInstanceInformation({ NextToken: 'garbage' })).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  test('should expose every operation in the dispatch table', async () => {
    const { ssm, instances } = ssmRig();
    const handlers = ssmHandlers(ssm);
    expect(Object.keys(handlers).sort()).toEqual([...SSM_OPERATIONS].sort());
    const node = instances.add();
    const sent = (await handlers['SendCommand']!({ DocumentName: 'AWS-RunShellScript', InstanceIds: [node.instanceId], Parameters: { commands: ['true'] } }, {})) as { Command: { CommandId: string } };
    expect(sent.Command.CommandId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(handlers['GetCommandInvocation']!({ CommandId: sent.Command.CommandId, InstanceId: 'i-00000000000000000' }, {})).rejects.toMatchObject({ name: 'InvocationDoesNotExist' });
  });
});
