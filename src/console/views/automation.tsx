/**
 * What a Task's automation did: its steps with status, inputs and outputs, and under `aws:runCommand` each instance's
 * status, exit code, stdout and stderr, live while the command runs. What SSM truncates is shown as truncated: the
 * API gives the first 24,000 characters of stdout and 8,000 of stderr, and the plugin output at most 2,500.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, readStream, ssm } from '../api/client.js';
import { ErrorNote, JsonBlock, StatusBadge, formatTime, useLiveRefresh, useLoad } from './common.js';

export interface StepExecution {
  StepName: string;
  Action: string;
  StepStatus: string;
  ExecutionStartTime?: number;
  ExecutionEndTime?: number;
  Inputs?: Record<string, string>;
  Outputs?: Record<string, string[]>;
  FailureMessage?: string;
  FailureDetails?: { FailureType?: string; Details?: Record<string, string[]> };
}

export interface AutomationExecution {
  AutomationExecutionId: string;
  DocumentName: string;
  AutomationExecutionStatus: string;
  ExecutionStartTime?: number;
  ExecutionEndTime?: number;
  StepExecutions: StepExecution[];
  FailureMessage?: string;
  Outputs?: Record<string, string[]>;
}

export interface CommandInvocation {
  InstanceId: string;
  InstanceName?: string;
  Status: string;
  StatusDetails: string;
  CommandPlugins?: { Name: string; Status: string; ResponseCode: number; Output?: string }[];
}

/** Limits of GetCommandInvocation (`StandardOutputContent`, `StandardErrorContent`) and of the plugin `Output`. */
export const STDOUT_LIMIT = 24_000;
export const STDERR_LIMIT = 8_000;
const TERMINAL_INVOCATION = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
const TERMINAL_AUTOMATION = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'CompletedWithSuccess', 'CompletedWithFailure']);

export function loadAutomation(id: string): Promise<AutomationExecution> {
  return ssm<{ AutomationExecution: AutomationExecution }>('GetAutomationExecution', { AutomationExecutionId: id }).then((r) => r.AutomationExecution);
}

export function loadInvocations(commandId: string): Promise<CommandInvocation[]> {
  return ssm<{ CommandInvocations: CommandInvocation[] }>('ListCommandInvocations', { CommandId: commandId, Details: true }).then((r) => r.CommandInvocations);
}

