/**
 * The two runbooks, `SfnRunCommandByInstanceIds` and `SfnRunCommandByTargets`, written once as typed data.
 *
 * Shape (docs/runbooks.md has the diagram): `ChooseCommand` (aws:branch on shell and S3 output) → one of four
 * `aws:runCommand` steps → `NotifySuccess_*` (SendTaskSuccess) or `NotifyFailure_*` (SendTaskFailure). Every
 * other way out (a rejected SendCommand, a failed callback, a cancelled automation) ends in a shared
 * SendTaskFailure step that needs nothing but the execution id, so no path leaves the task token waiting (D11).
 */
import type { JsonValue } from '../model/json.js';
import type { Runbook, RunbookParameter, RunbookStep } from '../model/runbook.js';

export type TargetMode = 'InstanceIds' | 'Targets';

export const RUNBOOK_NAMES: Readonly<Record<TargetMode, string>> = {
  InstanceIds: 'SfnRunCommandByInstanceIds',
  Targets: 'SfnRunCommandByTargets',
};

/** AWS-RunShellScript `executionTimeout`: "Maximum is 172800 (48 hours)" (aws-semantics §6.1). */
export const MAX_EXECUTION_TIMEOUT = 172_800;
export const DEFAULT_EXECUTION_TIMEOUT = 3_600;
/** SendCommand `TimeoutSeconds` range 30..2592000 (botocore ssm model; aws-semantics §3.1). */
export const MIN_DELIVERY_TIMEOUT = 30;
export const MAX_DELIVERY_TIMEOUT = 2_592_000;
/** Our default delivery timeout: the console's default (aws-semantics §6.4; the API default is UNCONFIRMED). */
export const DEFAULT_DELIVERY_TIMEOUT = 600;
/**
 * Run Command ends an invocation that has not reported back at TimeoutSeconds + executionTimeout
 * (`Delivery Timed Out`, aws-semantics §6.4), so a lost agent ends there. The step timeout is a backstop that
 * can never cut a valid command short: the largest possible sum, plus time for SendCommand itself.
 */
export const RUN_COMMAND_STEP_TIMEOUT = MAX_DELIVERY_TIMEOUT + MAX_EXECUTION_TIMEOUT + 300;
/** aws:executeAwsApi "can run up to a maximum duration of 25 seconds" (D12; aws-semantics §4). */
export const CALLBACK_STEP_TIMEOUT = 25;
/** Callbacks are retried: a throttled SendTaskSuccess must not become a failed run. */
export const CALLBACK_MAX_ATTEMPTS = 3;
export const DEFAULT_LOG_GROUP = '/aws/ssm/SfnRunCommand';

/**
 * The `error` names a state machine can match in `Catch.ErrorEquals` (docs/runbooks.md#errors).
 * `RunCommand.<CommandStatus>` carries the command's final status: Failed, TimedOut or Cancelled.
 */
export const ERROR_NAMES = {
  commandFailed: 'RunCommand.Failed',
  commandTimedOut: 'RunCommand.TimedOut',
  commandCancelled: 'RunCommand.Cancelled',
  stepFailed: 'Automation.StepFailed',
  cancelled: 'Automation.Cancelled',
  callbackFailed: 'Automation.CallbackFailed',
} as const;

// AWS-RunShellScript's own executionTimeout pattern, anchored: 1..172800 (aws-semantics §6.1).
const EXECUTION_TIMEOUT_PATTERN = '^([1-9][0-9]{0,4}|1[0-6][0-9]{4}|17[0-1][0-9]{3}|172[0-7][0-9]{2}|172800)$';
// SendCommand MaxConcurrency / MaxErrors patterns (botocore ssm model; aws-semantics §3.1).
const MAX_CONCURRENCY_PATTERN = '^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$';
const MAX_ERRORS_PATTERN = '^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$';
const ASSUME_ROLE_PATTERN = '^$|^arn:aws[a-z0-9-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$';

interface Variant {
  readonly step: string;
  readonly shell: 'Shell' | 'PowerShell';
  readonly document: 'AWS-RunShellScript' | 'AWS-RunPowerShellScript';
  readonly toS3: boolean;
}

const VARIANTS: readonly Variant[] = [
  { step: 'RunShellScript', shell: 'Shell', document: 'AWS-RunShellScript', toS3: false },
  { step: 'RunShellScriptToS3', shell: 'Shell', document: 'AWS-RunShellScript', toS3: true },
  { step: 'RunPowerShellScript', shell: 'PowerShell', document: 'AWS-RunPowerShellScript', toS3: false },
  { step: 'RunPowerShellScriptToS3', shell: 'PowerShell', document: 'AWS-RunPowerShellScript', toS3: true },
];

