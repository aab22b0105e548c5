// Structural lint rules (Attractor §7.2 + ours): start/exit, edges, reachability, dead ends, duplicate ids.
// Reading: §7.2 makes `reachability` an ERROR while §11.12 lists "orphan node -> warning"; we follow §11.12
// (issue 8: graphs from other engines must load): an orphan never runs, so it is reported, not refused. Reachability follows edges and also retry jumps: a node's
// retry_target / fallback_retry_target, and the graph-level ones from the exit (where goal gates jump back).
// `exit_reachable` (ours, a warning: §7.2 has no such rule) follows edges only: a reachable node with no path
// to the exit ends the run before the exit. A dead end is valid per §3.2 (the pipeline completes there), a
// cycle with no way out runs until a loop cap or the budget stops it; both are worth a look, neither is refused.

import type { Diagnostic } from './diagnostics';
import type { GraphIndex, IndexedEdge } from './graph-index';
import type { LintRule } from './lint';
import { NodeType, type PipelineGraph, type PipelineNode } from './model';

const error = (rule: string, message: string, fix: string, extra: Partial<Diagnostic>): Diagnostic => ({
  rule,
  severity: 'error',
  message,
  fix,
  ...extra,
});
const onEdge = (e: IndexedEdge, field?: string): Partial<Diagnostic> => ({
  edge: { from: e.edge.from, to: e.edge.to },
  path: `edges[${e.index}]${field ? '.' + field : ''}`,
});
const onNode = (n: PipelineNode, field?: string): Partial<Diagnostic> => ({ node: n.id, path: `nodes[${n.id}]${field ? '.' + field : ''}` });

const ofType = (graph: PipelineGraph, type: string): PipelineNode[] => graph.nodes.filter((n) => n.type === type);

function exactlyOne(rule: string, what: string, type: string, shape: string): LintRule {
  return {
    name: rule,
    apply(graph) {
      const found = ofType(graph, type);
      const fix = `keep exactly one node of type ${type} (shape=${shape})`;
      if (found.length === 0) return [error(rule, `pipeline has no ${what} node`, `add a node with shape=${shape} (type ${type})`, {})];
      const first = found[0] as PipelineNode;
      return found
        .slice(1)
        .map((n) => error(rule, `pipeline has ${found.length} ${what} nodes (${found.map((x) => x.id).join(', ')}); '${n.id}' is extra besides '${first.id}'`, fix, onNode(n)));
    },
  };
}

const startNode = exactlyOne('start_node', 'start', NodeType.start, 'Mdiamond');
const terminalNode = exactlyOne('terminal_node', 'exit', NodeType.exit, 'Msquare');

const startNoIncoming: LintRule = {
  name: 'start_no_incoming',
  apply(graph, { index }) {
    return ofType(graph, NodeType.start).flatMap((n) =>
      (index.incoming.get(n.id) ?? []).map((e) =>
        error('start_no_incoming', `start node '${n.id}' has an incoming edge from '${e.edge.from}'`, 'point the edge at the first real stage instead of the start node', onEdge(e)),
      ),
    );
  },
};

const exitNoOutgoing: LintRule = {
  name: 'exit_no_outgoing',
  apply(graph, { index }) {
    return ofType(graph, NodeType.exit).flatMap((n) =>
      (index.outgoing.get(n.id) ?? []).map((e) =>
        error('exit_no_outgoing', `exit node '${n.id}' has an outgoing edge to '${e.edge.to}'`, 'remove the edge: the run ends at the exit node', onEdge(e)),
      ),
    );
  },
};

const edgeTargetExists: LintRule = {
  name: 'edge_target_exists',
  apply(graph, { index }) {
    const out: Diagnostic[] = [];
    for (const e of index.edges) {
      for (const end of ['from', 'to'] as const) {
        const id = e.edge[end];
        if (index.nodes.has(id)) continue;
        const near = closestId(id, index);
        const fix = near ? `did you mean '${near}'?` : `declare node '${id}' or fix the edge`;
        out.push(error('edge_target_exists', `edge ${e.edge.from} -> ${e.edge.to}: ${end === 'from' ? 'source' : 'target'} '${id}' is not a node`, fix, onEdge(e, end)));
      }
    }
    return out;
  },
};

