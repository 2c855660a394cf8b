import { describe, expect, test } from 'vitest';
import {
  cachedWildcardCount,
  evaluate,
  MAX_CACHED_WILDCARDS,
  trusts,
  UnsupportedPolicyError,
  type PolicyDocument,
} from '../../../src/engine/iam/policy-evaluation.js';

const allow = (Action: unknown, Resource: unknown, Condition?: unknown): PolicyDocument =>
  ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource, ...(Condition === undefined ? {} : { Condition }) }] }) as PolicyDocument;

const doc = 'arn:aws:ssm:us-east-1::document/AWS-RunShellScript';
const instance = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0';

describe('IAM policy evaluation', () => {
  test('should allow an action whose every resource is allowed', () => {
    const policy = allow('ssm:SendCommand', [doc, 'arn:aws:ec2:us-east-1:123456789012:instance/*']);
    expect(evaluate({ action: 'ssm:SendCommand', resources: [doc, instance] }, [policy])).toEqual({ decision: 'Allow' });
  });

  test('should implicitly deny, naming the resource, when one resource is not allowed', () => {
    const policy = allow('ssm:SendCommand', [doc]);
    expect(evaluate({ action: 'ssm:SendCommand', resources: [doc, instance] }, [policy])).toEqual({ decision: 'ImplicitDeny', deniedResource: instance });
  });

  test('should match actions case-insensitively and resources case-sensitively, with wildcards', () => {
    expect(evaluate({ action: 'SSM:sendcommand', resources: [doc] }, [allow('ssm:Send*', 'arn:aws:ssm:*::document/AWS-Run?hellScript')]).decision).toBe('Allow');
    expect(evaluate({ action: 'ssm:SendCommand', resources: [doc] }, [allow('ssm:SendCommand', 'arn:aws:ssm:*::document/aws-runshellscript')]).decision).toBe('ImplicitDeny');
  });

  test('should let an explicit Deny win over an Allow', () => {
    const deny: PolicyDocument = { Statement: [{ Effect: 'Deny', Action: 'states:SendTaskSuccess', Resource: '*' }] };
    expect(evaluate({ action: 'states:SendTaskSuccess', resources: ['*'] }, [allow('states:*', '*'), deny]).decision).toBe('ExplicitDeny');
  });

  test('should honour NotAction and NotResource', () => {
    const policy: PolicyDocument = { Statement: [{ Effect: 'Allow', NotAction: 'iam:*', NotResource: instance }] };
    expect(evaluate({ action: 'ssm:SendCommand', resources: [doc] }, [policy]).decision).toBe('Allow');
    expect(evaluate({ action: 'iam:PassRole', resources: [doc] }, [policy]).decision).toBe('ImplicitDeny');
    expect(evaluate({ action: 'ssm:SendCommand', resources: [instance] }, [policy]).decision).toBe('ImplicitDeny');
  });

  test('should require the permissions boundary to allow too', () => {
    const boundary = allow('ssm:*', '*');
    expect(evaluate({ action: 'states:SendTaskSuccess', resources: ['*'] }, [allow('*', '*')], boundary).decision).toBe('ImplicitDeny');
    expect(evaluate({ action: 'ssm:SendCommand', resources: [doc] }, [allow('*', '*')], boundary).decision).toBe('Allow');
  });

  test('should evaluate iam:PassedToService on PassRole', () => {
    const policy = allow('iam:PassRole', 'arn:aws:iam::123456789012:role/r', { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } });
    const request = { action: 'iam:PassRole', resources: ['arn:aws:iam::123456789012:role/r'] };
    expect(evaluate({ ...request, context: { 'iam:PassedToService': 'ssm.amazonaws.com' } }, [policy]).decision).toBe('Allow');
    expect(evaluate({ ...request, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }, [policy]).decision).toBe('ImplicitDeny');
    expect(evaluate(request, [policy]).decision).toBe('ImplicitDeny');
  });

  test('should treat missing keys as AWS does for IfExists and negated operators', () => {
    const ifExists = allow('ssm:*', '*', { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } });
    const negated = allow('ssm:*', '*', { StringNotEquals: { 'aws:SourceAccount': '999999999999' } });
    expect(evaluate({ action: 'ssm:SendCommand', resources: ['*'] }, [ifExists]).decision).toBe('Allow');
    expect(evaluate({ action: 'ssm:SendCommand', resources: ['*'] }, [negated]).decision).toBe('Allow');
    expect(evaluate({ action: 'ssm:SendCommand', resources: ['*'], context: { 'aws:SourceAccount': '999999999999' } }, [negated]).decision).toBe('ImplicitDeny');
  });

  test('should reject an unsupported condition operator by name instead of guessing', () => {
    const policy = allow('ssm:*', '*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } });
    expect(() => evaluate({ action: 'ssm:SendCommand', resources: ['*'], context: { 'aws:SourceIp': '10.1.1.1' } }, [policy])).toThrow(UnsupportedPolicyError);
    expect(() => evaluate({ action: 'ssm:SendCommand', resources: ['*'], context: { 'aws:SourceIp': '10.1.1.1' } }, [policy])).toThrow("'IpAddress'");
  });
});