const NOTIFY_STEP_FAILED = 'NotifyStepFailed';
const NOTIFY_CANCELLED = 'NotifyAutomationCancelled';
const NOTIFY_CALLBACK_FAILED = 'NotifyCallbackFailed';

export interface RunbookOptions {
  /** Default of the `AutomationAssumeRole` parameter: `""` (the caller's permissions) or the role ARN. */
  readonly assumeRoleDefault?: JsonValue;
}

/** Builds the runbook for one target mode. Both modes share every step but the target input. */
export function buildRunbook(mode: TargetMode, options: RunbookOptions = {}): Runbook {
  return {
    schemaVersion: '0.3',
    description: description(mode),
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: parameters(mode, options),
    mainSteps: [chooseStep(), ...VARIANTS.flatMap((v) => variantSteps(mode, v)), ...sharedSteps()],
  };
}

function parameters(mode: TargetMode, options: RunbookOptions): Record<string, RunbookParameter> {
  const target: Record<string, RunbookParameter> =
    mode === 'InstanceIds'
      ? {
          InstanceIds: {
            type: 'StringList',
            description: '(Required) The IDs of the managed nodes to run the commands on (i-… or mi-…), at most 50.',
            minItems: 1,
            maxItems: 50,
          },
        }
      : {
          Targets: {
            type: 'MapList',
            description:
              '(Required) Which managed nodes to run the commands on, as Run Command targets (at most 5). Example: [{"Key":"tag:Environment","Values":["dev"]}] or [{"Key":"InstanceIds","Values":["i-02573cafcfEXAMPLE"]}].',
            minItems: 1,
            maxItems: 5,
          },
        };
  return {
    AutomationAssumeRole: {
      type: 'String',
      description:
        '(Optional) The ARN of the role the automation assumes. Empty: the permissions of whoever starts the automation.',
      default: options.assumeRoleDefault ?? '',
      allowedPattern: ASSUME_ROLE_PATTERN,
    },
    ...target,
    Commands: {
      type: 'StringList',
      description: '(Required) The shell script to run, one line per item. All lines run as one script.',
      minItems: 1,
      displayType: 'textarea',
    },
    taskToken: {
      type: 'String',
      description:
        '(Required) The Step Functions task token to call back, passed as "taskToken.$": "States.Array($$.Task.Token)".',
    },
    shell: {
      type: 'String',
      description: '(Optional) Shell runs AWS-RunShellScript (Linux, macOS); PowerShell runs AWS-RunPowerShellScript. Case-sensitive.',
      default: 'Shell',
      allowedValues: ['Shell', 'PowerShell'],
    },
    workingDirectory: {
      type: 'String',
      description: "(Optional) The directory to run the commands in. Empty: the agent's default directory.",
      default: '',
      maxChars: 4096,
    },
    executionTimeout: {
      type: 'String',
      description: `(Optional) Seconds the commands may run before they are stopped and the command times out. Default ${DEFAULT_EXECUTION_TIMEOUT} (1 hour), maximum ${MAX_EXECUTION_TIMEOUT} (48 hours).`,
      default: String(DEFAULT_EXECUTION_TIMEOUT),
      allowedPattern: EXECUTION_TIMEOUT_PATTERN,
    },
    deliveryTimeout: {
      type: 'Integer',
      description: `(Optional) Seconds Run Command waits for a node to start the commands (SendCommand TimeoutSeconds). A node that has not reported back after deliveryTimeout + executionTimeout is marked Delivery Timed Out. Minimum ${MIN_DELIVERY_TIMEOUT}, maximum ${MAX_DELIVERY_TIMEOUT}.`,
      default: DEFAULT_DELIVERY_TIMEOUT,
    },
    MaxConcurrency: {
      type: 'String',
      description: '(Optional) How many nodes run the commands at once: a number or a percentage. Default 50.',
      default: '50',
      allowedPattern: MAX_CONCURRENCY_PATTERN,
    },
    MaxErrors: {
      type: 'String',
      description:
        '(Optional) How many failed nodes to tolerate before the command fails and stops sending: a number or a percentage. Default 0: the first failure fails the command.',
      default: '0',
      allowedPattern: MAX_ERRORS_PATTERN,
    },
    CloudWatchOutputEnabled: {
      type: 'Boolean',
      description: '(Optional) Send the full command output to CloudWatch Logs (the node needs permission to write logs).',
      default: false,
    },
    CloudWatchLogGroupName: {
      type: 'String',
      description: '(Optional) The CloudWatch Logs group for the command output.',
      default: DEFAULT_LOG_GROUP,
      allowedPattern: '^[\\.\\-_/#A-Za-z0-9]{1,512}$',
    },
    OutputS3BucketName: {
      type: 'String',
      description: '(Optional) An S3 bucket for the full command output. Empty: no S3 output.',
      default: '',
      allowedPattern: '^$|^[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]$',
    },
    OutputS3KeyPrefix: {
      type: 'String',
      description: '(Optional) The key prefix for the S3 output.',
      default: '',
      maxChars: 500,
    },
    Comment: {
      type: 'String',
      description: '(Optional) A comment recorded on the command.',
      default: '',
      maxChars: 100,
    },
  };
}

