import { describe, expect, test } from 'vitest';
import { findSdkService } from '../../src/validate/aws-sdk-models.js';
import { checkRequestShape } from '../../src/validate/request-shape.js';

const ssm = findSdkService('ssm')!;
const sfn = findSdkService('sfn')!;

const check = (service: typeof ssm, operation: string, input: unknown): string => {
  try {
    checkRequestShape(service, operation, input as never);
    return 'ok';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
};

const nullAt = (...paths: string[]) =>
  `ValidationException: ${paths.length} validation error${paths.length === 1 ? '' : 's'} detected: ${paths
    .map((p) => `Value null at '${p}' failed to satisfy constraint: Member must not be null`)
    .join('; ')}`;

describe('request shape', () => {
  // Run twice: member lists are cached per shape after the first walk.
  test.each([1, 2])('should name the path of a wrong type or missing member as AWS does (round %i)', () => {
    expect(check(ssm, 'SendCommand', { DocumentName: 'd', InstanceIds: ['i-1'], Parameters: { commands: ['true'] } })).toBe('ok');
    expect(check(ssm, 'SendCommand', {})).toBe(nullAt('documentName'));
    expect(check(ssm, 'SendCommand', { DocumentName: 'd', InstanceIds: ['i-1', null] })).toBe(nullAt('instanceIds.2.member'));
    expect(check(ssm, 'SendCommand', { DocumentName: 'd', Parameters: { commands: 'x' } })).toBe(
      "SerializationException: Unexpected string at 'parameters.commands': expected a list (JSON array).",
    );
    expect(check(ssm, 'SendCommand', { DocumentName: 'd', Parameters: { commands: [1] } })).toBe(
      "SerializationException: Unexpected number at 'parameters.commands.1.member': expected a string.",
    );
    expect(check(ssm, 'SendCommand', { DocumentName: 'd', Parameters: { commands: null } })).toBe(nullAt('parameters.commands'));
    expect(check(ssm, 'SendCommand', { DocumentName: 'd', TimeoutSeconds: 1.5 })).toBe("SerializationException: Unexpected number at 'timeoutSeconds': expected an integer.");
    expect(check(ssm, 'SendCommand', { DocumentName: 'd', CloudWatchOutputConfig: { CloudWatchOutputEnabled: 'yes' } })).toBe(
      "SerializationException: Unexpected string at 'cloudWatchOutputConfig.cloudWatchOutputEnabled': expected a boolean.",
    );
    expect(check(ssm, 'SendCommand', { DocumentName: 'd', Targets: [{ Key: 'k', Values: [2] }] })).toBe(
      "SerializationException: Unexpected number at 'targets.1.member.values.1.member': expected a string.",
    );
    expect(check(ssm, 'StartAutomationExecution', { Parameters: { a: ['x'] }, TargetMaps: [{ k: [null] }] })).toBe(
      nullAt('documentName', 'targetMaps.1.member.k.1.member'),
    );
    expect(check(ssm, 'StartAutomationExecution', 'text')).toBe("SerializationException: Unexpected string at 'body': expected a structure (JSON object).");
    expect(check(sfn, 'SendTaskSuccess', { output: '{}' })).toBe(nullAt('taskToken'));
    expect(check(sfn, 'SendTaskSuccess', { taskToken: 't', output: 5 })).toBe("SerializationException: Unexpected number at 'output': expected a string.");
  });
});
