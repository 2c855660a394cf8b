/**
 * One execution on one page: why it failed (one line at the top), the graph coloured by what happened, the selected
 * state's input, output, error and cause (and a Map's iterations), the automations its Tasks started down to each
 * instance's output, and the event history. The history comes live from `api/history`.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, readStream, sfn } from '../api/client.js';
import { allStates, buildWorkflow } from '../model/asl-graph.js';
import { readHistory, type ExecutionView, type HistoryEvent, type StateRun } from '../model/execution-state.js';
import { layoutWorkflow } from '../model/layout.js';
import { AutomationView, commandIdOf, loadAutomation, loadInvocations } from './automation.js';
import { arnName, ErrorNote, formatDuration, formatTime, Head, href, Picker, JsonBlock, Section, StatusBadge, useLoad } from './common.js';
import { GraphView, Legend, STATUS_WORDS } from './graph.js';
import { HistoryTable } from './history-table.js';

interface DescribedExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate: number;
  stopDate?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** Set once the endpoint answered that it does not serve DescribeStateMachineForExecution. */
let forExecutionUnserved = false;

/** `arn:…:execution:<machine>:<name>` → `arn:…:stateMachine:<machine>` (standard executions). */
export function stateMachineArnOf(executionArn: string): string {
  const parts = executionArn.split(':');
  return [...parts.slice(0, 5), 'stateMachine', parts[6] ?? ''].join(':');
}

/**
 * The definition the execution ran: DescribeStateMachineForExecution where served, else the machine's current one.
 * Asked by the execution's ARN alone, so that it loads alongside the execution and its history.
 */
async function definitionFor(executionArn: string): Promise<{ definition: string; note?: string }> {
  if (!forExecutionUnserved) {
    try {
      const out = await sfn<{ definition: string }>('DescribeStateMachineForExecution', { executionArn });
      return { definition: out.definition };
    } catch (error) {
      if (!(error instanceof ApiError) || error.name !== 'UnknownOperationException') throw error;
      forExecutionUnserved = true;
    }
  }
  const out = await sfn<{ definition: string }>('DescribeStateMachine', { stateMachineArn: stateMachineArnOf(executionArn) });
  return { definition: out.definition, note: 'DescribeStateMachineForExecution is not served: the graph shows the state machine’s current definition.' };
}

/** Reads the history stream into state; reconnects (and replays) if it breaks before the execution ends. */
function useHistory(executionArn: string): { events: HistoryEvent[]; error?: Error; ended: boolean } {
  const [state, setState] = useState<{ events: HistoryEvent[]; error?: Error; ended: boolean }>({ events: [], ended: false });
  useEffect(() => {
    const controller = new AbortController();
    let attempt = 0;
    const connect = () => {
      let events: HistoryEvent[] = [];
      readStream(
        'api/history',
        { executionArn },
        (event, data) => {
          if (event !== 'events') return;
          events = events.concat(data as HistoryEvent[]);
          setState({ events, ended: false });
        },
        controller.signal,
      ).then(
        () => {
          if (controller.signal.aborted) return;
          const last = events.at(-1)?.type ?? '';
          if (/^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(last)) setState({ events, ended: true });
          else setTimeout(connect, 500 * ++attempt);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          if (error instanceof ApiError && error.status < 500) setState((s) => ({ ...s, error }));
          else setTimeout(connect, Math.min(10_000, 500 * ++attempt));
        },
      );
    };
    connect();
    return () => controller.abort();
  }, [executionArn]);
  return state;
}

