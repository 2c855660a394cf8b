/**
 * A Step Functions Task state that runs shell commands on managed nodes and waits for them: it starts one of
 * the runbooks with `aws-sdk:ssm:startAutomationExecution.waitForTaskToken`, and the runbook calls the task
 * token back when the command ends (docs/runbooks.md).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
 */
import { Annotations, Aws, Duration, Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import {
  DEFAULT_DELIVERY_TIMEOUT,
  DEFAULT_EXECUTION_TIMEOUT,
  MAX_DELIVERY_TIMEOUT,
  MAX_EXECUTION_TIMEOUT,
  MIN_DELIVERY_TIMEOUT,
} from '../definitions/runbooks.js';
import { taskTimeoutSeconds } from '../definitions/state-machines.js';
import type { CommandTargets } from './command-targets.js';
import { ShellStepValidationError } from './errors.js';
import { checkValue, fromInput, isJsonataExpression, listOf, MAX_LIST_ITEMS } from './private/parameter-values.js';
import { startAutomationStatements } from './private/start-automation.js';
import type { IRunShellCommandRunbooks } from './run-shell-command-runbooks.js';

/**
 * The runbook's `shell` parameter. Case-sensitive: `shell` or `powershell` is rejected when the automation
 * starts (docs/runbooks.md, D16).
 */
export enum CommandShell {
  /** `AWS-RunShellScript` (Linux, macOS). */
  SHELL = 'Shell',
  /** `AWS-RunPowerShellScript` (Windows). */
  POWERSHELL = 'PowerShell',
}

/** A number of nodes (`10`) or a percentage of them (`'10%'`). */
export type NodeCount = number | `${number}%`;

/** The lines of the script, read from the state input. */
export class ShellCommands {
  /**
   * A JSONPath (`$.commands`) in a JSONPath state, or a JSONata expression (`{% $states.input.commands %}`) in a
   * JSONata state. The value must be a list of 1..50 strings of 1..512 characters.
   */
  static fromInput(pathOrExpression: string): ShellCommands {
    return new ShellCommands(pathOrExpression);
  }

  private constructor(
    /** @internal */
    readonly _pathOrExpression: string,
  ) {}
}

interface RunShellCommandOptions {
  /**
   * The runbooks to start: a {@link RunShellCommandRunbooks}, or `RunShellCommandRunbooks.fromRunbooksAttributes()`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAutomationExecution.html
   */
  readonly runbooks: IRunShellCommandRunbooks;
  /**
   * The nodes to run on: `CommandTargets.instanceIds([...])`, `CommandTargets.tag('Environment', 'dev')`, or
   * from the state input with `CommandTargets.instanceIdsFromInput('$.ids')`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-Targets
   */
  readonly targets: CommandTargets;
  /**
   * The script, one line per item (1..50 lines of 1..512 characters), run as one script file; or
   * `ShellCommands.fromInput('$.commands')`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html#aws-runShellScript
   */
  readonly commands: readonly string[] | ShellCommands;
  /**
   * The directory to run the commands in (1..512 characters).
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html#aws-runShellScript
   * @default - the agent's default directory
   */
  readonly workingDirectory?: string;
  /**
   * `CommandShell.SHELL` runs `AWS-RunShellScript`, `CommandShell.POWERSHELL` runs `AWS-RunPowerShellScript`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html#aws-runPowerShellScript
   * @default CommandShell.SHELL
   */
  readonly shell?: CommandShell;
  /**
   * How long the commands may run before the agent stops them (`RunCommand.TimedOut`): 1 s .. 48 h.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html#aws-runShellScript
   * @default Duration.hours(1)
   */
  readonly executionTimeout?: Duration;
  /**
   * How long Run Command waits for a node to start the commands (SendCommand `TimeoutSeconds`): 30 s .. 30 days.
   * A node that has not reported back after `deliveryTimeout + executionTimeout` is `Delivery Timed Out`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-TimeoutSeconds
   * @default Duration.minutes(10)
   */
  readonly deliveryTimeout?: Duration;
  /**
   * How many nodes run the commands at once: a number, or a percentage such as `'10%'`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html#send-commands-velocity
   * @default 50
   */
  readonly maxConcurrency?: NodeCount;
  /**
   * How many nodes may fail before the command fails and stops sending: a number or a percentage.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html#send-commands-maxerrors
   * @default 0 (the first failed node fails the command)
   */
  readonly maxErrors?: NodeCount;
  /**
   * Send the full output to CloudWatch Logs (the node's instance profile needs permission to write it).
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CloudWatchOutputConfig.html
   * @default - true when `cloudWatchLogGroup` is set, otherwise the runbooks' default (false, unless deployed with a `logGroup`)
   */
  readonly cloudWatchOutputEnabled?: boolean;
  /**
   * The log group for the CloudWatch output.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CloudWatchOutputConfig.html
   * @default - the runbooks' default (`/aws/ssm/SfnRunCommand`, or their `logGroup`)
   */
  readonly cloudWatchLogGroup?: Pick<logs.ILogGroup, 'logGroupName'>;
  /**
   * A bucket for the full output (the node's instance profile needs `s3:PutObject`).
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-OutputS3BucketName
   * @default - the runbooks' default (no S3 output, unless deployed with an `outputBucket`)
   */
  readonly outputBucket?: Pick<s3.IBucket, 'bucketName'>;
  /**
   * The key prefix for the S3 output (up to 500 characters).
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-OutputS3KeyPrefix
   * @default - the runbooks' default (no prefix)
   */
  readonly outputKeyPrefix?: string;
  /**
   * A comment recorded on the command (up to 100 characters).
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-Comment
   * @default - no comment
   */
  readonly commandComment?: string;
  /**
   * Add a second state that reads each node's result with `ssm:ListCommandInvocations` (`Details: true`, up to
   * 50 nodes), so that the result holds `Results.Invocations[]` with each node's `Status`, and in
   * `CommandPlugins[0]` its `ResponseCode` (exit code) and `Output` (the first 2,500 characters).
   * Chain after this task as usual: `next()` continues after the second state. Not compatible with
   * `resultSelector` or `resultPath: JsonPath.DISCARD` (JSONPath), nor `outputs` (JSONata).
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ListCommandInvocations.html
   * @default false (the result is `{CommandId, Status, DocumentName, AutomationExecutionId}`)
   */
  readonly fetchResults?: boolean;
  /**
   * The state name of the second state added by `fetchResults`.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-states.html
   * @default '<this state name> Results'
   */
  readonly resultsStateName?: string;
}

type Common = 'integrationPattern' | 'timeout' | 'heartbeat';

/** Props of {@link RunShellCommand.jsonPath}. */
export interface RunShellCommandJsonPathProps extends Omit<sfn.TaskStateJsonPathBaseProps, Common>, RunShellCommandOptions {}
/** Props of {@link RunShellCommand.jsonata}. */
export interface RunShellCommandJsonataProps extends Omit<sfn.TaskStateJsonataBaseProps, Common>, RunShellCommandOptions {}
/**
 * Props of {@link RunShellCommand}. `taskTimeout` defaults to `executionTimeout + deliveryTimeout + 300 s`, so
 * that even a lost callback ends the execution with `States.Timeout` (a Task otherwise waits 99999999 s).
 */
export interface RunShellCommandProps extends Omit<sfn.TaskStateBaseProps, Common>, RunShellCommandOptions {}

const EXECUTION_TIMEOUT_RANGE = [1, MAX_EXECUTION_TIMEOUT] as const;
const DELIVERY_TIMEOUT_RANGE = [MIN_DELIVERY_TIMEOUT, MAX_DELIVERY_TIMEOUT] as const;
// SendCommand MaxConcurrency/MaxErrors patterns (botocore ssm model), as the runbooks check them.
const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
// ListCommandInvocations MaxResults is 1..50 (SSM API reference), the same as the InstanceIds limit.
const MAX_INVOCATION_RESULTS = 50;

function seconds(prop: string, duration: Duration | undefined, fallback: number, [min, max]: readonly [number, number]): number {
  if (duration === undefined) return fallback;
  const value = duration.toSeconds({ integral: false });
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ShellStepValidationError(`${prop} must be a whole number of seconds from ${min} to ${max}; got ${value} s.`);
  }
  return value;
}