describe('trust policies', () => {
  const trust: PolicyDocument = {
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'ssm.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:ssm:*:123456789012:automation-execution/*' },
        },
      },
    ],
  };

  test('should let the service assume the role from its own account', () => {
    expect(trusts(trust, 'ssm.amazonaws.com', { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': 'arn:aws:ssm:us-east-1:123456789012:automation-execution/abc' })).toBe(true);
  });

  test('should refuse another service or another account', () => {
    expect(trusts(trust, 'states.amazonaws.com', { 'aws:SourceAccount': '123456789012' })).toBe(false);
    expect(trusts(trust, 'ssm.amazonaws.com', { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': 'arn:aws:ssm:us-east-1:999999999999:automation-execution/abc' })).toBe(false);
  });
});

describe('cached policy evaluation', () => {
  test('should keep the case rules of a wildcard used both as an action and as a resource pattern', () => {
    // The same text is compiled once case-insensitively (actions) and once case-sensitively (resources).
    const policy = allow('abc:Def*', 'abc:Def*');
    expect(evaluate({ action: 'ABC:defX', resources: ['abc:DefX'] }, [policy]).decision).toBe('Allow');
    expect(evaluate({ action: 'ABC:defX', resources: ['ABC:defX'] }, [policy]).decision).toBe('ImplicitDeny');
    expect(evaluate({ action: 'abc:DefX', resources: ['abc:DefX'] }, [policy]).decision).toBe('Allow');
  });

  test('should not confuse distinct patterns', () => {
    const first = allow('ssm:Get?', 'arn:aws:ssm:*:*:document/A*');
    const second = allow('ssm:Get*', 'arn:aws:ssm:*:*:document/A?');
    const request = { action: 'ssm:GetXY', resources: ['arn:aws:ssm:us-east-1:1:document/ABC'] };
    for (let i = 0; i < 3; i++) {
      expect(evaluate(request, [first]).decision).toBe('ImplicitDeny');
      expect(evaluate(request, [second]).decision).toBe('ImplicitDeny');
      expect(evaluate({ ...request, action: 'ssm:GetX' }, [first]).decision).toBe('Allow');
      expect(evaluate({ ...request, resources: ['arn:aws:ssm:us-east-1:1:document/AB'] }, [second]).decision).toBe('Allow');
    }
  });

  test('should bound the compiled wildcards however many distinct patterns pass by', () => {
    for (let i = 0; i < MAX_CACHED_WILDCARDS * 3; i++) {
      const policy = allow(`svc:Action${i}*`, `arn:aws:svc:::thing/${i}/*`);
      expect(evaluate({ action: `svc:action${i}x`, resources: [`arn:aws:svc:::thing/${i}/y`] }, [policy]).decision).toBe('Allow');
    }
    expect(cachedWildcardCount()).toBeLessThanOrEqual(2 * MAX_CACHED_WILDCARDS);
    // Evicted patterns compile again.
    expect(evaluate({ action: 'svc:action0x', resources: ['arn:aws:svc:::thing/0/y'] }, [allow('svc:Action0*', 'arn:aws:svc:::thing/0/*')]).decision).toBe('Allow');
  });

  test('should give the same decisions when the same policy object is evaluated again', () => {
    const policy = allow(['ssm:SendCommand', 'ssm:List*'], [doc]);
    for (let i = 0; i < 3; i++) {
      expect(evaluate({ action: 'ssm:SendCommand', resources: [doc] }, [policy]).decision).toBe('Allow');
      expect(evaluate({ action: 'ssm:ListCommands', resources: [instance] }, [policy])).toEqual({ decision: 'ImplicitDeny', deniedResource: instance });
    }
  });

  test('should keep rejecting an unsupported policy on every evaluation', () => {
    const badElement = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Bogus: 1 }] } as PolicyDocument;
    const badResource = allow('ssm:SendCommand', [{ 'Fn::Sub': 'x' }]);
    for (let i = 0; i < 2; i++) {
      expect(() => evaluate({ action: 'ssm:SendCommand', resources: ['*'] }, [badElement])).toThrow("Unknown policy element 'Bogus'");
      expect(() => evaluate({ action: 'ssm:SendCommand', resources: ['*'] }, [badResource])).toThrow('Resource values must be strings');
      // The Resource element is only read when the action matches, as before.
      expect(evaluate({ action: 'ssm:ListCommands', resources: ['*'] }, [badResource]).decision).toBe('ImplicitDeny');
    }
  });
});
