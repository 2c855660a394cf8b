/**
 * End to end: a CDK app synthesized here, its template deployed into the local engine (CloudFormation
 * loader, IAM enforced with the roles CDK generated), and its state machines run against local instances.
 */
import { App, CfnOutput, DefaultStackSynthesizer, Stack, type IStackSynthesizer } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { afterEach, describe, expect, test } from 'vitest';
import { CommandTargets, RunShellCommand, RunShellCommandRunbooks, ShellCommands } from '../../src/cdk/index.js';
import { LocalEngine } from '../../src/engine/local-engine.js';
import type { JsonObject } from '../../src/model/json.js';

let engine: LocalEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/**
 * The app a user would write: the runbooks, and one state machine per query language with a Catch. Analytics
 * reporting, on by default in the CDK CLI, adds an AWS::CDK::Metadata resource.
 */
function synthesize(analyticsReporting = false): JsonObject {
  const app = new App({ analyticsReporting });
  // No bootstrap-version rule: nothing is bootstrapped locally.
  const stack = new Stack(app, 'ShellStepE2E', {
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) as IStackSynthesizer,
  });
  const runbooks = new RunShellCommandRunbooks(stack, 'Runbooks');

  const jsonPath = RunShellCommand.jsonPath(stack, 'Run', {
    runbooks,
    targets: CommandTargets.instanceIdsFromInput('$.instanceIds'),
    commands: ShellCommands.fromInput('$.commands'),
    resultPath: '$.command',
    fetchResults: true,
  });
  jsonPath.addCatch(new sfn.Pass(stack, 'Command failed'), { errors: [...RunShellCommand.COMMAND_ERRORS], resultPath: '$.error' });
  const jsonPathMachine = new sfn.StateMachine(stack, 'JsonPathMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(jsonPath.next(new sfn.Succeed(stack, 'Done'))),
  });

  const jsonata = RunShellCommand.jsonata(stack, 'RunJsonata', {
    runbooks,
    targets: CommandTargets.tag('Env', 'dev'),
    commands: ShellCommands.fromInput('{% $states.input.commands %}'),
    fetchResults: true,
  });
  jsonata.addCatch(
    sfn.Pass.jsonata(stack, 'Command failed (JSONata)', { outputs: { error: '{% $states.input.Error %}', cause: '{% $states.input.Cause %}' } }),
    { errors: [...RunShellCommand.COMMAND_ERRORS] },
  );
  const jsonataMachine = new sfn.StateMachine(stack, 'JsonataMachine', {
    queryLanguage: sfn.QueryLanguage.JSONATA,
    definitionBody: sfn.DefinitionBody.fromChainable(jsonata),
  });

  new CfnOutput(stack, 'JsonPathMachineArn', { value: jsonPathMachine.stateMachineArn });
  new CfnOutput(stack, 'JsonataMachineArn', { value: jsonataMachine.stateMachineArn });
  return app.synth().getStackByName('ShellStepE2E').template as JsonObject;
}

async function deployed(analyticsReporting = false) {
  engine = new LocalEngine({ clock: 'fast' });
  const instance = engine.instances.add({ tags: { Env: 'dev' } });
  const stack = await engine.deploy(synthesize(analyticsReporting), { stackName: 'shellstep-cdk' });
  return { engine, instance, outputs: stack.outputs };
}

async function run(engine: LocalEngine, stateMachineArn: string, input: JsonObject) {
  const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: JSON.stringify(input) });
  return engine.sfn.waitForExecution(executionArn);
}

interface Invocation {
  InstanceId: string;
  Status: string;
  CommandPlugins: Array<{ ResponseCode: number; Output: string }>;
}

describe('a CDK app on the local engine', () => {
  test('should run the commands and return each instance\'s exit code and output when the JSONPath state machine succeeds', async () => {
    const { engine, instance, outputs } = await deployed();
    const result = await run(engine, outputs['JsonPathMachineArn']!, {
      instanceIds: [instance.instanceId],
      commands: ['echo "hello from cdk"', 'pwd > where.txt'],
    });
    expect(result.status).toBe('SUCCEEDED');
    const command = (result.output as unknown as { command: { Status: string; CommandId: string; Results: { Invocations: Invocation[] } } }).command;
    expect(command).toMatchObject({ Status: 'Success', DocumentName: 'AWS-RunShellScript' });
    expect(command.Results.Invocations).toHaveLength(1);
    const [invocation] = command.Results.Invocations;
    expect(invocation).toMatchObject({ InstanceId: instance.instanceId, Status: 'Success', CommandId: command.CommandId });
    expect(invocation?.CommandPlugins[0]).toMatchObject({ ResponseCode: 0 });
    expect(invocation?.CommandPlugins[0]?.Output).toContain('hello from cdk');
  });

  test('should route a failing command to the Catch with RunCommand.Failed when the JSONPath state machine runs it', async () => {
    const { engine, instance, outputs } = await deployed();
    const result = await run(engine, outputs['JsonPathMachineArn']!, { instanceIds: [instance.instanceId], commands: ['echo oops >&2', 'exit 3'] });
    expect(result.status).toBe('SUCCEEDED');
    const error = (result.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('RunCommand.Failed');
    expect(error.Cause).toContain('ended with status Failed');
  });

  test('should select instances by tag and merge the invocations into the result when the JSONata state machine succeeds', async () => {
    const { engine, instance, outputs } = await deployed();
    const result = await run(engine, outputs['JsonataMachineArn']!, { commands: ['echo jsonata'] });
    expect(result.status).toBe('SUCCEEDED');
    const output = result.output as unknown as { Status: string; Results: { Invocations: Invocation[] } };
    expect(output.Status).toBe('Success');
    expect(output.Results.Invocations.map((i) => [i.InstanceId, i.Status, i.CommandPlugins[0]?.ResponseCode])).toEqual([[instance.instanceId, 'Success', 0]]);
    expect(output.Results.Invocations[0]?.CommandPlugins[0]?.Output).toContain('jsonata');
  });

  test('should deploy and run the app when analytics reporting keeps the AWS::CDK::Metadata resource', async () => {
    expect(synthesize(true)['Resources']).toMatchObject({ CDKMetadata: { Type: 'AWS::CDK::Metadata', Condition: 'CDKMetadataAvailable' } });
    const { engine, instance, outputs } = await deployed(true);
    expect(engine.cloudformation.physicalId('shellstep-cdk', 'CDKMetadata')).toBeDefined();
    const result = await run(engine, outputs['JsonPathMachineArn']!, { instanceIds: [instance.instanceId], commands: ['echo metadata'] });
    expect(result.status).toBe('SUCCEEDED');
  });

  test('should route a failing command to the Catch with RunCommand.Failed when the JSONata state machine runs it', async () => {
    const { engine, outputs } = await deployed();
    const result = await run(engine, outputs['JsonataMachineArn']!, { commands: ['exit 7'] });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ error: 'RunCommand.Failed' });
  });
});