function nodeCount(prop: string, value: NodeCount | undefined, pattern: RegExp, example: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!pattern.test(text)) {
    throw new ShellStepValidationError(`${prop} must be a number of nodes or a percentage such as ${example}; got '${text}'.`);
  }
  return text;
}

/**
 * Runs shell commands on managed nodes through the runbooks and waits for them to finish.
 *
 * On success the result is `{CommandId, Status, DocumentName, AutomationExecutionId}`. On failure the task
 * fails with `RunCommand.Failed`, `RunCommand.TimedOut`, `RunCommand.Cancelled`, `Automation.StepFailed`,
 * `Automation.Cancelled` or `Automation.CallbackFailed` (see {@link RunShellCommand.COMMAND_ERRORS}).
 *
 * @example
 * const run = RunShellCommand.jsonPath(this, 'Deploy', {
 *   runbooks,
 *   targets: CommandTargets.instanceIds(['i-0123456789abcdef0']),
 *   commands: ['cd /srv/app', './deploy.sh'],
 * });
 * run.addCatch(handleFailure, { errors: RunShellCommand.COMMAND_ERRORS });
 */
export class RunShellCommand extends sfn.TaskStateBase {
  /** The errors of a command that ran and did not succeed (its status): what a `Catch` usually handles. */
  static readonly COMMAND_ERRORS: readonly string[] = ['RunCommand.Failed', 'RunCommand.TimedOut', 'RunCommand.Cancelled'];
  /** The errors of an automation that did not get as far as a command status. */
  static readonly AUTOMATION_ERRORS: readonly string[] = ['Automation.StepFailed', 'Automation.Cancelled', 'Automation.CallbackFailed'];

