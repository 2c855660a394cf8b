/**
 * AWS's limits on what enters Step Functions, enforced with AWS's errors: definition size, and the nesting of
 * definitions, execution input, task output and state output (docs/security.md, "Evaluation budgets").
 */
import { describe, expect, test } from 'vitest';
import { waitUntil } from '../../helpers/fixtures.js';
import { harness, ROLE_ARN } from './run-machine.js';

const nestedParallel = (depth: number): object => {
  let inner: object = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
  for (let i = 0; i < depth; i++) inner = { StartAt: `S${i}`, States: { [`S${i}`]: { Type: 'Parallel', Branches: [inner], End: true } } };
  return inner;
};
const nestedMap = (depth: number): object => {
  let inner: object = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
  for (let i = 0; i < depth; i++) inner = { StartAt: `S${i}`, States: { [`S${i}`]: { Type: 'Map', ItemProcessor: inner, End: true } } };
  return inner;
};
/** The JSON text of `{"a":{"a":…1…}}`, built as text: JSON.stringify itself overflows past ~10,000 levels. */
const deepText = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepValue = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('Step Functions limits', () => {
  test('should accept a 50-level nested Parallel or Map definition (validation is linear, no longer exponential)', async () => {
    const { service } = harness();
    await expect(service.CreateStateMachine({ name: 'p50', definition: JSON.stringify(nestedParallel(50)), roleArn: ROLE_ARN })).resolves.toBeDefined();
    await expect(service.CreateStateMachine({ name: 'm50', definition: JSON.stringify(nestedMap(50)), roleArn: ROLE_ARN })).resolves.toBeDefined();
  });

  test('should refuse a definition over 1,048,576 bytes with the ValidationException of the API model', async () => {
    const { service } = harness();
    const definition = JSON.stringify({ Comment: 'é'.repeat(524_288), StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    await expect(service.CreateStateMachine({ name: 'big', definition, roleArn: ROLE_ARN })).rejects.toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to 1048576",
    });
  });

  test('should refuse a definition nested past 300 levels as InvalidDefinition, at any depth of JSON', async () => {
    const { service } = harness();
    for (const definition of [JSON.stringify(nestedParallel(80)), `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":${deepText(100_000)}}}}`]) {
      await expect(service.CreateStateMachine({ name: 'deep', definition, roleArn: ROLE_ARN })).rejects.toMatchObject({
        name: 'InvalidDefinition',
        message: "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: Document nesting depth (301) exceeds the maximum allowed (300)'",
      });
    }
  });

  test('should refuse execution input and task output nested past 1,000 levels', async () => {
    const h = harness();
    const { stateMachineArn } = await h.service.CreateStateMachine({ name: 'p', definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }), roleArn: ROLE_ARN });
    await expect(h.service.StartExecution({ stateMachineArn, input: JSON.stringify(deepValue(1000)) })).resolves.toBeDefined();
    await expect(h.service.StartExecution({ stateMachineArn, input: deepText(5000) })).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
      message: "Invalid State Machine Execution Input: 'Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)'",
    });
  });

  test('should refuse SendTaskSuccess output nested past 1,000 levels as InvalidOutput, and keep the task waiting', async () => {
    const h = harness({ autoAdvance: false });
    const task = { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken', Parameters: { 't.$': '$$.Task.Token' }, End: true };
    const arn = await h.start({ StartAt: 'T', States: { T: task } });
    await waitUntil(() => h.api.calls.length === 1, 'the task call');
    const taskToken = String(h.api.calls[0]!.input['t']);
    expect(() => h.service.tokens.sendTaskSuccess({ taskToken, output: deepText(5000) })).toThrow(
      expect.objectContaining({ name: 'InvalidOutput', message: "Invalid Output: 'Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)'" }),
    );
    h.service.tokens.sendTaskSuccess({ taskToken, output: '{"done":true}' });
    expect(await h.result(arn)).toMatchObject({ status: 'SUCCEEDED', output: { done: true } });
  });

  test('should fail a state whose output nests past 1,000 levels, which a payload template can build one level at a time', async () => {
    const h = harness();
    const arn = await h.start({ StartAt: 'Wrap', States: { Wrap: { Type: 'Pass', Parameters: { 'a.$': '$' }, End: true } } }, deepValue(999) as never);
    expect(await h.result(arn)).toMatchObject({ status: 'SUCCEEDED' });
    const deeper = await h.start({ StartAt: 'Wrap', States: { Wrap: { Type: 'Pass', Parameters: { 'a.$': '$' }, End: true } } }, deepValue(1000) as never);
    const result = await h.result(deeper);
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(result.cause).toContain("The state/task 'Wrap' returned a result nested more than 1000 levels deep");
  });

  test('should fail States.StringToJson of a string nested past 1,000 levels', async () => {
    const h = harness();
    const arn = await h.start({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': 'States.StringToJson($.s)' }, End: true } } }, { s: deepText(5000) });
    const result = await h.result(arn);
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.IntrinsicFailure' });
    expect(result.cause).toContain('Document nesting depth (1001) exceeds the maximum allowed (1000');
  });
});
