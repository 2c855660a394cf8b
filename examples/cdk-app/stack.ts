/**
 * A stack that deploys the runbooks and a state machine that runs shell commands on the instances named in
 * its input, waits for them, and reads each instance's exit code and output.
 *
 * Start it with: {"instanceIds": ["i-0123456789abcdef0"]}
 */
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CommandTargets, RunShellCommand, RunShellCommandRunbooks } from 'shellstep/cdk';

export class ShellStepExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The two SSM Automation runbooks and the role they assume.
    const runbooks = new RunShellCommandRunbooks(this, 'Runbooks');

    // Runs the commands on every instance in $.instanceIds and waits for them (up to 10 minutes each).
    const runCommands = RunShellCommand.jsonPath(this, 'Run commands', {
      runbooks,
      targets: CommandTargets.instanceIdsFromInput('$.instanceIds'),
      commands: ['echo "hello from $(hostname)"', 'uptime'],
      executionTimeout: Duration.minutes(10),
      resultPath: '$.command',
      // Adds a state that reads each instance's exit code and output into $.command.Results.Invocations.
      fetchResults: true,
    });

    // A command that exits non-zero, times out or is cancelled fails the task with RunCommand.<Status>.
    const commandFailed = new sfn.Fail(this, 'Command failed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    runCommands.addCatch(commandFailed, { errors: [...RunShellCommand.COMMAND_ERRORS], resultPath: '$.error' });

    const stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(runCommands.next(new sfn.Succeed(this, 'Done'))),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        level: sfn.LogLevel.ALL,
      },
    });

    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });

    // cdk-nag: the wildcards the state machine's role needs, each with its reason.
    runbooks.acknowledgeStartFindings(stateMachine);
    Validations.of(stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ssm:ListCommandInvocations (fetchResults) and the CloudWatch Logs delivery actions Step Functions needs for logging have no resource types; only "*" matches.',
    });
  }
}