export function ExecutionPage({ arn }: { arn: string }) {
  const history = useHistory(arn);
  const execution = useLoad(() => sfn<DescribedExecution>('DescribeExecution', { executionArn: arn }), [arn, history.ended]);
  const definition = useLoad(() => definitionFor(arn), [arn]);
  const workflow = useMemo(() => {
    if (definition.data === undefined) return undefined;
    try {
      return buildWorkflow(JSON.parse(definition.data.definition));
    } catch {
      return undefined;
    }
  }, [definition.data]);
  const layout = useMemo(() => (workflow === undefined ? undefined : layoutWorkflow(workflow)), [workflow]);
  const view = useMemo(() => readHistory(history.events), [history.events]);
  const [selected, setSelected] = useState<string | undefined>();
  const [stopping, setStopping] = useState<string | undefined>();
  const e = execution.data;
  const status = history.ended || e === undefined ? (e?.status ?? view.executionStatus) : view.executionStatus;

  const stop = async () => {
    if (!confirm(`Stop execution ${e?.name ?? arnName(arn)}?`)) return;
    setStopping('Stopping…');
    try {
      await sfn('StopExecution', { executionArn: arn });
      setStopping(undefined);
    } catch (error) {
      setStopping(`${(error as Error).name}: ${(error as Error).message}`);
    }
  };

  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.stateMachines()}>State machines</a> › {e && <a href={href.stateMachine(e.stateMachineArn)}>{arnName(e.stateMachineArn)}</a>} ›{' '}
        <span>{e?.name ?? arnName(arn)}</span>
      </nav>
      {execution.error && <ErrorNote error={execution.error} what="the execution" />}
      {history.error && <ErrorNote error={history.error} what="the history" />}
      <header class="execution-head">
        <h1>
          {e?.name ?? arnName(arn)} <StatusBadge status={status} />
        </h1>
        <dl class="facts">
          <dt>Started</dt>
          <dd>{formatTime(e?.startDate)}</dd>
          <dt>Ended</dt>
          <dd>{formatTime(e?.stopDate)}</dd>
          <dt>Duration</dt>
          <dd>{e?.stopDate === undefined || e === undefined ? '–' : formatDuration((e.stopDate - e.startDate) * 1000)}</dd>
        </dl>
        {status === 'RUNNING' && (
          <button type="button" class="danger" onClick={stop}>
            Stop execution
          </button>
        )}
        {stopping && <p role="status">{stopping}</p>}
      </header>
      {view.failure && <FailureLine view={view} />}
      <div class="execution-body">
        <Section title="Graph" actions={<Legend />}>
          {definition.error && <ErrorNote error={definition.error} what="the definition" />}
          {definition.data?.note && <p class="unavailable">{definition.data.note}</p>}
          {layout && <GraphView layout={layout} statusOf={(name) => view.statusByName.get(name) ?? 'not-reached'} selected={selected} onSelect={setSelected} />}
          {!layout && !definition.error && <p aria-busy="true">Loading the definition…</p>}
        </Section>
        <StatePanel view={view} selected={selected} states={workflow === undefined ? [] : allStates(workflow).map((n) => n.name)} onSelect={setSelected} />
      </div>
      <Automations view={view} />
      <Section title="Execution input and output">
        <div class="io">
          <div>
            <h4>Input</h4>
            <JsonBlock value={e?.input ?? ''} label="Execution input" />
          </div>
          <div>
            <h4>Output</h4>
            {e?.output !== undefined ? <JsonBlock value={e.output} label="Execution output" /> : <p>–</p>}
          </div>
        </div>
      </Section>
      <Section title={`Event history (${history.events.length})`}>
        <HistoryTable events={history.events} />
      </Section>
    </>
  );
}

/** Why it failed, in one line: the error, the cause, and the state, automation step and instance it came from. */
function FailureLine({ view }: { view: ExecutionView }) {
  const failure = view.failure!;
  const originRun = view.runs.find((r) => r.name === (failure.originState ?? failure.endedIn) && r.automationExecutionId !== undefined);
  const origin = useLoad(async () => {
    if (originRun?.automationExecutionId === undefined) return undefined;
    const automation = await loadAutomation(originRun.automationExecutionId);
    const step = automation.StepExecutions.find((s) => s.StepStatus === 'Failed' || s.StepStatus === 'TimedOut' || s.StepStatus === 'Cancelled');
    if (step === undefined) return { step: undefined, instance: undefined };
    const commandId = commandIdOf(step);
    const invocations = commandId === undefined ? [] : await loadInvocations(commandId);
    const bad = invocations.find((i) => i.Status !== 'Success');
    return { step, instance: bad };
  }, [originRun?.automationExecutionId]);
  const where: string[] = [];
  if (failure.originState !== undefined) where.push(`state ${failure.originState}`);
  if (failure.endedIn !== undefined && failure.endedIn !== failure.originState) where.push(`ended in ${failure.endedIn}`);
  const step = origin.data?.step;
  if (step !== undefined) where.push(`step ${step.StepName} (${step.Action})`);
  const instance = origin.data?.instance;
  if (instance !== undefined) {
    const code = instance.CommandPlugins?.[0]?.ResponseCode;
    where.push(`instance ${instance.InstanceId} (${instance.StatusDetails}${code === undefined || code === -1 ? '' : `, exit code ${code}`})`);
  }
  const cause = failure.cause.length > 400 ? `${failure.cause.slice(0, 399)}…` : failure.cause;
  return (
    <p class="failure-line" role="alert" data-testid="failure-line">
      <strong>{failure.error}</strong>
      {cause !== '' && <>: {cause}</>}
      {where.length > 0 && <span class="where"> — {where.join(', ')}</span>}
    </p>
  );
}

