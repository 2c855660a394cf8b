/**
 * The event history as the Step Functions console shows it: ID, type, the state (step) it belongs to, its resource,
 * time since the start and the date; a row opens to show the event's details. Long histories show their first rows
 * and more on request, so that a Map with thousands of iterations stays quick.
 */
import { useMemo, useState } from 'preact/hooks';
import type { HistoryEvent } from '../model/execution-state.js';
import { formatDuration, formatTime, Head, JsonBlock } from './common.js';

const PAGE = 100;

/** The state each event belongs to, following previousEventId back to a StateEntered event. */
function stepNames(events: readonly HistoryEvent[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const e of events) {
    const entered = e['stateEnteredEventDetails'] as { name?: string } | undefined;
    const exited = e['stateExitedEventDetails'] as { name?: string } | undefined;
    const name = entered?.name ?? exited?.name ?? (e.type.startsWith('MapIteration') || e.type.startsWith('Execution') ? undefined : names.get(e.previousEventId));
    if (name !== undefined) names.set(e.id, name);
  }
  return names;
}

function resourceOf(e: HistoryEvent): string {
  for (const key of Object.keys(e)) {
    if (!key.endsWith('EventDetails')) continue;
    const d = e[key] as { resource?: string; resourceType?: string };
    if (typeof d?.resource === 'string') return d.resourceType === undefined ? d.resource : `${d.resourceType}:${d.resource}`;
  }
  return '';
}

export function HistoryTable({ events }: { events: readonly HistoryEvent[] }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const [limit, setLimit] = useState(PAGE);
  const names = useMemo(() => stepNames(events), [events]);
  const start = events[0]?.timestamp ?? 0;
  const toggle = (id: number) =>
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <>
      <table class="grid history" aria-label="Event history">
        <Head columns={['ID', 'Type', 'Step', 'Resource', 'Started after', 'Date and time']} />
        <tbody>
          {events.slice(0, limit).map((e) => {
            const expanded = open.has(e.id);
            const detailKey = Object.keys(e).find((k) => k.endsWith('EventDetails'));
            return [
              <tr key={e.id} class={/Failed|TimedOut|Aborted/.test(e.type) ? 'row-failed' : ''} data-event-type={e.type}>
                <td>
                  <button type="button" class="link" aria-expanded={expanded} aria-label={`Event ${e.id} details`} onClick={() => toggle(e.id)}>
                    {expanded ? '▾' : '▸'} {e.id}
                  </button>
                </td>
                <td>{e.type}</td>
                <td>{names.get(e.id) ?? ''}</td>
                <td>
                  <code>{resourceOf(e)}</code>
                </td>
                <td>{formatDuration((e.timestamp - start) * 1000)}</td>
                <td>{formatTime(e.timestamp)}</td>
              </tr>,
              expanded && (
                <tr key={`${e.id}-details`} class="details-row">
                  <td colSpan={6}>{detailKey === undefined ? <p>No details.</p> : <JsonBlock value={e[detailKey]} label={`Details of event ${e.id}`} />}</td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
      {events.length > limit && (
        <button type="button" onClick={() => setLimit(limit + PAGE)}>
          Show {Math.min(PAGE, events.length - limit)} more of {events.length - limit}
        </button>
      )}
    </>
  );
}
