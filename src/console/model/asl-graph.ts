/**
 * A state machine definition as a graph: one node per state, edges for Next, each Choice rule and Default, each Catch
 * and the Retry of a state (a loop on itself), and the insides of Parallel (one branch each) and Map (its processor)
 * as nested graphs. The top level has Start and End nodes, as the Step Functions console draws them. The definition
 * is read defensively: the console draws whatever the endpoint returns, and skips what it cannot read.
 */

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'retry';

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label?: string;
}

export interface GraphBranch {
  readonly label: string;
  readonly graph: Workflow;
}

export interface GraphNode {
  /** Unique in the whole definition: the path of names (`P/0/A` for state A in branch 0 of Parallel P). */
  readonly id: string;
  /** The state's name (what history events name); empty for Start and End. */
  readonly name: string;
  /** The state's Type, or `Start` / `End`. */
  readonly type: string;
  /** Parallel branches, or the Map's item processor. */
  readonly branches?: readonly GraphBranch[];
}

export interface Workflow {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const START_ID = '#start';
export const END_ID = '#end';

/** A short text of a Choice rule: its JSONata condition, or `Variable op value` for a simple JSONPath rule. */
export function describeRule(rule: Obj): string {
  const condition = text(rule['Condition']);
  if (condition !== undefined) return condition;
  for (const key of ['And', 'Or', 'Not']) if (key in rule) return key === 'Not' ? 'Not (…)' : `${key} (${list(rule[key]).length} rules)`;
  const variable = text(rule['Variable']) ?? '';
  const op = Object.keys(rule).find((k) => k !== 'Variable' && k !== 'Next' && k !== 'Comment' && k !== 'Assign' && k !== 'Output');
  if (op === undefined) return variable;
  return `${variable} ${op} ${JSON.stringify(rule[op])}`;
}

function errorsOf(entry: Obj): string {
  return list(entry['ErrorEquals']).filter((e): e is string => typeof e === 'string').join(', ');
}

/** The graph of one States block; `prefix` makes the ids unique, `top` adds Start and End. */
export function buildWorkflow(definition: unknown, prefix = '', top = true): Workflow {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  if (!isObject(definition)) return { nodes, edges };
  const states = isObject(definition['States']) ? definition['States'] : {};
  const id = (name: string) => `${prefix}${name}`;
  const names = new Set(Object.keys(states));
  const edge = (from: string, toName: unknown, kind: EdgeKind, label?: string) => {
    const to = text(toName);
    if (to === undefined || !names.has(to)) return;
    edges.push(label === undefined ? { from, to: id(to), kind } : { from, to: id(to), kind, label });
  };
  if (top) {
    nodes.push({ id: START_ID, name: '', type: 'Start' });
    const startAt = text(definition['StartAt']);
    if (startAt !== undefined && names.has(startAt)) edges.push({ from: START_ID, to: id(startAt), kind: 'next' });
  }
  for (const [name, raw] of Object.entries(states)) {
    const state = isObject(raw) ? raw : {};
    const type = text(state['Type']) ?? 'Unknown';
    const nodeId = id(name);
    let branches: GraphBranch[] | undefined;
    if (type === 'Parallel') {
      branches = list(state['Branches']).map((b, i) => ({ label: `Branch ${i + 1}`, graph: buildWorkflow(b, `${nodeId}/${i}/`, false) }));
    } else if (type === 'Map') {
      const processor = state['ItemProcessor'] ?? state['Iterator'];
      branches = [{ label: 'Iteration', graph: buildWorkflow(processor, `${nodeId}/`, false) }];
    }
    nodes.push(branches === undefined ? { id: nodeId, name, type } : { id: nodeId, name, type, branches });
    if (type === 'Choice') {
      list(state['Choices']).forEach((rule, i) => {
        if (isObject(rule)) edge(nodeId, rule['Next'], 'choice', `Rule #${i + 1}: ${describeRule(rule)}`);
      });
      edge(nodeId, state['Default'], 'default', 'Default');
    } else {
      edge(nodeId, state['Next'], 'next');
    }
    const retriers = list(state['Retry']).filter(isObject);
    if (retriers.length > 0) {
      const attempts = retriers.map((r) => `${errorsOf(r)} ×${typeof r['MaxAttempts'] === 'number' ? r['MaxAttempts'] : 3}`);
      edges.push({ from: nodeId, to: nodeId, kind: 'retry', label: `Retry ${attempts.join('; ')}` });
    }
    for (const catcher of list(state['Catch'])) if (isObject(catcher)) edge(nodeId, catcher['Next'], 'catch', `Catch ${errorsOf(catcher)}`);
    const ends = state['End'] === true || type === 'Succeed' || type === 'Fail';
    if (ends && top) edges.push({ from: nodeId, to: END_ID, kind: 'next' });
  }
  if (top) nodes.push({ id: END_ID, name: '', type: 'End' });
  return { nodes, edges };
}

/** Every state node of a workflow and its nested ones, depth first. */
export function allStates(workflow: Workflow): GraphNode[] {
  const out: GraphNode[] = [];
  const walk = (w: Workflow) => {
    for (const node of w.nodes) {
      if (node.type === 'Start' || node.type === 'End') continue;
      out.push(node);
      for (const branch of node.branches ?? []) walk(branch.graph);
    }
  };
  walk(workflow);
  return out;
}