  /** A JSONPath Task state: state-input values are JSONPaths (`$.ids`). */
  static jsonPath(scope: Construct, id: string, props: RunShellCommandJsonPathProps): RunShellCommand {
    return new RunShellCommand(scope, id, { ...props, queryLanguage: sfn.QueryLanguage.JSON_PATH });
  }

  /** A JSONata Task state: state-input values are JSONata expressions (`{% $states.input.ids %}`). */
  static jsonata(scope: Construct, id: string, props: RunShellCommandJsonataProps): RunShellCommand {
    return new RunShellCommand(scope, id, { ...props, queryLanguage: sfn.QueryLanguage.JSONATA });
  }

  /** The state added by `fetchResults`, to add a `Retry` or `Catch` to it. */
  readonly resultsTask: tasks.CallAwsService | undefined;
  /** `executionTimeout + deliveryTimeout + 300` s, or the `taskTimeout` given. */
  readonly timeoutSeconds: number | undefined;
  override readonly endStates: sfn.INextable[];
  protected readonly taskMetrics?: sfn.TaskMetricsConfig;
  protected readonly taskPolicies: iam.PolicyStatement[];

  private readonly options: RunShellCommandOptions & { readonly queryLanguage?: sfn.QueryLanguage | undefined };
  private readonly executionTimeoutSeconds: number;
  private readonly deliveryTimeoutSeconds: number;
  private readonly maxConcurrency: string | undefined;
  private readonly maxErrors: string | undefined;

  constructor(scope: Construct, id: string, props: RunShellCommandProps) {
    const executionTimeout = seconds('executionTimeout', props.executionTimeout, DEFAULT_EXECUTION_TIMEOUT, EXECUTION_TIMEOUT_RANGE);
    const deliveryTimeout = seconds('deliveryTimeout', props.deliveryTimeout, DEFAULT_DELIVERY_TIMEOUT, DELIVERY_TIMEOUT_RANGE);
    const fetchResults = props.fetchResults === true;
    const jsonata = props.queryLanguage === sfn.QueryLanguage.JSONATA;
    if (fetchResults) checkFetchResults(props, jsonata);
    // With fetchResults the caller's OutputPath belongs on the last state, after the results are in.
    const { outputPath, ...taskProps } = props;
    super(scope, id, {
      ...(fetchResults ? taskProps : props),
      taskTimeout: props.taskTimeout ?? sfn.Timeout.duration(Duration.seconds(taskTimeoutSeconds(executionTimeout, deliveryTimeout))),
    });
    this.options = props;
    this.executionTimeoutSeconds = executionTimeout;
    this.deliveryTimeoutSeconds = deliveryTimeout;
    this.timeoutSeconds = props.taskTimeout === undefined ? taskTimeoutSeconds(executionTimeout, deliveryTimeout) : props.taskTimeout.seconds;
    this.maxConcurrency = nodeCount('maxConcurrency', props.maxConcurrency, MAX_CONCURRENCY_PATTERN, "10 or '10%'");
    this.maxErrors = nodeCount('maxErrors', props.maxErrors, MAX_ERRORS_PATTERN, "0, 1 or '10%'");
    this.validate(props);

    this.taskPolicies = startAutomationStatements(this, [props.runbooks.documentName(props.targets.mode)], props.runbooks.role);

    if (fetchResults) {
      this.resultsTask = this.createResultsTask(props, jsonata, outputPath);
      // The results state always follows; next() continues after it.
      this.makeNext(this.resultsTask);
      this.endStates = [this.resultsTask];
    } else {
      this.resultsTask = undefined;
      this.endStates = [this];
    }
  }