/** Transitions every non-final step takes when the automation is cancelled (StopAutomationExecution). */
const ON_CANCEL = `step:${NOTIFY_CANCELLED}` as const;

function chooseStep(): RunbookStep {
  const shellIs = (shell: string) => ({ Variable: '{{ shell }}', StringEquals: shell });
  const noS3 = { Variable: '{{ OutputS3BucketName }}', StringEquals: '' };
  const choices = VARIANTS.map((v) =>
    v.toS3 ? { NextStep: v.step, ...shellIs(v.shell) } : { NextStep: v.step, And: [shellIs(v.shell), noS3] },
  );
  return {
    name: 'ChooseCommand',
    action: 'aws:branch',
    description: 'Picks the Run Command document for the shell, with or without S3 output.',
    inputs: { Choices: choices, Default: NOTIFY_STEP_FAILED },
    onFailure: `step:${NOTIFY_STEP_FAILED}`,
    onCancel: ON_CANCEL,
  };
}

function runCommandInputs(mode: TargetMode, v: Variant): Record<string, JsonValue> {
  const inputs: Record<string, JsonValue> = {
    DocumentName: v.document,
    [mode]: `{{ ${mode} }}`,
    Parameters: {
      commands: '{{ Commands }}',
      workingDirectory: '{{ workingDirectory }}',
      executionTimeout: '{{ executionTimeout }}',
    },
    TimeoutSeconds: '{{ deliveryTimeout }}',
    MaxConcurrency: '{{ MaxConcurrency }}',
    MaxErrors: '{{ MaxErrors }}',
    Comment: '{{ Comment }}',
    CloudWatchOutputConfig: {
      CloudWatchOutputEnabled: '{{ CloudWatchOutputEnabled }}',
      CloudWatchLogGroupName: '{{ CloudWatchLogGroupName }}',
    },
  };
  if (v.toS3) {
    inputs['OutputS3BucketName'] = '{{ OutputS3BucketName }}';
    inputs['OutputS3KeyPrefix'] = '{{ OutputS3KeyPrefix }}';
  }
  return inputs;
}

function variantSteps(mode: TargetMode, v: Variant): RunbookStep[] {
  const success = `NotifySuccess_${v.step}`;
  const failure = `NotifyFailure_${v.step}`;
  const ref = (output: string) => `{{ ${v.step}.${output} }}`;
  // Only ids and statuses go into the JSON: they never contain characters that need escaping, so the
  // output is valid JSON whatever the command printed (D9). Per-node output is one API call away.
  const output = `{"CommandId":"${ref('CommandId')}","Status":"${ref('Status')}","DocumentName":"${v.document}","AutomationExecutionId":"{{ automation:EXECUTION_ID }}"}`;
  return [
    {
      name: v.step,
      action: 'aws:runCommand',
      description: `Runs the commands with ${v.document}${v.toS3 ? ', writing the full output to S3' : ''}.`,
      inputs: runCommandInputs(mode, v),
      // Never re-run commands on retry: they may not be idempotent.
      maxAttempts: 1,
      timeoutSeconds: RUN_COMMAND_STEP_TIMEOUT,
      nextStep: success,
      onFailure: `step:${failure}`,
      onCancel: ON_CANCEL,
    },
    {
      name: success,
      action: 'aws:executeAwsApi',
      description: 'Reports success to Step Functions with the command id and status.',
      inputs: { Service: 'stepfunctions', Api: 'SendTaskSuccess', taskToken: '{{ taskToken }}', output },
      maxAttempts: CALLBACK_MAX_ATTEMPTS,
      timeoutSeconds: CALLBACK_STEP_TIMEOUT,
      onFailure: `step:${NOTIFY_CALLBACK_FAILED}`,
      onCancel: ON_CANCEL,
      isEnd: true,
    },
    {
      name: failure,
      action: 'aws:executeAwsApi',
      description: 'Reports the failed command to Step Functions; the error name carries the command status.',
      inputs: {
        Service: 'stepfunctions',
        Api: 'SendTaskFailure',
        taskToken: '{{ taskToken }}',
        error: `RunCommand.${ref('Status')}`,
        cause: `Command ${ref('CommandId')} (${v.document}) ended with status ${ref('Status')} in automation {{ automation:EXECUTION_ID }}. Per-node exit codes and output: aws ssm list-command-invocations --details --command-id ${ref('CommandId')}`,
      },
      maxAttempts: CALLBACK_MAX_ATTEMPTS,
      timeoutSeconds: CALLBACK_STEP_TIMEOUT,
      // If the command never produced a status (SendCommand rejected), the references above cannot resolve.
      onFailure: `step:${NOTIFY_STEP_FAILED}`,
      onCancel: ON_CANCEL,
      isEnd: true,
    },
  ];
}

