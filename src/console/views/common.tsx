/** Small pieces every page uses: loading data, status badges, times, JSON blocks, error notes, links. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onChanges, type Change } from '../api/live.js';

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: Error;
  readonly loading: boolean;
  reload(): void;
}

/** Runs `load` now and whenever `deps` change or `reload()` is called; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: unknown) => mine === generation.current && setState((s) => ({ ...s, error: error instanceof Error ? error : new Error(String(error)), loading: false })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/**
 * Calls `refresh` when a live change notice matches, at most once per `minMs` (a busy engine sends many); the last
 * notice always gets its refresh.
 */
export function useLiveRefresh(matches: (change: Change) => boolean, refresh: () => void, deps: readonly unknown[], minMs = 400): void {
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fire = () => {
      timer = undefined;
      last = Date.now();
      refresh();
    };
    const stop = onChanges((changes) => {
      if (!changes.some(matches)) return;
      if (timer !== undefined) return;
      timer = setTimeout(fire, Math.max(0, last + minMs - Date.now()));
    });
    return () => {
      stop();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, deps);
}

const STATUS_CLASS: Readonly<Record<string, string>> = {
  RUNNING: 'running',
  InProgress: 'running',
  Pending: 'pending',
  Waiting: 'pending',
  Delayed: 'pending',
  SUCCEEDED: 'succeeded',
  Success: 'succeeded',
  CREATE_COMPLETE: 'succeeded',
  UPDATE_COMPLETE: 'succeeded',
  Online: 'succeeded',
  FAILED: 'failed',
  Failed: 'failed',
  TimedOut: 'failed',
  TIMED_OUT: 'failed',
  ABORTED: 'failed',
  Cancelled: 'failed',
  Cancelling: 'pending',
  ConnectionLost: 'failed',
  Inactive: 'failed',
};

/** A status with its colour and a word (colour is never the only cue). */
export function StatusBadge({ status }: { status: string }) {
  const cls = STATUS_CLASS[status] ?? (/FAILED|ROLLBACK/.test(status) ? 'failed' : /IN_PROGRESS/.test(status) ? 'running' : /COMPLETE/.test(status) ? 'succeeded' : 'neutral');
  return <span class={`badge badge-${cls}`}>{status}</span>;
}

/** Epoch seconds (the JSON protocol's timestamps) or a query-protocol ISO string, as local date and time. */
export function formatTime(value: unknown): string {
  if (value === undefined || value === null || value === '') return '–';
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** JSON text shown pretty when it parses, as it is otherwise. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  let text: string;
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      text = value;
    }
  } else text = JSON.stringify(value, null, 2) ?? 'null';
  return (
    <pre class="json" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}

export function ErrorNote({ error, what }: { error: Error; what: string }) {
  return (
    <p class="error-note" role="alert">
      Could not load {what}: <strong>{error.name}</strong> {error.message}
    </p>
  );
}

/** A panel saying an API this view needs is not served by this endpoint (yet). */
export function Unavailable({ error, what }: { error: Error; what: string }) {
  return (
    <p class="unavailable" role="status">
      {what} not available from this endpoint: <code>{error.name}</code> {error.message}
    </p>
  );
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section class="panel" aria-labelledby={id}>
      <header class="panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A labelled drop-down: `first` is the option before the values (Any, default, choose…). */
export function Picker(props: {
  label: string;
  /** The accessible name, when it says more than the visible label. */
  name: string;
  value: string;
  values: readonly string[];
  first: { text: string; disabled?: boolean };
  onPick: (value: string) => void;
}) {
  return (
    <label>
      {props.label}{' '}
      <select aria-label={props.name} value={props.value} onChange={(e) => props.onPick((e.target as HTMLSelectElement).value)}>
        <option value="" disabled={props.first.disabled === true}>
          {props.first.text}
        </option>
        {props.values.map((v) => (
          <option value={v} key={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A table's header row: one column header per name. */
export function Head({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export const href = {
  stateMachines: () => '#/state-machines',
  stateMachine: (arn: string) => `#/state-machines/${encodeURIComponent(arn)}`,
  execution: (arn: string) => `#/executions/${encodeURIComponent(arn)}`,
  stacks: () => '#/stacks',
  stack: (name: string) => `#/stacks/${encodeURIComponent(name)}`,
  documents: () => '#/documents',
  document: (name: string) => `#/documents/${encodeURIComponent(name)}`,
  instances: () => '#/instances',
};

/** The last segment of an ARN (a state machine's or execution's name). */
export function arnName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}
