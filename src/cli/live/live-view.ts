/**
 * The live view of an execution: states entered and left, the automation's steps, each node's command status,
 * and elapsed time, written to stderr as they happen. It polls the public APIs (GetExecutionHistory,
 * DescribeAutomationStepExecutions, ListCommandInvocations), so it works the same on the embedded engine, a
 * local endpoint and AWS.
 */
import type { AwsApi } from '../../engine/aws-api.js';
import { isJsonObject, type JsonObject } from '../../model/json.js';

export interface LiveViewOptions {
  readonly api: AwsApi;
  readonly write?: (line: string) => void;
  /** Poll interval in ms (default 100). */
  readonly intervalMs?: number;
  /** Elapsed time is measured from here (default: now). */
  readonly startedAt?: number;
  /** Prefix for every line, e.g. the scenario name. */
  readonly label?: string;
}

export interface ExecutionSummary {
  readonly status: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

function short(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

/** Follows one execution until it ends; resolves with DescribeExecution's result. */
export async function followExecution(executionArn: string, options: LiveViewOptions): Promise<ExecutionSummary> {
  const { api } = options;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = options.startedAt ?? Date.now();
  const interval = options.intervalMs ?? 100;
  const log = (text: string) => write(`${((Date.now() - started) / 1000).toFixed(2).padStart(7)}s ${options.label === undefined ? '' : `[${options.label}] `}${text}`);
  let seenEvents = 0;
  const automations = new Set<string>();
  const stepStatus = new Map<string, string>();
  const invocationStatus = new Map<string, string>();
  const commands = new Set<string>();

  const pollHistory = async (): Promise<void> => {
    const history = (await api.call('sfn', 'GetExecutionHistory', { executionArn, maxResults: 1000 })) as { events?: JsonObject[] };
    const events = history.events ?? [];
    for (const event of events.slice(seenEvents)) {
      const type = String(event['type']);
      const entered = event['stateEnteredEventDetails'];
      const exited = event['stateExitedEventDetails'];
      if (type.endsWith('StateEntered') && isJsonObject(entered)) log(`▶ ${String(entered['name'])} (${type.replace('StateEntered', '')})`);
      if (type.endsWith('StateExited') && isJsonObject(exited)) log(`◀ ${String(exited['name'])}`);
      const submitted = event['taskSubmittedEventDetails'];
      if (type === 'TaskSubmitted' && isJsonObject(submitted)) {
        try {
          const output = JSON.parse(String(submitted['output'] ?? '{}')) as JsonObject;
          if (typeof output['AutomationExecutionId'] === 'string') {
            automations.add(output['AutomationExecutionId']);
            log(`  automation ${short(output['AutomationExecutionId'])} started`);
          }
        } catch {
          // not JSON: nothing to follow
        }
      }
      const failed = event['taskFailedEventDetails'] ?? event['executionFailedEventDetails'];
      if (isJsonObject(failed) && type.endsWith('Failed')) log(`✗ ${type}: ${String(failed['error'] ?? '')}`);
      if (type === 'TaskTimedOut') log('✗ TaskTimedOut: States.Timeout');
      if (type === 'TaskSucceeded') log('✓ TaskSucceeded');
    }
    seenEvents = events.length;
  };

  const pollAutomations = async (): Promise<void> => {
    for (const id of automations) {
      const steps = (await api.call('ssm', 'DescribeAutomationStepExecutions', { AutomationExecutionId: id }).catch(() => ({ StepExecutions: [] }))) as {
        StepExecutions?: JsonObject[];
      };
      for (const step of steps.StepExecutions ?? []) {
        const key = `${id}/${String(step['StepName'])}`;
        const status = String(step['StepStatus']);
        if (stepStatus.get(key) !== status) {
          stepStatus.set(key, status);
          log(`  step ${String(step['StepName'])}: ${status}${typeof step['FailureMessage'] === 'string' ? ` — ${step['FailureMessage']}` : ''}`);
        }
        const outputs = step['Outputs'];
        const commandId = isJsonObject(outputs) && Array.isArray(outputs['CommandId']) ? outputs['CommandId'][0] : undefined;
        if (typeof commandId === 'string') commands.add(commandId);
      }
    }
    for (const commandId of commands) {
      const invocations = (await api.call('ssm', 'ListCommandInvocations', { CommandId: commandId, Details: true }).catch(() => ({ CommandInvocations: [] }))) as {
        CommandInvocations?: JsonObject[];
      };
      for (const inv of invocations.CommandInvocations ?? []) {
        const key = `${commandId}/${String(inv['InstanceId'])}`;
        const plugin = Array.isArray(inv['CommandPlugins']) && isJsonObject(inv['CommandPlugins'][0]) ? inv['CommandPlugins'][0] : undefined;
        const code = plugin !== undefined && typeof plugin['ResponseCode'] === 'number' && plugin['ResponseCode'] >= 0 ? ` (exit ${plugin['ResponseCode']})` : '';
        const status = `${String(inv['StatusDetails'] ?? inv['Status'])}${code}`;
        if (invocationStatus.get(key) !== status) {
          invocationStatus.set(key, status);
          log(`    ${String(inv['InstanceId'])}: ${status}`);
        }
      }
    }
  };

  for (;;) {
    await pollHistory();
    await pollAutomations();
    const described = (await api.call('sfn', 'DescribeExecution', { executionArn })) as JsonObject;
    const status = String(described['status']);
    if (TERMINAL.has(status)) {
      await pollHistory();
      await pollAutomations();
      log(`■ ${status}${typeof described['error'] === 'string' ? ` (${described['error']})` : ''}`);
      return {
        status,
        ...(typeof described['output'] === 'string' ? { output: JSON.parse(described['output']) as unknown } : {}),
        ...(typeof described['error'] === 'string' ? { error: described['error'] } : {}),
        ...(typeof described['cause'] === 'string' ? { cause: described['cause'] } : {}),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