  /** Continue with `next` after this task (after its results state when `fetchResults` is set). */
  override next(next: sfn.IChainable): sfn.Chain {
    if (this.resultsTask === undefined) return super.next(next);
    this.resultsTask.next(next);
    return sfn.Chain.custom(this, next.endStates, next);
  }

  private validate(props: RunShellCommandProps): void {
    // `shell` is typed, but a JavaScript caller or a cast can still pass 'shell'; AWS would reject it only
    // when the automation starts (allowedValues are case-sensitive), so say it now.
    if (props.shell !== undefined && props.shell !== CommandShell.SHELL && props.shell !== CommandShell.POWERSHELL) {
      const hint = String(props.shell).toLowerCase() === 'powershell' ? 'PowerShell' : 'Shell';
      throw new ShellStepValidationError(
        `shell must be CommandShell.SHELL ('Shell') or CommandShell.POWERSHELL ('PowerShell'), case-sensitive; got '${String(props.shell)}'. Use '${hint}'.`,
        this,
      );
    }
    const commands = props.commands;
    if (!(commands instanceof ShellCommands) && !Token.isUnresolved(commands)) {
      if (commands.length === 0) {
        throw new ShellStepValidationError('commands must hold at least one line, e.g. commands: [\'echo hello\'].', this);
      }
      if (commands.length > MAX_LIST_ITEMS) {
        throw new ShellStepValidationError(
          `commands may hold at most ${MAX_LIST_ITEMS} lines (an automation parameter list holds at most ${MAX_LIST_ITEMS} values); got ${commands.length}. Put the script in a file on the node, or join lines with ' && '.`,
          this,
        );
      }
      commands.forEach((line, index) => checkValue(`commands[${index}]`, line));
    }
    if (props.workingDirectory !== undefined) checkValue('workingDirectory', props.workingDirectory);
    if (props.commandComment !== undefined) checkValue('commandComment', props.commandComment, 100);
    if (props.outputKeyPrefix !== undefined) checkValue('outputKeyPrefix', props.outputKeyPrefix, 500);

    const timeout = this.timeoutSeconds;
    const heartbeat = props.heartbeatTimeout?.seconds;
    if (heartbeat !== undefined && timeout !== undefined && heartbeat >= timeout) {
      throw new ShellStepValidationError(
        `heartbeatTimeout (${heartbeat} s) must be shorter than the task timeout (${timeout} s). The runbooks send no heartbeats, so leave heartbeatTimeout out unless something else calls SendTaskHeartbeat.`,
        this,
      );
    }
    const commandSeconds = this.executionTimeoutSeconds + this.deliveryTimeoutSeconds;
    if (props.taskTimeout !== undefined && timeout !== undefined && timeout < commandSeconds) {
      Annotations.of(this).addWarningV2(
        'shellstep:taskTimeoutShorterThanCommand',
        `taskTimeout (${timeout} s) is shorter than executionTimeout + deliveryTimeout (${commandSeconds} s): the task can time out (States.Timeout) while the command still runs.`,
      );
    }
  }

  private createResultsTask(props: RunShellCommandProps, jsonata: boolean, outputPath: string | undefined): tasks.CallAwsService {
    const stateName = props.resultsStateName ?? `${props.stateName ?? this.node.id} Results`;
    const common = {
      stateName,
      service: 'ssm',
      action: 'listCommandInvocations',
      iamAction: 'ssm:ListCommandInvocations',
      // ListCommandInvocations has no resource types (Service Authorization Reference), so only "*" matches.
      iamResources: ['*'],
    };
    if (jsonata) {
      return tasks.CallAwsService.jsonata(this, 'Results', {
        ...common,
        parameters: { CommandId: '{% $states.input.CommandId %}', Details: true, MaxResults: MAX_INVOCATION_RESULTS },
        outputs: '{% $merge([$states.input, {"Results": {"Invocations": $states.result.CommandInvocations}}]) %}',
      });
    }
    const resultPath = props.resultPath ?? '$';
    const at = (key: string) => (resultPath === '$' ? `$.${key}` : `${resultPath}.${key}`);
    return new tasks.CallAwsService(this, 'Results', {
      ...common,
      parameters: { CommandId: sfn.JsonPath.stringAt(at('CommandId')), Details: true, MaxResults: MAX_INVOCATION_RESULTS },
      resultSelector: { Invocations: sfn.JsonPath.listAt('$.CommandInvocations') },
      resultPath: at('Results'),
      ...(outputPath === undefined ? {} : { outputPath }),
    });
  }

