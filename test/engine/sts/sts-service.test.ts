import { describe, expect, test } from 'vitest';
import { assumedRolePrincipal } from '../../../src/engine/iam/credential-registry.js';
import { LOCAL_USER_NAME, StsService, uniqueId } from '../../../src/engine/sts/sts-service.js';

const sts = new StsService({ accountId: '210987654321' });

describe('STS GetCallerIdentity', () => {
  test('should name a role session as STS does: AROA id and session, assumed-role ARN, the role account', () => {
    const principal = assumedRolePrincipal('arn:aws:iam::210987654321:role/path/web', 'i-0123456789abcdef0');
    const identity = sts.GetCallerIdentity({ principal, partition: 'aws' });
    expect(identity.Arn).toBe('arn:aws:sts::210987654321:assumed-role/web/i-0123456789abcdef0');
    expect(identity.Account).toBe('210987654321');
    expect(identity.UserId).toMatch(/^AROA[A-Z2-7]{17}:i-0123456789abcdef0$/);
    // One role keeps one unique id, whatever the session.
    const other = sts.GetCallerIdentity({ principal: assumedRolePrincipal('arn:aws:iam::210987654321:role/path/web', 'other'), partition: 'aws' });
    expect(other.UserId.split(':')[0]).toBe(identity.UserId.split(':')[0]);
  });

  test('should name a registered user with its ARN and an AIDA id', () => {
    const identity = sts.GetCallerIdentity({ principal: { arn: 'arn:aws:iam::210987654321:user/alice', accountId: '210987654321' }, partition: 'aws' });
    expect(identity).toEqual({ UserId: uniqueId('AIDA', 'arn:aws:iam::210987654321:user/alice'), Account: '210987654321', Arn: 'arn:aws:iam::210987654321:user/alice' });
    expect(identity.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });

  test('should stand an unknown key for the local user, in the partition of the signed region', () => {
    expect(sts.GetCallerIdentity({ partition: 'aws' }).Arn).toBe(`arn:aws:iam::210987654321:user/${LOCAL_USER_NAME}`);
    expect(sts.GetCallerIdentity({ partition: 'aws-cn' }).Arn).toBe(`arn:aws-cn:iam::210987654321:user/${LOCAL_USER_NAME}`);
    expect(sts.GetCallerIdentity({ partition: 'aws-us-gov' }).Account).toBe('210987654321');
  });
});
