/** The state machines, one machine's executions (filtered by status, newest first, live), and starting one. */
import { useMemo, useRef, useState } from 'preact/hooks';
import { sfn } from '../api/client.js';
import { ErrorNote, formatDuration, formatTime, Head, href, Picker, Section, StatusBadge, useLiveRefresh, useLoad } from './common.js';

interface StateMachineItem {
  stateMachineArn: string;
  name: string;
  type: string;
  creationDate: number;
}

export interface ExecutionItem {
  executionArn: string;
  name: string;
  status: string;
  startDate: number;
  stopDate?: number;
}

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
/** The API's largest page; the list reads pages until this many executions are shown. */
const PAGE = 1000;
const MAX_SHOWN = 5000;

export function StateMachinesPage() {
  const machines = useLoad(async () => {
    const out: StateMachineItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn<{ stateMachines: StateMachineItem[]; nextToken?: string }>('ListStateMachines', { maxResults: 1000, ...(nextToken === undefined ? {} : { nextToken }) });
      out.push(...page.stateMachines);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return out;
  }, []);
  return (
    <Section title="State machines">
      {machines.error && <ErrorNote error={machines.error} what="the state machines" />}
      {machines.data && machines.data.length === 0 && <p>No state machines yet. Deploy a template or create one with the API.</p>}
      {machines.data && machines.data.length > 0 && (
        <table class="grid">
          <Head columns={['Name', 'Type', 'Created']} />
          <tbody>
            {machines.data.map((m) => (
              <tr key={m.stateMachineArn}>
                <td>
                  <a href={href.stateMachine(m.stateMachineArn)}>{m.name}</a>
                </td>
                <td>{m.type}</td>
                <td>{formatTime(m.creationDate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** Every execution of a machine (with the status filter), newest first, as ListExecutions pages them. */
export async function listExecutions(stateMachineArn: string, status: string): Promise<ExecutionItem[]> {
  const out: ExecutionItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn<{ executions: ExecutionItem[]; nextToken?: string }>('ListExecutions', {
      stateMachineArn,
      maxResults: PAGE,
      ...(status === '' ? {} : { statusFilter: status }),
      ...(nextToken === undefined ? {} : { nextToken }),
    });
    out.push(...page.executions);
    nextToken = page.nextToken;
  } while (nextToken !== undefined && out.length < MAX_SHOWN);
  return out.sort((a, b) => b.startDate - a.startDate);
}

export function ExecutionsTable({ executions }: { executions: readonly ExecutionItem[] }) {
  return (
    <table class="grid" aria-label="Executions">
      <Head columns={['Name', 'Status', 'Started', 'Ended', 'Duration']} />
      <tbody>
        {executions.map((e) => (
          <tr key={e.executionArn}>
            <td>
              <a href={href.execution(e.executionArn)}>{e.name}</a>
            </td>
            <td>
              <StatusBadge status={e.status} />
            </td>
            <td>{formatTime(e.startDate)}</td>
            <td>{formatTime(e.stopDate)}</td>
            <td>{e.stopDate === undefined ? '–' : formatDuration((e.stopDate - e.startDate) * 1000)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function StateMachinePage({ arn }: { arn: string }) {
  const [status, setStatus] = useState('');
  const machine = useLoad(() => sfn<{ name: string; type: string; roleArn: string; definition: string }>('DescribeStateMachine', { stateMachineArn: arn }), [arn]);
  const executions = useLoad(() => listExecutions(arn, status), [arn, status]);
  useLiveRefresh((c) => c.kind === 'execution' && c.parent === arn, executions.reload, [arn, executions.reload]);
  const [starting, setStarting] = useState(false);
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.stateMachines()}>State machines</a> › <span>{machine.data?.name ?? '…'}</span>
      </nav>
      {machine.error && <ErrorNote error={machine.error} what="the state machine" />}
      <Section
        title={`Executions${executions.data ? ` (${executions.data.length})` : ''}`}
        actions={
          <div class="actions">
            <Picker label="Status" name="Filter executions by status" value={status} values={STATUSES} first={{ text: 'Any' }} onPick={setStatus} />
            <button type="button" class="primary" onClick={() => setStarting(true)} disabled={machine.data === undefined}>
              Start execution
            </button>
          </div>
        }
      >
        {starting && <StartExecution stateMachineArn={arn} onClose={() => setStarting(false)} />}
        {executions.error && <ErrorNote error={executions.error} what="the executions" />}
        {executions.data && executions.data.length === 0 && <p>No executions{status === '' ? '' : ` with status ${status}`}.</p>}
        {executions.data && executions.data.length > 0 && <ExecutionsTable executions={executions.data} />}
      </Section>
      {machine.data && (
        <Section title="Definition">
          <p>
            Type {machine.data.type}, role <code>{machine.data.roleArn}</code>
          </p>
          <pre class="json" tabIndex={0} aria-label="Definition">
            {prettyJson(machine.data.definition)}
          </pre>
        </Section>
      )}
    </>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Where a JSON text stops parsing, in words, or undefined when it parses. */
export function jsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function StartExecution({ stateMachineArn, onClose }: { stateMachineArn: string; onClose: () => void }) {
  const [input, setInput] = useState('{}');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const problem = useMemo(() => jsonProblem(input), [input]);
  const nameProblem = name !== '' && !/^[A-Za-z0-9_-]{1,80}$/.test(name) ? 'Use 1 to 80 letters, digits, - and _.' : undefined;
  const first = useRef<HTMLTextAreaElement>(null);
  const start = async (event: Event) => {
    event.preventDefault();
    if (problem !== undefined || nameProblem !== undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      const out = await sfn<{ executionArn: string }>('StartExecution', { stateMachineArn, input, ...(name === '' ? {} : { name }) });
      location.hash = href.execution(out.executionArn);
    } catch (e) {
      setError(`${(e as Error).name}: ${(e as Error).message}`);
      setBusy(false);
    }
  };
  return (
    <form class="start-form" onSubmit={start} aria-label="Start execution" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <label for="execution-name">Name (optional)</label>
      <input id="execution-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-invalid={nameProblem !== undefined} aria-describedby="execution-name-help" />
      <small id="execution-name-help">{nameProblem ?? 'Left empty, the endpoint makes a unique name.'}</small>
      <label for="execution-input">Input (JSON)</label>
      <textarea
        id="execution-input"
        ref={first}
        rows={8}
        spellcheck={false}
        value={input}
        onInput={(e) => setInput((e.target as HTMLTextAreaElement).value)}
        aria-invalid={problem !== undefined}
        aria-describedby="execution-input-check"
      />
      <small id="execution-input-check" class={problem === undefined ? 'ok' : 'bad'} role="status">
        {problem === undefined ? 'Valid JSON' : `Not valid JSON: ${problem}`}
      </small>
      {error && (
        <p class="error-note" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || problem !== undefined || nameProblem !== undefined}>
          Start
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
