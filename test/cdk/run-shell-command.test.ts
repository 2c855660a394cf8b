import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, test } from 'vitest';
import {
  CommandShell,
  CommandTargets,
  isShellStepValidationError,
  RunShellCommand,
  RunShellCommandRunbooks,
  ShellCommands,
  type RunShellCommandProps,
} from '../../src/cdk/index.js';
import { SEED_SAMPLE, sampleJsonata, sampleJsonPath } from '../../src/definitions/state-machines.js';

type Json = Record<string, unknown>;

const INSTANCE = 'i-1234567890abcdef0';
const SEED_COMMANDS = ['echo "This is a test running automation waitForTaskToken" >> automation.log', 'sleep 100'];
const RESOURCE = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken']],
};

function setup() {
  const stack = new Stack(new App(), 'Stack');
  const runbooks = new RunShellCommandRunbooks(stack, 'Runbooks');
  const ref = (mode: 'ByInstanceIds' | 'ByTargets') => ({ Ref: stack.getLogicalId(runbooks[mode === 'ByInstanceIds' ? 'byInstanceIds' : 'byTargets']) });
  return { stack, runbooks, ref };
}

function render(stack: Stack, task: sfn.State): Json {
  return stack.resolve(task.toStateJson()) as Json;
}

function sampleTask(definition: Json): Json {
  return (definition['States'] as Record<string, Json>)['RunShellCommand'] as Json;
}

function stateMachineDefinition(stack: Stack): Json {
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines) as Json[];
  const join = ((machine?.['Properties'] as Json)['DefinitionString'] as Json)['Fn::Join'] as [string, unknown[]];
  // Replace every token by a marker, leaving parseable JSON.
  const text = join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text) as Json;
}