const reachability: LintRule = {
  name: 'reachability',
  apply(graph, { index }) {
    const starts = ofType(graph, NodeType.start);
    if (starts.length === 0) return [];
    const seen = reachableFromStart(graph, index);
    return graph.nodes
      .filter((n) => !seen.has(n.id))
      .map((n) => ({ ...error('reachability', `node '${n.id}' is not reachable from the start node: it never runs`, `add an edge into '${n.id}' from a reachable stage, or remove it`, onNode(n)), severity: 'warning' as const }));
  },
};

const exitReachable: LintRule = {
  name: 'exit_reachable',
  apply(graph, { index }) {
    const exits = ofType(graph, NodeType.exit).map((n) => n.id);
    if (exits.length === 0) return [];
    const reachesExit = bfs(exits, (id) => (index.incoming.get(id) ?? []).map((e) => e.edge.from), index);
    const fromStart = ofType(graph, NodeType.start).length > 0 ? reachableFromStart(graph, index) : undefined;
    const out: Diagnostic[] = [];
    for (const n of graph.nodes) {
      if (reachesExit.has(n.id) || (fromStart && !fromStart.has(n.id))) continue;
      const dead = (index.outgoing.get(n.id) ?? []).length === 0;
      const message = dead
        ? `node '${n.id}' is a dead end: it has no outgoing edges, so a run that gets there ends there, successfully unless it failed, without reaching the exit (Attractor §3.2)`
        : `no path leads from node '${n.id}' to the exit: every route from it loops or stops before the exit`;
      const fix = dead ? `if the run should go on, add an edge from '${n.id}' toward the exit node` : `add an edge from '${n.id}' toward the exit node`;
      out.push({ ...error('exit_reachable', message, fix, onNode(n)), severity: 'warning' });
    }
    return out;
  },
};

const duplicateId: LintRule = {
  name: 'duplicate_id',
  apply(graph) {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const n of graph.nodes) {
      if (!seen.has(n.id)) seen.add(n.id);
      else out.push(error('duplicate_id', `node id '${n.id}' is declared more than once`, 'rename one of the nodes: ids must be unique', onNode(n)));
    }
    return out;
  },
};

/** Ids reachable from every start node via edges and retry jumps (see the file comment). */
function reachableFromStart(graph: PipelineGraph, index: GraphIndex): Set<string> {
  const graphTargets = [graph.retry_target, graph.fallback_retry_target].filter((t): t is string => !!t);
  return bfs(ofType(graph, NodeType.start).map((n) => n.id), (id) => {
    const node = index.nodes.get(id);
    const next = (index.outgoing.get(id) ?? []).map((e: IndexedEdge) => e.edge.to);
    if (node?.retry_target) next.push(node.retry_target);
    if (node?.fallback_retry_target) next.push(node.fallback_retry_target);
    if (node?.type === NodeType.exit) next.push(...graphTargets);
    return next;
  }, index);
}

/** Breadth-first search over existing nodes; O(nodes + links). */
function bfs(roots: readonly string[], next: (id: string) => string[], index: GraphIndex): Set<string> {
  const seen = new Set<string>(roots);
  const queue = [...roots];
  for (let head = 0; head < queue.length; head++) {
    for (const to of next(queue[head] as string)) {
      if (seen.has(to) || !index.nodes.has(to)) continue;
      seen.add(to);
      queue.push(to);
    }
  }
  return seen;
}

/** The node id a typo most likely meant (case-insensitive equal, else edit distance <= 2 on small graphs). */
export function closestId(id: string, index: Pick<GraphIndex, 'nodes'>): string | undefined {
  const lower = id.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  const small = index.nodes.size <= 2000;
  for (const candidate of index.nodes.keys()) {
    if (candidate.toLowerCase() === lower) return candidate;
    if (!small || Math.abs(candidate.length - id.length) >= bestDistance) continue;
    const d = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= limit) return limit;
    prev = row;
  }
  return prev[b.length] as number;
}

/** Structural rules, in report order. */
export const STRUCTURE_RULES: readonly LintRule[] = [
  startNode,
  terminalNode,
  startNoIncoming,
  exitNoOutgoing,
  edgeTargetExists,
  reachability,
  exitReachable,
  duplicateId,
];