  /** @internal */
  protected _renderTask(topLevelQueryLanguage?: sfn.QueryLanguage): unknown {
    const queryLanguage = sfn._getActualQueryLanguage(topLevelQueryLanguage, this.options.queryLanguage);
    const jsonata = queryLanguage === sfn.QueryLanguage.JSONATA;
    const o = this.options;
    const mode = o.targets.mode;
    const source = o.targets._source;
    const parameters: Record<string, unknown> = {
      [mode]: source.kind === 'static' ? [...source.values] : fromInput(source.pathOrExpression, queryLanguage, `CommandTargets.${mode === 'InstanceIds' ? 'instanceIdsFromInput' : 'targetsFromInput'}()`, mode === 'InstanceIds' ? 'instanceIds' : 'targets'),
      // The token goes in a one-item list: every automation parameter value is a list (docs/runbooks.md).
      taskToken: jsonata ? ['{% $states.context.Task.Token %}'] : sfn.JsonPath.array(sfn.JsonPath.taskToken),
      Commands: o.commands instanceof ShellCommands ? fromInput(o.commands._pathOrExpression, queryLanguage, 'ShellCommands.fromInput()', 'commands') : o.commands,
      shell: [o.shell ?? CommandShell.SHELL],
      // Always passed, so that the derived TimeoutSeconds and the command's timeouts visibly agree.
      executionTimeout: [String(this.executionTimeoutSeconds)],
      deliveryTimeout: [String(this.deliveryTimeoutSeconds)],
    };
    const scalar = (name: string, value: string | undefined) => {
      if (value === undefined) return;
      if (!jsonata && isJsonataExpression(value)) {
        throw new ShellStepValidationError(`${name} is a JSONata expression, but this state uses JSONPath; use RunShellCommand.jsonata() or JsonPath.stringAt().`, this);
      }
      parameters[name] = listOf(value, queryLanguage);
    };
    scalar('workingDirectory', o.workingDirectory);
    scalar('MaxConcurrency', this.maxConcurrency);
    scalar('MaxErrors', this.maxErrors);
    const cloudWatchEnabled = o.cloudWatchOutputEnabled ?? (o.cloudWatchLogGroup === undefined ? undefined : true);
    if (cloudWatchEnabled !== undefined) parameters['CloudWatchOutputEnabled'] = [String(cloudWatchEnabled)];
    scalar('CloudWatchLogGroupName', o.cloudWatchLogGroup?.logGroupName);
    scalar('OutputS3BucketName', o.outputBucket?.bucketName);
    scalar('OutputS3KeyPrefix', o.outputKeyPrefix);
    scalar('Comment', o.commandComment);

    return {
      Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken`,
      ...this._renderParametersOrArguments({ DocumentName: o.runbooks.documentName(mode), Parameters: parameters }, queryLanguage),
    };
  }
}

function checkFetchResults(props: RunShellCommandProps, jsonata: boolean): void {
  if (jsonata && props.outputs !== undefined) {
    throw new ShellStepValidationError(
      'fetchResults sets the output of its results state, so it cannot be combined with outputs; shape the result in a Pass state after this task.',
    );
  }
  if (!jsonata && props.resultSelector !== undefined) {
    throw new ShellStepValidationError(
      'fetchResults reads CommandId from the task result, so it cannot be combined with resultSelector; shape the result in a Pass state after this task.',
    );
  }
  if (!jsonata && props.resultPath === sfn.JsonPath.DISCARD) {
    throw new ShellStepValidationError(
      "fetchResults needs the task result, so resultPath cannot be JsonPath.DISCARD; use a path such as '$.command'.",
    );
  }
}