/** The command an `aws:runCommand` step sent (its `CommandId` output, set as soon as the command exists). */
export function commandIdOf(step: StepExecution): string | undefined {
  const value = step.Outputs?.['CommandId']?.[0] ?? step.FailureDetails?.Details?.['CommandId']?.[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Step inputs come as JSON texts (`"\"AWS-RunShellScript\""`): shown as the values they stand for. */
function readableInputs(inputs: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(inputs)) {
    try {
      out[key] = JSON.parse(text) as unknown;
    } catch {
      out[key] = text;
    }
  }
  return out;
}

export function AutomationView({ id }: { id: string }) {
  const automation = useLoad(() => loadAutomation(id), [id]);
  const running = automation.data === undefined || !TERMINAL_AUTOMATION.has(automation.data.AutomationExecutionStatus);
  // A running aws:runCommand step learns its CommandId mid-step: command notices refresh it too.
  useLiveRefresh((c) => (c.kind === 'automation' && c.id === id) || (running && c.kind === 'command'), automation.reload, [id, running, automation.reload]);
  if (automation.error) return <ErrorNote error={automation.error} what={`automation ${id}`} />;
  const a = automation.data;
  if (a === undefined) return <p aria-busy="true">Loading automation {id}…</p>;
  return (
    <div class="automation" data-automation={id}>
      <p>
        Automation <code>{a.AutomationExecutionId}</code> of <strong>{a.DocumentName}</strong> <StatusBadge status={a.AutomationExecutionStatus} /> started{' '}
        {formatTime(a.ExecutionStartTime)}
        {a.ExecutionEndTime !== undefined && <>, ended {formatTime(a.ExecutionEndTime)}</>}
      </p>
      {a.FailureMessage && <p class="failure-message">{a.FailureMessage}</p>}
      <ol class="steps">
        {a.StepExecutions.map((step, i) => (
          <li key={`${step.StepName}-${i}`} class="step" data-step={step.StepName}>
            <details open={step.Action === 'aws:runCommand' || step.StepStatus === 'Failed' || step.StepStatus === 'InProgress'}>
              <summary>
                <strong>{step.StepName}</strong> <code>{step.Action}</code> <StatusBadge status={step.StepStatus} />
              </summary>
              {step.FailureMessage && <p class="failure-message">{step.FailureMessage}</p>}
              <div class="io">
                <div>
                  <h4>Inputs</h4>
                  <JsonBlock value={readableInputs(step.Inputs ?? {})} label={`Inputs of step ${step.StepName}`} />
                </div>
                <div>
                  <h4>Outputs</h4>
                  <JsonBlock value={step.Outputs ?? {}} label={`Outputs of step ${step.StepName}`} />
                </div>
              </div>
              {step.Action === 'aws:runCommand' && commandIdOf(step) !== undefined && <CommandView commandId={commandIdOf(step)!} />}
            </details>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function CommandView({ commandId }: { commandId: string }) {
  const invocations = useLoad(() => loadInvocations(commandId), [commandId]);
  useLiveRefresh((c) => c.kind === 'command' && c.id === commandId, invocations.reload, [commandId, invocations.reload], 250);
  if (invocations.error) return <ErrorNote error={invocations.error} what={`command ${commandId}`} />;
  return (
    <div class="command" data-command={commandId}>
      <h4>
        Command <code>{commandId}</code>
      </h4>
      {(invocations.data ?? []).map((inv) => (
        <InvocationView key={inv.InstanceId} commandId={commandId} invocation={inv} />
      ))}
    </div>
  );
}

interface Output {
  stdout: string;
  stderr: string;
  /** Everything the process wrote, once it ended (the stream's last event). */
  lengths?: { stdout: number; stderr: number };
}

function InvocationView({ commandId, invocation }: { commandId: string; invocation: CommandInvocation }) {
  const done = TERMINAL_INVOCATION.has(invocation.Status);
  const [live, setLive] = useState<Output>({ stdout: '', stderr: '' });
  const [final, setFinal] = useState<{ stdout: string; stderr: string; code: number } | undefined>();
  const [error, setError] = useState<Error | undefined>();
  // Live output while it runs, and the full lengths at its end (to show what the API's limits left out).
  useEffect(() => {
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    readStream(
      'api/output',
      { commandId, instanceId: invocation.InstanceId },
      (event, data) => {
        const d = data as { stream?: string; text?: string; stdoutLength?: number; stderrLength?: number };
        if (event === 'output') {
          if (d.stream === 'stdout') stdout += d.text ?? '';
          else stderr += d.text ?? '';
          setLive({ stdout, stderr });
        } else if (event === 'end') {
          setLive({ stdout, stderr, lengths: { stdout: d.stdoutLength ?? 0, stderr: d.stderrLength ?? 0 } });
        }
      },
      controller.signal,
    ).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e instanceof Error ? e : new Error(String(e)));
    });
    return () => controller.abort();
  }, [commandId, invocation.InstanceId]);
  useEffect(() => {
    if (!done) return;
    ssm<{ StandardOutputContent: string; StandardErrorContent: string; ResponseCode: number }>('GetCommandInvocation', { CommandId: commandId, InstanceId: invocation.InstanceId }).then(
      (r) => setFinal({ stdout: r.StandardOutputContent, stderr: r.StandardErrorContent, code: r.ResponseCode }),
      (e: unknown) => setError(e instanceof ApiError ? e : new Error(String(e))),
    );
  }, [commandId, invocation.InstanceId, done]);
  const plugin = invocation.CommandPlugins?.[0];
  const code = final?.code ?? plugin?.ResponseCode;
  const stdout = final?.stdout ?? live.stdout;
  const stderr = final?.stderr ?? live.stderr;
  return (
    <div class="invocation" data-instance={invocation.InstanceId} data-status={invocation.Status}>
      <p class="invocation-head">
        <strong>{invocation.InstanceId}</strong>
        {invocation.InstanceName ? ` (${invocation.InstanceName})` : ''} <StatusBadge status={invocation.Status} /> <span>{invocation.StatusDetails}</span>{' '}
        <span class="exit-code">exit code {code === undefined || code === -1 ? '–' : code}</span>
        {!done && <span class="live-note"> · live output</span>}
      </p>
      {error && <ErrorNote error={error} what="the output" />}
      <OutputBlock label={`stdout of ${invocation.InstanceId}`} name="stdout" text={stdout} limit={STDOUT_LIMIT} total={final === undefined ? undefined : live.lengths?.stdout} api="StandardOutputContent" />
      <OutputBlock label={`stderr of ${invocation.InstanceId}`} name="stderr" text={stderr} limit={STDERR_LIMIT} total={final === undefined ? undefined : live.lengths?.stderr} api="StandardErrorContent" />
      {plugin?.Output !== undefined && plugin.Output !== '' && (
        <details class="plugin-output">
          <summary>Plugin output (ListCommandInvocations, at most 2,500 characters)</summary>
          <pre class="output">
            {plugin.Output.split(/(\n---(?:Output|Error) truncated-*)/).map((part, i) =>
              /---(Output|Error) truncated/.test(part) ? (
                <mark class="truncation" key={i}>
                  {part}
                </mark>
              ) : (
                part
              ),
            )}
          </pre>
        </details>
      )}
    </div>
  );
}

function OutputBlock({ label, name, text, limit, total, api }: { label: string; name: string; text: string; limit: number; total: number | undefined; api: string }) {
  const truncated = total !== undefined && total > text.length;
  return (
    <div class={`stream stream-${name}`}>
      <h5>{name}</h5>
      {text === '' ? (
        <p class="empty">(empty)</p>
      ) : (
        <pre class="output" aria-label={label} tabIndex={0}>
          {text}
        </pre>
      )}
      {truncated && (
        <p class="truncation" role="note">
          Truncated by SSM: {api} holds the first {limit.toLocaleString('en-US')} characters; the command wrote {total.toLocaleString('en-US')}.
        </p>
      )}
    </div>
  );
}