describe('RunShellCommand', () => {
  test('should render the sample state machine task when given the seed instance and commands in JSONPath', () => {
    const { stack, runbooks, ref } = setup();
    const task = RunShellCommand.jsonPath(stack, 'RunShellCommand', {
      runbooks,
      targets: CommandTargets.instanceIds([INSTANCE]),
      commands: SEED_COMMANDS,
    });
    const seed = sampleTask(sampleJsonPath(SEED_SAMPLE));
    const seedParameters = (seed['Parameters'] as Json)['Parameters'];
    expect(render(stack, task)).toEqual({
      Type: 'Task',
      End: true,
      Resource: RESOURCE,
      TimeoutSeconds: seed['TimeoutSeconds'],
      Parameters: { DocumentName: ref('ByInstanceIds'), Parameters: seedParameters },
    });
    expect(task.timeoutSeconds).toBe(4500);
  });

  test('should render the sample state machine task when given the seed instance and commands in JSONata', () => {
    const { stack, runbooks, ref } = setup();
    const task = RunShellCommand.jsonata(stack, 'RunShellCommand', {
      runbooks,
      targets: CommandTargets.instanceIds([INSTANCE]),
      commands: SEED_COMMANDS,
    });
    const seed = sampleTask(sampleJsonata(SEED_SAMPLE));
    expect(render(stack, task)).toEqual({
      Type: 'Task',
      End: true,
      QueryLanguage: 'JSONata',
      Resource: RESOURCE,
      TimeoutSeconds: seed['TimeoutSeconds'],
      Arguments: { DocumentName: ref('ByInstanceIds'), Parameters: (seed['Arguments'] as Json)['Parameters'] },
    });
  });

  test('should start the ByTargets runbook with each target as a JSON string when given tag targets', () => {
    const { stack, runbooks, ref } = setup();
    const task = RunShellCommand.jsonPath(stack, 'Run', {
      runbooks,
      targets: CommandTargets.targets([
        { key: 'tag:Environment', values: ['dev', 'test'] },
        { key: 'tag:Role', values: ['web'] },
      ]),
      commands: ['uptime'],
    });
    const parameters = (render(stack, task)['Parameters'] as Json);
    expect(parameters['DocumentName']).toEqual(ref('ByTargets'));
    expect((parameters['Parameters'] as Json)['Targets']).toEqual([
      '{"Key":"tag:Environment","Values":["dev","test"]}',
      '{"Key":"tag:Role","Values":["web"]}',
    ]);
    expect(CommandTargets.tag('Environment', 'dev')._source).toEqual({ kind: 'static', values: ['{"Key":"tag:Environment","Values":["dev"]}'] });
  });

  test('should read targets, commands and scalars from the state input when given JSONPaths', () => {
    const { stack, runbooks } = setup();
    const task = RunShellCommand.jsonPath(stack, 'Run', {
      runbooks,
      targets: CommandTargets.instanceIdsFromInput('$.instanceIds'),
      commands: ShellCommands.fromInput('$.script'),
      workingDirectory: sfn.JsonPath.stringAt('$.dir'),
      commandComment: sfn.JsonPath.stringAt('$.comment'),
    });
    expect((render(stack, task)['Parameters'] as Json)['Parameters']).toEqual({
      'InstanceIds.$': '$.instanceIds',
      'taskToken.$': 'States.Array($$.Task.Token)',
      'Commands.$': '$.script',
      'workingDirectory.$': 'States.Array($.dir)',
      'Comment.$': 'States.Array($.comment)',
      shell: ['Shell'],
      executionTimeout: ['3600'],
      deliveryTimeout: ['600'],
    });
  });

  test('should read targets, commands and scalars from the state input when given JSONata expressions', () => {
    const { stack, runbooks } = setup();
    const task = RunShellCommand.jsonata(stack, 'Run', {
      runbooks,
      targets: CommandTargets.targetsFromInput('{% $states.input.targets %}'),
      commands: ShellCommands.fromInput('{% $states.input.script %}'),
      workingDirectory: '{% $states.input.dir %}',
    });
    expect((render(stack, task)['Arguments'] as Json)['Parameters']).toEqual({
      Targets: '{% $states.input.targets %}',
      taskToken: ['{% $states.context.Task.Token %}'],
      Commands: '{% $states.input.script %}',
      workingDirectory: ['{% $states.input.dir %}'],
      shell: ['Shell'],
      executionTimeout: ['3600'],
      deliveryTimeout: ['600'],
    });
  });

  test('should pass every command setting as a one-item list when all options are set', () => {
    const { stack, runbooks } = setup();
    const logGroup = new logs.LogGroup(stack, 'Output');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const task = RunShellCommand.jsonPath(stack, 'Run', {
      runbooks,
      targets: CommandTargets.instanceIds([INSTANCE, 'mi-0123456789abcdef0']),
      commands: ['Get-Date'],
      shell: CommandShell.POWERSHELL,
      workingDirectory: 'C:\\work',
      executionTimeout: Duration.minutes(5),
      deliveryTimeout: Duration.seconds(30),
      maxConcurrency: '50%',
      maxErrors: 1,
      cloudWatchLogGroup: logGroup,
      outputBucket: bucket,
      outputKeyPrefix: 'runs/',
      commandComment: 'nightly',
    });
    const json = render(stack, task);
    expect(json['TimeoutSeconds']).toBe(300 + 30 + 300);
    expect((json['Parameters'] as Json)['Parameters']).toEqual({
      InstanceIds: [INSTANCE, 'mi-0123456789abcdef0'],
      'taskToken.$': 'States.Array($$.Task.Token)',
      Commands: ['Get-Date'],
      shell: ['PowerShell'],
      workingDirectory: ['C:\\work'],
      executionTimeout: ['300'],
      deliveryTimeout: ['30'],
      MaxConcurrency: ['50%'],
      MaxErrors: ['1'],
      CloudWatchOutputEnabled: ['true'],
      CloudWatchLogGroupName: [{ Ref: stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup) }],
      OutputS3BucketName: [{ Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) }],
      OutputS3KeyPrefix: ['runs/'],
      Comment: ['nightly'],
    });
  });

  test('should keep the given taskTimeout and warn when it is shorter than the command timeouts', () => {
    const { stack, runbooks } = setup();
    const task = RunShellCommand.jsonPath(stack, 'Run', {
      runbooks,
      targets: CommandTargets.instanceIds([INSTANCE]),
      commands: ['true'],
      taskTimeout: sfn.Timeout.duration(Duration.minutes(30)),
    });
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(task) });
    expect(render(stack, task)['TimeoutSeconds']).toBe(1800);
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Run',
      Match.stringLikeRegexp('taskTimeout \\(1800 s\\) is shorter than executionTimeout \\+ deliveryTimeout \\(4200 s\\)'),
    );
  });

  test('should let the state machine start only its runbook and pass its role to SSM when used in a state machine', () => {
    const { stack, runbooks, ref } = setup();
    const task = RunShellCommand.jsonPath(stack, 'Run', { runbooks, targets: CommandTargets.tag('Env', 'dev'), commands: ['true'] });
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(task) });
    const arn = (resource: string, suffix: string[]) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/`, ref('ByTargets'), ...suffix]],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'ssm:StartAutomationExecution', Resource: [arn('automation-definition', [':*']), arn('document', [])] },
          {
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: { 'Fn::GetAtt': [stack.getLogicalId(runbooks.role.node.defaultChild as never), 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
          },
        ],
      },
    });
  });

  test('should add a results state that the chain continues after when fetchResults is set in JSONPath', () => {
    const { stack, runbooks } = setup();
    const task = RunShellCommand.jsonPath(stack, 'Run', {
      runbooks,
      targets: CommandTargets.instanceIds([INSTANCE]),
      commands: ['true'],
      fetchResults: true,
      resultPath: '$.command',
      outputPath: '$.command',
    });
    task.addCatch(new sfn.Fail(stack, 'Failed'), { errors: [...RunShellCommand.COMMAND_ERRORS] });
    const chain = task.next(new sfn.Succeed(stack, 'Done'));
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(chain) });
    const states = stateMachineDefinition(stack)['States'] as Record<string, Json>;
    expect(Object.keys(states).sort()).toEqual(['Done', 'Failed', 'Run', 'Run Results']);
    expect(states['Run']).toMatchObject({ Next: 'Run Results', ResultPath: '$.command' });
    expect(states['Run']?.['OutputPath']).toBeUndefined();
    expect(states['Run Results']).toEqual({
      Type: 'Task',
      Resource: 'arn:TOKEN:states:::aws-sdk:ssm:listCommandInvocations',
      Parameters: { 'CommandId.$': '$.command.CommandId', Details: true, MaxResults: 50 },
      ResultSelector: { 'Invocations.$': '$.CommandInvocations' },
      ResultPath: '$.command.Results',
      OutputPath: '$.command',
      Next: 'Done',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'ssm:ListCommandInvocations', Resource: '*' }]) },
    });
  });

  test('should merge the invocations into the result when fetchResults is set in JSONata', () => {
    const { stack, runbooks } = setup();
    const task = RunShellCommand.jsonata(stack, 'Run', {
      runbooks,
      targets: CommandTargets.instanceIds([INSTANCE]),
      commands: ['true'],
      fetchResults: true,
      resultsStateName: 'Read results',
    });
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(task) });
    const states = stateMachineDefinition(stack)['States'] as Record<string, Json>;
    expect(states['Run']?.['Next']).toBe('Read results');
    expect(states['Read results']).toEqual({
      Type: 'Task',
      QueryLanguage: 'JSONata',
      Resource: 'arn:TOKEN:states:::aws-sdk:ssm:listCommandInvocations',
      Arguments: { CommandId: '{% $states.input.CommandId %}', Details: true, MaxResults: 50 },
      Output: '{% $merge([$states.input, {"Results": {"Invocations": $states.result.CommandInvocations}}]) %}',
      End: true,
    });
  });

  test('should render JSONata arguments when created with the constructor in a JSONata state machine', () => {
    const { stack, runbooks } = setup();
    const task = new RunShellCommand(stack, 'Run', { runbooks, targets: CommandTargets.instanceIds([INSTANCE]), commands: ['true'] });
    new sfn.StateMachine(stack, 'Machine', { queryLanguage: sfn.QueryLanguage.JSONATA, definitionBody: sfn.DefinitionBody.fromChainable(task) });
    const run = (stateMachineDefinition(stack)['States'] as Record<string, Json>)['Run'] as Json;
    expect(run['Parameters']).toBeUndefined();
    expect((run['Arguments'] as Json)['Parameters']).toMatchObject({ taskToken: ['{% $states.context.Task.Token %}'] });
  });

  test('should carry the construct path and the brand when a construct-time error is thrown', () => {
    const { stack, runbooks } = setup();
    let caught: unknown;
    try {
      RunShellCommand.jsonPath(stack, 'Run', { runbooks, targets: CommandTargets.instanceIds([INSTANCE]), commands: [] });
    } catch (error) {
      caught = error;
    }
    expect(isShellStepValidationError(caught)).toBe(true);
    expect(caught).toMatchObject({ name: 'ShellStepValidationError', constructPath: 'Stack/Run' });
    expect(isShellStepValidationError(new Error('x'))).toBe(false);
  });

  describe('construct-time errors', () => {
    const base = (runbooks: RunShellCommandRunbooks): RunShellCommandProps => ({
      runbooks,
      targets: CommandTargets.instanceIds([INSTANCE]),
      commands: ['true'],
    });
    const build = (props: Partial<RunShellCommandProps>, factory: 'jsonPath' | 'jsonata' = 'jsonPath') => {
      const { stack, runbooks } = setup();
      return () => RunShellCommand[factory](stack, 'Run', { ...base(runbooks), ...props });
    };

    test('should throw when no instance ids are given', () => {
      expect(() => CommandTargets.instanceIds([])).toThrow(
        'CommandTargets.instanceIds() needs at least one instance id; to select nodes by tag use CommandTargets.tag() or CommandTargets.targets().',
      );
    });

    test('should throw when more than 50 instance ids are given', () => {
      const ids = Array.from({ length: 51 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
      expect(() => CommandTargets.instanceIds(ids)).toThrow(
        "CommandTargets.instanceIds() takes at most 50 instance ids (SendCommand's limit); got 51. Select more nodes with CommandTargets.tag() or CommandTargets.targets().",
      );
    });

    test('should throw when an instance id is malformed', () => {
      expect(() => CommandTargets.instanceIds(['i-123'])).toThrow("'i-123' is not an instance id: expected i- followed by 8 or 17 hex digits, or mi- followed by 17.");
    });

    test('should throw when no targets are given', () => {
      expect(() => CommandTargets.targets([])).toThrow(
        'CommandTargets.targets() needs at least one target, e.g. { key: "tag:Environment", values: ["dev"] }.',
      );
    });

    test('should throw when more than 5 targets are given', () => {
      const targets = Array.from({ length: 6 }, (_, i) => ({ key: `tag:K${i}`, values: ['v'] }));
      expect(() => CommandTargets.targets(targets)).toThrow(
        "CommandTargets.targets() takes at most 5 targets (SendCommand's limit); got 6. Combine values under one key instead.",
      );
    });

    test('should throw when a target has no values', () => {
      expect(() => CommandTargets.tag('Environment')).toThrow("Target 'tag:Environment' needs 1..50 values; got 0.");
    });

    test('should throw when commands is empty', () => {
      expect(build({ commands: [] })).toThrow("commands must hold at least one line, e.g. commands: ['echo hello'].");
    });

    test('should throw when commands has more than 50 lines', () => {
      expect(build({ commands: Array.from({ length: 51 }, () => 'true') })).toThrow(
        "commands may hold at most 50 lines (an automation parameter list holds at most 50 values); got 51. Put the script in a file on the node, or join lines with ' && '.",
      );
    });

    test('should throw when a command line is longer than 512 characters', () => {
      expect(build({ commands: ['true', `echo ${'x'.repeat(508)}`] })).toThrow('commands[1] must be at most 512 characters; got 513.');
    });

    test('should throw when a command line is empty', () => {
      expect(build({ commands: [''] })).toThrow(
        "commands[0] must not be empty (an automation parameter value is 1..512 characters); leave it out for the runbook's default.",
      );
    });

    test('should throw when the heartbeat is not shorter than the task timeout', () => {
      expect(build({ heartbeatTimeout: sfn.Timeout.duration(Duration.seconds(4500)) })).toThrow(
        'heartbeatTimeout (4500 s) must be shorter than the task timeout (4500 s). The runbooks send no heartbeats, so leave heartbeatTimeout out unless something else calls SendTaskHeartbeat.',
      );
    });

    test('should throw when the execution timeout is longer than 48 hours', () => {
      expect(build({ executionTimeout: Duration.hours(49) })).toThrow('executionTimeout must be a whole number of seconds from 1 to 172800; got 176400 s.');
    });

    test('should throw when the execution timeout is not a whole number of seconds', () => {
      expect(build({ executionTimeout: Duration.millis(1500) })).toThrow(
        'executionTimeout must be a whole number of seconds from 1 to 172800; got 1.5 s.',
      );
    });

    test('should throw when the delivery timeout is shorter than 30 seconds', () => {
      expect(build({ deliveryTimeout: Duration.seconds(10) })).toThrow('deliveryTimeout must be a whole number of seconds from 30 to 2592000; got 10 s.');
    });

    test('should throw when shell is given in lower case', () => {
      expect(build({ shell: 'powershell' as CommandShell })).toThrow(
        "shell must be CommandShell.SHELL ('Shell') or CommandShell.POWERSHELL ('PowerShell'), case-sensitive; got 'powershell'. Use 'PowerShell'.",
      );
    });

    test('should throw when maxConcurrency is not a count or a percentage', () => {
      expect(build({ maxConcurrency: 0 })).toThrow("maxConcurrency must be a number of nodes or a percentage such as 10 or '10%'; got '0'.");
    });

    test('should throw when maxErrors is not a count or a percentage', () => {
      expect(build({ maxErrors: '150%' })).toThrow("maxErrors must be a number of nodes or a percentage such as 0, 1 or '10%'; got '150%'.");
    });

    test('should throw when a JSONata state reads instance ids with a JSONPath', () => {
      const { stack, runbooks } = setup();
      const task = RunShellCommand.jsonata(stack, 'Run', { ...base(runbooks), targets: CommandTargets.instanceIdsFromInput('$.ids') });
      expect(() => task.toStateJson()).toThrow(
        "CommandTargets.instanceIdsFromInput() in a JSONata state must be a JSONata expression such as '{% $states.input.instanceIds %}'; got '$.ids'.",
      );
    });

    test('should throw when a JSONPath state reads commands with a JSONata expression', () => {
      const { stack, runbooks } = setup();
      const task = RunShellCommand.jsonPath(stack, 'Run', { ...base(runbooks), commands: ShellCommands.fromInput('{% $states.input.c %}') });
      expect(() => task.toStateJson()).toThrow(
        "ShellCommands.fromInput() in a JSONPath state must be a JSONPath starting with '$', such as '$.commands'; got '{% $states.input.c %}'.",
      );
    });

    test('should throw when fetchResults is combined with resultSelector', () => {
      expect(build({ fetchResults: true, resultSelector: { id: sfn.JsonPath.stringAt('$.CommandId') } })).toThrow(
        'fetchResults reads CommandId from the task result, so it cannot be combined with resultSelector; shape the result in a Pass state after this task.',
      );
    });

    test('should throw when fetchResults is combined with a discarded result', () => {
      expect(build({ fetchResults: true, resultPath: sfn.JsonPath.DISCARD })).toThrow(
        "fetchResults needs the task result, so resultPath cannot be JsonPath.DISCARD; use a path such as '$.command'.",
      );
    });

    test('should throw when fetchResults is combined with outputs in JSONata', () => {
      expect(build({ fetchResults: true, outputs: '{% $states.result %}' }, 'jsonata')).toThrow(
        'fetchResults sets the output of its results state, so it cannot be combined with outputs; shape the result in a Pass state after this task.',
      );
    });
  });
});