function StatePanel({ view, selected, states, onSelect }: { view: ExecutionView; selected: string | undefined; states: string[]; onSelect: (name: string) => void }) {
  const runs = selected === undefined ? [] : (view.runsByName.get(selected) ?? []);
  const iterations = selected === undefined ? undefined : view.iterations.get(selected);
  const [shown, setShown] = useState(0);
  useEffect(() => setShown(0), [selected]);
  const run: StateRun | undefined = runs[Math.min(shown, runs.length - 1)];
  return (
    <aside class="panel state-panel" aria-labelledby="state-panel-title" aria-live="polite">
      <header class="panel-head">
        <h2 id="state-panel-title">{selected === undefined ? 'State details' : selected}</h2>
        <Picker label="State" name="Select a state" value={selected ?? ''} values={states} first={{ text: 'choose…', disabled: true }} onPick={onSelect} />
      </header>
      {selected === undefined && <p>Select a state in the graph (click, or Tab to it and press Enter) to see its input, output, error and cause.</p>}
      {selected !== undefined && runs.length === 0 && <p>Not reached.</p>}
      {runs.length > 1 && (
        <label>
          Visit{' '}
          <select aria-label="Visit of this state" value={String(shown)} onChange={(e) => setShown(Number((e.target as HTMLSelectElement).value))}>
            {runs.map((r, i) => (
              <option value={String(i)} key={r.enteredId}>
                #{i + 1}
                {r.iteration === undefined ? '' : ` (${r.iteration.map} iteration ${r.iteration.index})`} – {STATUS_WORDS[r.status]}
              </option>
            ))}
          </select>
        </label>
      )}
      {run && (
        <div class="run" data-run-status={run.status}>
          <p>
            <span class={`badge badge-${run.status === 'not-reached' ? 'neutral' : run.status}`}>{STATUS_WORDS[run.status]}</span> {run.type} · entered {formatTime(run.entered)}
            {run.exited !== undefined && <> · {formatDuration((run.exited - run.entered) * 1000)}</>}
            {run.retries > 0 && <> · retried {run.retries}×</>}
          </p>
          {run.resource && (
            <p>
              Resource <code>{run.resource}</code>
            </p>
          )}
          {run.error !== undefined && (
            <div class="state-error" role="note">
              <h4>Error</h4>
              <p class="error-name">{run.error}</p>
              <h4>Cause</h4>
              <pre class="output">{run.cause ?? ''}</pre>
            </div>
          )}
          <h4>Input</h4>
          <JsonBlock value={run.input ?? ''} label={`Input of ${run.name}`} />
          <h4>Output</h4>
          {run.output !== undefined ? <JsonBlock value={run.output} label={`Output of ${run.name}`} /> : <p>–</p>}
          {run.automationExecutionId && (
            <p>
              Started automation{' '}
              {/* A button, not a #fragment link: the hash is the page's route. */}
              <button type="button" class="link" onClick={() => document.getElementById(`automation-${run.automationExecutionId}`)?.scrollIntoView({ behavior: 'smooth' })}>
                {run.automationExecutionId}
              </button>
            </p>
          )}
        </div>
      )}
      {iterations && iterations.length > 0 && (
        <>
          <h3>Iterations ({iterations.length})</h3>
          <table class="grid compact" aria-label={`Iterations of ${selected}`}>
            <Head columns={['Index', 'Status']} />
            <tbody>
              {iterations.map((it) => (
                <tr key={it.index}>
                  <td>{it.index}</td>
                  <td>
                    <span class={`badge badge-${it.status === 'aborted' ? 'failed' : it.status}`}>{it.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </aside>
  );
}

/** Each automation a Task started, with its steps and their commands. */
function Automations({ view }: { view: ExecutionView }) {
  const started = view.runs.filter((r) => r.automationExecutionId !== undefined);
  if (started.length === 0) return null;
  return (
    <Section title="Automations and command output">
      {started.map((run) => (
        <div key={run.automationExecutionId} id={`automation-${run.automationExecutionId}`} class="automation-of">
          <h3>
            {run.name}
            {run.iteration === undefined ? '' : ` (iteration ${run.iteration.index})`}
          </h3>
          <AutomationView id={run.automationExecutionId!} />
        </div>
      ))}
    </Section>
  );
}
