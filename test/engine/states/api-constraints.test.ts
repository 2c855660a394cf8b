import { describe, expect, test } from 'vitest';
import { checkConstraints } from '../../../src/engine/states/api-constraints.js';

describe('Step Functions API constraints', () => {
  test('should word length, range, enum and pattern violations as AWS does, for nested members too', () => {
    expect(() => checkConstraints('ListStateMachines', { maxResults: 1001 })).toThrow(
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    expect(() => checkConstraints('ListExecutions', { stateMachineArn: 'x', nextToken: 'x'.repeat(3097) })).toThrow(/Value 'x{3097}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 3096/);
    expect(() => checkConstraints('CreateStateMachineAlias', { name: 'a', routingConfiguration: [{ stateMachineVersionArn: 'arn:v:1', weight: 101 }] })).toThrow(
      "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    // A list of structures prints as Java prints it.
    expect(() =>
      checkConstraints('CreateStateMachineAlias', {
        name: 'a',
        routingConfiguration: [
          { stateMachineVersionArn: 'v:1', weight: 50 },
          { stateMachineVersionArn: 'v:2', weight: 30 },
          { stateMachineVersionArn: 'v:3', weight: 20 },
        ],
      }),
    ).toThrow(
      "Value '[RoutingConfigurationListItem(stateMachineVersionArn=v:1, weight=50), RoutingConfigurationListItem(stateMachineVersionArn=v:2, weight=30), RoutingConfigurationListItem(stateMachineVersionArn=v:3, weight=20)]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2",
    );
    expect(() => checkConstraints('CreateStateMachineAlias', { name: '123', routingConfiguration: [{ stateMachineVersionArn: 'v:1', weight: 100 }] })).toThrow(
      "Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$",
    );
    // Every violation is reported, in the model's member order.
    expect(() => checkConstraints('CreateStateMachine', { name: 'n'.repeat(81), definition: '', roleArn: 'r', type: 'BIG' })).toThrow(
      /^3 validation errors detected: Value 'n{81}' at 'name' .*; Value '' at 'definition' failed to satisfy constraint: Member must have length greater than or equal to 1; Value 'BIG' at 'type' failed to satisfy constraint: Member must satisfy enum value set: \[STANDARD, EXPRESS\]$/,
    );
    expect(() => checkConstraints('TagResource', { resourceArn: 'a', tags: [{ key: 'k'.repeat(129), value: 'v' }] })).toThrow(/at 'tags\.1\.member\.key'/);
    expect(() => checkConstraints('DescribeStateMachine', {})).toThrow("1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null");
    expect(() => checkConstraints('CreateActivity', { name: 'fine' })).not.toThrow();
  });
});
