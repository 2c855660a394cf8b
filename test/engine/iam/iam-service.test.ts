import { describe, expect, test } from 'vitest';
import { VirtualClock } from '../../../src/engine/clock.js';
import { IamService } from '../../../src/engine/iam/iam-service.js';
import { RoleRegistry } from '../../../src/engine/iam/roles.js';
import { randomIds } from '../../../src/engine/ids.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const ALLOW = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] });

function service(roles = new RoleRegistry(), partition = 'aws'): IamService {
  return new IamService({ roles, clock: new VirtualClock({ start: Date.parse('2026-01-02T03:04:05Z') }), ids: randomIds, accountId: '123456789012', partition });
}

describe('IamService roles', () => {
  test('should create a role with IAM members and put it in the registry the services check', async () => {
    const roles = new RoleRegistry();
    const iam = service(roles);
    const { Role } = await iam.CreateRole({ RoleName: 'sfn-role', Path: '/app/', AssumeRolePolicyDocument: TRUST, Description: 'for tests', Tags: [{ Key: 'team', Value: 'a' }] });
    expect(Role).toMatchObject({
      Path: '/app/',
      RoleName: 'sfn-role',
      Arn: 'arn:aws:iam::123456789012:role/app/sfn-role',
      CreateDate: new Date('2026-01-02T03:04:05Z'),
      Description: 'for tests',
      MaxSessionDuration: 3600,
      Tags: [{ Key: 'team', Value: 'a' }],
    });
    expect(Role['RoleId']).toMatch(/^AROA[0-9A-F]{17}$/);
    // IAM returns policy documents URL-encoded.
    expect(JSON.parse(decodeURIComponent(String(Role['AssumeRolePolicyDocument'])))).toEqual(JSON.parse(TRUST));
    expect(roles.get('arn:aws:iam::123456789012:role/app/sfn-role')?.trustPolicy).toEqual(JSON.parse(TRUST));
    expect((await iam.GetRole({ RoleName: 'sfn-role' })).Role).toEqual(Role);
  });

  test('should keep each partition its own IAM: the same name in aws and aws-cn, each listing only its own', async () => {
    const roles = new RoleRegistry();
    const [global, china] = [service(roles), service(roles, 'aws-cn')];
    await global.CreateRole({ RoleName: 'x', AssumeRolePolicyDocument: TRUST });
    await expect(china.GetRole({ RoleName: 'x' })).rejects.toMatchObject({ name: 'NoSuchEntity' });
    expect((await china.CreateRole({ RoleName: 'x', AssumeRolePolicyDocument: TRUST })).Role['Arn']).toBe('arn:aws-cn:iam::123456789012:role/x');
    await expect(global.CreateRole({ RoleName: 'X', AssumeRolePolicyDocument: TRUST })).rejects.toMatchObject({ name: 'EntityAlreadyExists' });
    expect((await global.ListRoles({})).Roles.map((r) => r['Arn'])).toEqual(['arn:aws:iam::123456789012:role/x']);
    expect((await china.ListRoles({})).Roles.map((r) => r['Arn'])).toEqual(['arn:aws-cn:iam::123456789012:role/x']);
  });

  test('should show the same role id from every service over one registry (one account, engines per region)', async () => {
    const roles = new RoleRegistry();
    await service(roles).CreateRole({ RoleName: 'shared', AssumeRolePolicyDocument: TRUST });
    roles.define('arn:aws:iam::123456789012:role/defined');
    const [a, b] = [service(roles), service(roles)];
    for (const name of ['shared', 'defined']) expect((await a.GetRole({ RoleName: name })).Role['RoleId']).toBe((await b.GetRole({ RoleName: name })).Role['RoleId']);
  });

  test('should refuse a second role of the same name in any case, with EntityAlreadyExists 409', async () => {
    const iam = service();
    await iam.CreateRole({ RoleName: 'Dup', AssumeRolePolicyDocument: TRUST });
    await expect(iam.CreateRole({ RoleName: 'dup', AssumeRolePolicyDocument: TRUST })).rejects.toMatchObject({
      name: 'EntityAlreadyExists',
      message: 'Role with name dup already exists.',
      httpStatusCode: 409,
    });
  });

  test.each([
    [{ AssumeRolePolicyDocument: TRUST }, 'ValidationError', "Value null at 'roleName'"],
    [{ RoleName: 'a b', AssumeRolePolicyDocument: TRUST }, 'ValidationError', "Value 'a b' at 'roleName' failed to satisfy constraint"],
    [{ RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: TRUST }, 'ValidationError', "at 'roleName'"],
    [{ RoleName: 'r' }, 'ValidationError', "Value null at 'assumeRolePolicyDocument'"],
    [{ RoleName: 'r', AssumeRolePolicyDocument: '{not json' }, 'MalformedPolicyDocument', 'This policy contains invalid Json'],
    [{ RoleName: 'r', AssumeRolePolicyDocument: '{}' }, 'MalformedPolicyDocument', 'Syntax errors in policy.'],
    [{ RoleName: 'r', AssumeRolePolicyDocument: ' '.repeat(131_073) }, 'ValidationError', 'Member must have length less than or equal to 131072'],
    [{ RoleName: 'r', AssumeRolePolicyDocument: TRUST, Path: 'no-slash' }, 'ValidationError', "at 'path'"],
    [{ RoleName: 'r', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: '60' }, 'ValidationError', 'Member must have value between 3600 and 43200'],
    [{ RoleName: 'r', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: 'arn:aws:iam::123456789012:policy/none' }, 'NoSuchEntity', 'Scope ARN: arn:aws:iam::123456789012:policy/none does not exist or is not attachable.'],
  ])('should refuse CreateRole %j with %s', async (input, code, message) => {
    const roles = new RoleRegistry();
    await expect(service(roles).CreateRole(input)).rejects.toMatchObject({ name: code, message: expect.stringContaining(message) });
    expect(roles.byName('r')).toBeUndefined();
  });

  test('should evaluate a permissions boundary that a template defined', async () => {
    const roles = new RoleRegistry();
    const boundary = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:Get*', Resource: '*' }] };
    roles.putManagedPolicy('arn:aws:iam::123456789012:policy/boundary', boundary);
    const iam = service(roles);
    const { Role } = await iam.CreateRole({ RoleName: 'bounded', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary' });
    expect(Role['PermissionsBoundary']).toEqual({ PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary' });
    await iam.PutRolePolicy({ RoleName: 'bounded', PolicyName: 'all-ssm', PolicyDocument: ALLOW });
    const arn = String(Role['Arn']);
    expect(() => roles.authorize(arn, { action: 'ssm:GetDocument', resources: ['*'] })).not.toThrow();
    expect(() => roles.authorize(arn, { action: 'ssm:SendCommand', resources: ['*'] })).toThrow(/is not authorized to perform: ssm:SendCommand/);
  });

  test('should list roles by path prefix in pages with a marker', async () => {
    const roles = new RoleRegistry();
    const iam = service(roles);
    for (let i = 0; i < 5; i++) await iam.CreateRole({ RoleName: `r${i}`, Path: i < 3 ? '/a/' : '/b/', AssumeRolePolicyDocument: TRUST });
    expect((await iam.ListRoles({ PathPrefix: '/b/' })).Roles.map((r) => r['RoleName'])).toEqual(['r3', 'r4']);
    const first = await iam.ListRoles({ PathPrefix: '/a/', MaxItems: '2' });
    expect(first).toMatchObject({ IsTruncated: true });
    expect(first.Roles.map((r) => r['RoleName'])).toEqual(['r0', 'r1']);
    const second = await iam.ListRoles({ PathPrefix: '/a/', MaxItems: '2', Marker: first.Marker });
    expect(second.Roles.map((r) => r['RoleName'])).toEqual(['r2']);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();
    await expect(iam.ListRoles({ MaxItems: '0' })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(iam.ListRoles({ Marker: '!!' })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('should keep inline policies, evaluate them, and refuse to delete a role that still has them', async () => {
    const roles = new RoleRegistry();
    const iam = service(roles);
    const arn = String((await iam.CreateRole({ RoleName: 'worker', AssumeRolePolicyDocument: TRUST })).Role['Arn']);
    expect(() => roles.authorize(arn, { action: 'ssm:SendCommand', resources: ['*'] })).toThrow(/because no identity-based policy allows the ssm:SendCommand action/);
    await iam.PutRolePolicy({ RoleName: 'worker', PolicyName: 'ssm', PolicyDocument: ALLOW });
    expect(() => roles.authorize(arn, { action: 'ssm:SendCommand', resources: ['*'] })).not.toThrow();
    expect(await iam.ListRolePolicies({ RoleName: 'worker' })).toEqual({ PolicyNames: ['ssm'], IsTruncated: false });
    expect(JSON.parse(decodeURIComponent((await iam.GetRolePolicy({ RoleName: 'worker', PolicyName: 'ssm' })).PolicyDocument))).toEqual(JSON.parse(ALLOW));
    await expect(iam.DeleteRole({ RoleName: 'worker' })).rejects.toMatchObject({ name: 'DeleteConflict', httpStatusCode: 409 });
    await iam.DeleteRolePolicy({ RoleName: 'worker', PolicyName: 'ssm' });
    await expect(iam.DeleteRolePolicy({ RoleName: 'worker', PolicyName: 'ssm' })).rejects.toMatchObject({
      name: 'NoSuchEntity',
      message: 'The role policy with name ssm cannot be found.',
      httpStatusCode: 404,
    });
    await iam.DeleteRole({ RoleName: 'worker' });
    expect(roles.get(arn)).toBeUndefined();
    await expect(iam.GetRole({ RoleName: 'worker' })).rejects.toMatchObject({ name: 'NoSuchEntity', message: 'The role with name worker cannot be found.', httpStatusCode: 404 });
  });
});