function lastResort(name: string, error: string, cause: string, description: string): RunbookStep {
  return {
    name,
    action: 'aws:executeAwsApi',
    description,
    inputs: { Service: 'stepfunctions', Api: 'SendTaskFailure', taskToken: '{{ taskToken }}', error, cause },
    maxAttempts: CALLBACK_MAX_ATTEMPTS,
    timeoutSeconds: CALLBACK_STEP_TIMEOUT,
    isEnd: true,
  };
}

/** Callbacks that reference nothing but the execution id, so they resolve whatever happened before. */
function sharedSteps(): RunbookStep[] {
  const lookup = 'aws ssm get-automation-execution --automation-execution-id {{ automation:EXECUTION_ID }}';
  return [
    lastResort(
      NOTIFY_STEP_FAILED,
      ERROR_NAMES.stepFailed,
      `Automation {{ automation:EXECUTION_ID }} failed before the command reported a final status (for example SendCommand rejected an instance id or parameter, or the step timed out). Details: ${lookup}`,
      'Reports a failure that happened before the command had a status.',
    ),
    lastResort(
      NOTIFY_CANCELLED,
      ERROR_NAMES.cancelled,
      `Automation {{ automation:EXECUTION_ID }} was cancelled. Details: ${lookup}`,
      'Reports a cancelled automation (StopAutomationExecution).',
    ),
    lastResort(
      NOTIFY_CALLBACK_FAILED,
      ERROR_NAMES.callbackFailed,
      `The command finished, but SendTaskSuccess failed in automation {{ automation:EXECUTION_ID }} (the output was rejected, or the role may not call states:SendTaskSuccess). Details: ${lookup}`,
      'Reports that the success callback itself failed.',
    ),
  ];
}

function description(mode: TargetMode): string {
  const name = RUNBOOK_NAMES[mode];
  const target =
    mode === 'InstanceIds' ? '"InstanceIds": ["i-1234567890abcdef0"]' : '"Targets": ["{\\"Key\\":\\"tag:Environment\\",\\"Values\\":[\\"dev\\"]}"]';
  return [
    `# ${name}`,
    '',
    `Runs shell commands on managed nodes selected by ${mode === 'InstanceIds' ? 'instance id' : 'Run Command targets'}, then calls a Step Functions task token back, so that a state machine can wait for the commands synchronously.`,
    '',
    '* Success: SendTaskSuccess with `{"CommandId", "Status", "DocumentName", "AutomationExecutionId"}`.',
    `* Failure: SendTaskFailure with error \`RunCommand.Failed\`, \`RunCommand.TimedOut\` or \`RunCommand.Cancelled\` (the command status), \`${ERROR_NAMES.stepFailed}\` (no command status), \`${ERROR_NAMES.cancelled}\` or \`${ERROR_NAMES.callbackFailed}\`.`,
    '',
    'Call it from a Task state:',
    '',
    '```json',
    '"Resource": "arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken",',
    '"Parameters": {',
    `  "DocumentName": "${name}",`,
    '  "Parameters": {',
    `    ${target},`,
    '    "taskToken.$": "States.Array($$.Task.Token)",',
    '    "Commands": ["echo hello"]',
    '  }',
    '}',
    '```',
  ].join('\n');
}
