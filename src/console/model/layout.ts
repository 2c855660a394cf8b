/**
 * Places a workflow graph with dagre (a layered, top-to-bottom layout), level by level: the insides of a Parallel
 * (its branches, side by side) or a Map are laid out first, and the state then takes part in its own level's layout
 * as one node of their size. ASL edges never cross a branch's border, so each level is a graph of its own.
 */
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode, Workflow } from './asl-graph.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A state (or Start/End) at its absolute place; `x`, `y` is the top-left corner. */
export interface PlacedNode {
  readonly node: GraphNode;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** For Parallel and Map: each branch's frame and label. */
  readonly frames?: readonly { readonly label: string; readonly x: number; readonly y: number; readonly width: number; readonly height: number }[];
}

export interface PlacedEdge {
  readonly edge: GraphEdge;
  readonly points: readonly Point[];
  /** Where the label goes (labelled edges only). */
  readonly labelAt?: Point;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

export const NODE_HEIGHT = 40;
const CHAR_WIDTH = 7.2;
const MIN_WIDTH = 110;
export const MAX_LABEL_CHARS = 30;
const PADDING = 16;
/** Room above a container's branches for its own name. */
export const HEADER = 30;
const BRANCH_GAP = 16;
const BRANCH_LABEL = 18;

/** A state box wide enough for its name (cut at MAX_LABEL_CHARS) and type. */
function boxWidth(node: GraphNode): number {
  if (node.type === 'Start' || node.type === 'End') return 64;
  const chars = Math.min(MAX_LABEL_CHARS, Math.max(node.name.length, node.type.length + 2));
  return Math.max(MIN_WIDTH, Math.round(chars * CHAR_WIDTH) + 2 * PADDING);
}

interface Sized {
  readonly width: number;
  readonly height: number;
  /** Relative to the node's top-left corner. */
  readonly inner?: { readonly layouts: readonly { label: string; dx: number; dy: number; layout: Layout }[] };
}

function size(node: GraphNode): Sized {
  if (node.branches === undefined || node.branches.length === 0) return { width: boxWidth(node), height: node.type === 'Start' || node.type === 'End' ? 32 : NODE_HEIGHT };
  const layouts = node.branches.map((b) => ({ label: b.label, layout: layoutWorkflow(b.graph) }));
  let dx = PADDING;
  const placed = layouts.map(({ label, layout }) => {
    const at = { label, dx, dy: HEADER + BRANCH_LABEL, layout };
    dx += layout.width + BRANCH_GAP;
    return at;
  });
  const innerWidth = dx - BRANCH_GAP + PADDING;
  const innerHeight = Math.max(0, ...layouts.map((l) => l.layout.height));
  return { width: Math.max(boxWidth(node), innerWidth), height: HEADER + BRANCH_LABEL + innerHeight + PADDING, inner: { layouts: placed } };
}

/** Lays out one level and, within its containers, the levels inside; coordinates start at 0, 0. */
export function layoutWorkflow(workflow: Workflow): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 36, edgesep: 12, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map<string, Sized>();
  for (const node of workflow.nodes) {
    const s = size(node);
    sizes.set(node.id, s);
    g.setNode(node.id, { width: s.width, height: s.height });
  }
  workflow.edges.forEach((edge, i) => {
    // Labels of self-loops and catches take room beside the edge; others stay unlabelled in the layout (drawn on hover).
    g.setEdge(edge.from, edge.to, edge.label === undefined ? {} : { width: Math.min(160, edge.label.length * 6), height: 14, labelpos: 'c' }, String(i));
  });
  dagre.layout(g);
  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  for (const node of workflow.nodes) {
    const placed = g.node(node.id);
    const s = sizes.get(node.id)!;
    const x = placed.x - s.width / 2;
    const y = placed.y - s.height / 2;
    if (s.inner === undefined) {
      nodes.push({ node, x, y, width: s.width, height: s.height });
      continue;
    }
    const frames = s.inner.layouts.map(({ label, dx, dy, layout }) => ({ label, x: x + dx, y: y + dy - BRANCH_LABEL, width: layout.width, height: layout.height + BRANCH_LABEL }));
    nodes.push({ node, x, y, width: s.width, height: s.height, frames });
    for (const { dx, dy, layout } of s.inner.layouts) {
      for (const inner of layout.nodes) {
        nodes.push({
          ...inner,
          x: inner.x + x + dx,
          y: inner.y + y + dy,
          ...(inner.frames === undefined ? {} : { frames: inner.frames.map((f) => ({ ...f, x: f.x + x + dx, y: f.y + y + dy })) }),
        });
      }
      for (const e of layout.edges) {
        edges.push({
          edge: e.edge,
          points: e.points.map((p) => ({ x: p.x + x + dx, y: p.y + y + dy })),
          ...(e.labelAt === undefined ? {} : { labelAt: { x: e.labelAt.x + x + dx, y: e.labelAt.y + y + dy } }),
        });
      }
    }
  }
  workflow.edges.forEach((edge, i) => {
    const placed = g.edge({ v: edge.from, w: edge.to, name: String(i) });
    const points = (placed?.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y }));
    const labelAt = placed !== undefined && typeof placed.x === 'number' && typeof placed.y === 'number' ? { x: placed.x, y: placed.y } : undefined;
    edges.push(labelAt === undefined || edge.label === undefined ? { edge, points } : { edge, points, labelAt });
  });
  const graph = g.graph();
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes, edges };
}
