/**
 * The seed's sample state machine, in both query languages: run shell commands on one instance through
 * `SfnRunCommandByInstanceIds`, wait for them, then fetch each node's exit code and output.
 */
import type { JsonObject } from '../model/json.js';
import { DEFAULT_DELIVERY_TIMEOUT, DEFAULT_EXECUTION_TIMEOUT, ERROR_NAMES, RUNBOOK_NAMES } from './runbooks.js';

/** Time for Automation to start, send the command and call back, on top of the command's own timeouts. */
export const TASK_TIMEOUT_MARGIN = 300;

export interface SampleOptions {
  /** The runbook's document name (a literal, or `${Substitution}` in a template). */
  readonly documentName: string;
  readonly instanceId: string;
  /** The seed sleeps 100 s; the demo shortens it. */
  readonly sleepSeconds: string;
  readonly executionTimeout?: number;
  readonly deliveryTimeout?: number;
}

/** The Task resource that starts a runbook and waits for its callback. */
export const START_AUTOMATION_AND_WAIT = 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken';

/**
 * A JSONPath Task state that runs a runbook and waits for it to call the token back. Every runbook parameter is a
 * list of strings, so the token goes in as `States.Array($$.Task.Token)`. Add `Next`/`End`, `Catch`… as needed.
 */
export function runbookTask(options: { documentName: string; parameters: JsonObject; timeoutSeconds: number }): JsonObject {
  return {
    Type: 'Task',
    Resource: START_AUTOMATION_AND_WAIT,
    Parameters: {
      DocumentName: options.documentName,
      Parameters: { ...options.parameters, 'taskToken.$': 'States.Array($$.Task.Token)' },
    },
    TimeoutSeconds: options.timeoutSeconds,
  };
}

/** The seed's values: its example instance id and its `sleep 100`. */
export const SEED_SAMPLE: SampleOptions = {
  documentName: RUNBOOK_NAMES.InstanceIds,
  instanceId: 'i-1234567890abcdef0',
  sleepSeconds: '100',
};

/**
 * The Task timeout is derived from the command timeouts, so that even if every callback were lost the
 * execution ends (Task TimeoutSeconds otherwise defaults to 99999999 s, aws-semantics §7.2).
 */
export function taskTimeoutSeconds(executionTimeout: number, deliveryTimeout: number): number {
  return executionTimeout + deliveryTimeout + TASK_TIMEOUT_MARGIN;
}

const CATCHABLE = [ERROR_NAMES.commandFailed, ERROR_NAMES.commandTimedOut, ERROR_NAMES.commandCancelled];

function common(options: SampleOptions) {
  const executionTimeout = options.executionTimeout ?? DEFAULT_EXECUTION_TIMEOUT;
  const deliveryTimeout = options.deliveryTimeout ?? DEFAULT_DELIVERY_TIMEOUT;
  return {
    commands: [
      'echo "This is a test running automation waitForTaskToken" >> automation.log',
      `sleep ${options.sleepSeconds}`,
    ],
    executionTimeout: [String(executionTimeout)],
    deliveryTimeout: [String(deliveryTimeout)],
    timeout: taskTimeoutSeconds(executionTimeout, deliveryTimeout),
  };
}

export function sampleJsonPath(options: SampleOptions): JsonObject {
  const c = common(options);
  return {
    Comment: 'Runs shell commands on an instance and waits for them to finish, then reads each node\'s result.',
    StartAt: 'RunShellCommand',
    States: {
      RunShellCommand: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
        Parameters: {
          DocumentName: options.documentName,
          Parameters: {
            InstanceIds: [options.instanceId],
            'taskToken.$': 'States.Array($$.Task.Token)',
            Commands: c.commands,
            executionTimeout: c.executionTimeout,
            deliveryTimeout: c.deliveryTimeout,
            shell: ['Shell'],
          },
        },
        TimeoutSeconds: c.timeout,
        ResultPath: '$.command',
        Catch: [{ ErrorEquals: CATCHABLE, ResultPath: '$.error', Next: 'CommandFailed' }],
        Next: 'GetCommandResults',
      },
      GetCommandResults: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ssm:listCommandInvocations',
        Parameters: { 'CommandId.$': '$.command.CommandId', Details: true },
        ResultSelector: { 'Invocations.$': '$.CommandInvocations' },
        ResultPath: '$.results',
        End: true,
      },
      CommandFailed: {
        Type: 'Fail',
        ErrorPath: '$.error.Error',
        CausePath: '$.error.Cause',
      },
    },
  };
}

export function sampleJsonata(options: SampleOptions): JsonObject {
  const c = common(options);
  return {
    Comment: 'Runs shell commands on an instance and waits for them to finish, then reads each node\'s result.',
    QueryLanguage: 'JSONata',
    StartAt: 'RunShellCommand',
    States: {
      RunShellCommand: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
        Arguments: {
          DocumentName: options.documentName,
          Parameters: {
            InstanceIds: [options.instanceId],
            taskToken: ['{% $states.context.Task.Token %}'],
            Commands: c.commands,
            executionTimeout: c.executionTimeout,
            deliveryTimeout: c.deliveryTimeout,
            shell: ['Shell'],
          },
        },
        TimeoutSeconds: c.timeout,
        Assign: { command: '{% $states.result %}' },
        Catch: [{ ErrorEquals: CATCHABLE, Next: 'CommandFailed' }],
        Next: 'GetCommandResults',
      },
      GetCommandResults: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ssm:listCommandInvocations',
        Arguments: { CommandId: '{% $command.CommandId %}', Details: true },
        Output: { command: '{% $command %}', results: { Invocations: '{% $states.result.CommandInvocations %}' } },
        End: true,
      },
      CommandFailed: {
        Type: 'Fail',
        Error: '{% $states.input.Error %}',
        Cause: '{% $states.input.Cause %}',
      },
    },
  };
}
