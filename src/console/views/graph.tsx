/**
 * The definition's graph as SVG: each state a box coloured by what happened to it, Parallel and Map states as frames
 * around their insides, Choice rules, Catch (dashed) and Retry (a loop) edges with labels. States are buttons: click
 * or Enter/Space selects one.
 */
import { useMemo } from 'preact/hooks';
import type { StateStatus } from '../model/execution-state.js';
import { HEADER, MAX_LABEL_CHARS, type Layout, type PlacedEdge, type PlacedNode } from '../model/layout.js';

export const STATUS_WORDS: Readonly<Record<StateStatus, string>> = {
  'not-reached': 'not reached',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  caught: 'caught',
};
const STATUS_MARK: Readonly<Record<StateStatus, string>> = { 'not-reached': '', running: '⟳', succeeded: '✓', failed: '✗', caught: '⚠' };

function cut(text: string): string {
  return text.length > MAX_LABEL_CHARS ? `${text.slice(0, MAX_LABEL_CHARS - 1)}…` : text;
}

function edgePath(points: PlacedEdge['points']): string {
  if (points.length === 0) return '';
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

interface GraphProps {
  readonly layout: Layout;
  readonly statusOf: (name: string) => StateStatus;
  readonly selected: string | undefined;
  readonly onSelect: (name: string) => void;
}

function Node({ placed, status, selected, onSelect }: { placed: PlacedNode; status: StateStatus; selected: boolean; onSelect: (name: string) => void }) {
  const { node, x, y, width, height } = placed;
  if (node.type === 'Start' || node.type === 'End') {
    return (
      <g class="pseudo" aria-hidden="true">
        <rect x={x} y={y} width={width} height={height} rx={height / 2} />
        <text x={x + width / 2} y={y + height / 2 + 4} text-anchor="middle">
          {node.type}
        </text>
      </g>
    );
  }
  const container = placed.frames !== undefined;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(node.name);
    }
  };
  const label = `${node.name}, ${node.type} state, ${STATUS_WORDS[status]}`;
  return (
    <g
      class={`state status-${status}${container ? ' container' : ''}${selected ? ' selected' : ''}`}
      data-state={node.name}
      data-status={status}
      role="button"
      // SVG attribute names are case-sensitive: tabIndex would not make it focusable.
      tabindex={0}
      aria-label={label}
      aria-pressed={selected}
      onClick={() => onSelect(node.name)}
      onKeyDown={onKey}
    >
      <title>{label}</title>
      <rect x={x} y={y} width={width} height={height} rx={container ? 10 : 6} />
      {container ? (
        <>
          <text class="name" x={x + 12} y={y + 19}>
            {STATUS_MARK[status]} {cut(node.name)}
          </text>
          <text class="type" x={x + width - 10} y={y + 19} text-anchor="end">
            {node.type}
          </text>
          {placed.frames!.map((f) => (
            <g class="frame" key={`${f.x},${f.y}`}>
              <rect x={f.x} y={f.y} width={f.width} height={f.height} rx={6} />
              <text x={f.x + 6} y={f.y + 13}>
                {f.label}
              </text>
            </g>
          ))}
        </>
      ) : (
        <>
          <text class="name" x={x + width / 2} y={y + 17} text-anchor="middle">
            {cut(node.name)}
          </text>
          <text class="type" x={x + width / 2} y={y + 32} text-anchor="middle">
            {STATUS_MARK[status]} {node.type}
          </text>
        </>
      )}
    </g>
  );
}

function Edge({ placed }: { placed: PlacedEdge }) {
  const { edge, points, labelAt } = placed;
  const label = edge.label;
  return (
    <g class={`edge edge-${edge.kind}`}>
      <path d={edgePath(points)} marker-end="url(#arrow)">
        {label && <title>{label}</title>}
      </path>
      {label && labelAt && (
        <text x={labelAt.x} y={labelAt.y + 4} text-anchor="middle">
          {label.length > 28 ? `${label.slice(0, 27)}…` : label}
        </text>
      )}
    </g>
  );
}

function Edges({ layout }: { layout: Layout }) {
  return (
    <g class="edges">
      {layout.edges.map((e, i) => (
        <Edge placed={e} key={i} />
      ))}
    </g>
  );
}

export function GraphView({ layout, statusOf, selected, onSelect }: GraphProps) {
  // Containers first, so that their insides draw over them.
  const ordered = [...layout.nodes].sort((a, b) => Number(b.frames !== undefined) - Number(a.frames !== undefined));
  // The edges change only with the layout: colours change on every history event.
  const edges = useMemo(() => <Edges layout={layout} />, [layout]);
  const style = { width: `${layout.width}px`, height: `${layout.height}px` };
  return (
    <div class="graph-scroll" role="group" aria-label="State machine graph">
      <svg class="graph" viewBox={`0 0 ${layout.width} ${layout.height}`} style={style} data-header={HEADER}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" />
          </marker>
        </defs>
        {ordered.map((n) => n.frames !== undefined && <Node key={n.node.id} placed={n} status={statusOf(n.node.name)} selected={selected === n.node.name} onSelect={onSelect} />)}
        {edges}
        {ordered.map((n) => n.frames === undefined && <Node key={n.node.id} placed={n} status={statusOf(n.node.name)} selected={selected === n.node.name} onSelect={onSelect} />)}
      </svg>
    </div>
  );
}

export function Legend() {
  return (
    <ul class="legend" aria-label="Legend">
      {(Object.keys(STATUS_WORDS) as StateStatus[]).map((s) => (
        <li key={s}>
          <span class={`swatch status-${s}`} aria-hidden="true" /> {STATUS_WORDS[s]}
        </li>
      ))}
    </ul>
  );
}
