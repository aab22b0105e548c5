// Pure traversal decisions for the run workflow (Attractor §3.2-3.7, §4.6): which edge to take, whether the
// exit may be taken, where a failure goes, and what a human gate offers.
// Reading: selectEdge follows the §3.3 PSEUDOCODE, where conditions rank edges rather than guard them: steps
// 2-3 scan every outgoing edge and the final fallback may pick an edge whose condition is false. A failed stage
// should therefore be routed with failureRoute first (§3.7); selectEdge is for the stage's normal outcome.

import { evaluateClauses } from './conditions';
import { indexOf, type GraphIndex, type IndexedEdge } from './graph-index';
import { acceleratorKey, normalizeLabel } from './labels';
import { NodeType, StageStatus, type PipelineEdge, type PipelineGraph, type PipelineNode } from './model';
import { isSuccess, type ContextValues, type Outcome } from './outcome';

export { buildIndex, indexOf, type GraphIndex, type IndexedEdge } from './graph-index';

/** The next edge after a node completes (§3.3), or undefined when the node has no outgoing edges. */
export function selectEdge(
  graph: PipelineGraph,
  nodeId: string,
  outcome: Outcome,
  context: ContextValues,
  index: GraphIndex = indexOf(graph),
): PipelineEdge | undefined {
  const edges = index.outgoing.get(nodeId) ?? [];
  if (edges.length === 0) return undefined;
  const matched = edges.filter((e) => !isUnconditional(e) && e.condition.ok && evaluateClauses(e.condition.clauses, outcome, context));
  if (matched.length > 0) return bestByWeightThenLexical(matched);
  const wanted = normalizeLabel(outcome.preferred_label ?? '');
  if (wanted !== '') {
    const hit = edges.find((e) => normalizeLabel(e.edge.label) === wanted);
    if (hit) return hit.edge;
  }
  for (const id of outcome.suggested_next_ids ?? []) {
    const hit = edges.find((e) => e.edge.to === id);
    if (hit) return hit.edge;
  }
  const unconditional = edges.filter(isUnconditional);
  return bestByWeightThenLexical(unconditional.length > 0 ? unconditional : edges);
}

const isUnconditional = (e: IndexedEdge): boolean => e.edge.condition.trim() === '';

/** Highest weight, then smallest target id (code-unit order), then declaration order. */
function bestByWeightThenLexical(edges: readonly IndexedEdge[]): PipelineEdge | undefined {
  let best: PipelineEdge | undefined;
  for (const { edge } of edges) {
    if (!best || edge.weight > best.weight || (edge.weight === best.weight && edge.to < best.to)) best = edge;
  }
  return best;
}

/** Result of the exit check: the first unsatisfied goal gate, if any, and all of them. */
export type GoalGateCheck = { ok: true } | { ok: false; node: PipelineNode; unsatisfied: string[] };

/** Outcomes recorded so far, by node id (insertion order is visit order). */
export type NodeOutcomes = Readonly<Record<string, Pick<Outcome, 'status'> | StageStatus>> | ReadonlyMap<string, Pick<Outcome, 'status'> | StageStatus>;

/** May the run exit? Every visited goal gate must be success or partial_success (§3.4). */
export function checkGoalGates(graph: PipelineGraph, nodeOutcomes: NodeOutcomes, index: GraphIndex = indexOf(graph)): GoalGateCheck {
  const entries = nodeOutcomes instanceof Map ? [...nodeOutcomes.entries()] : Object.entries(nodeOutcomes);
  const unsatisfied: PipelineNode[] = [];
  for (const [id, outcome] of entries) {
    const node = index.nodes.get(id);
    if (node?.goal_gate && !isSuccess(outcome)) unsatisfied.push(node);
  }
  const first = unsatisfied[0];
  return first ? { ok: false, node: first, unsatisfied: unsatisfied.map((n) => n.id) } : { ok: true };
}

/** Where an unsatisfied goal gate sends the run (§3.4): node retry_target, node fallback, graph ones; existing only. */
export function goalGateRetryTarget(graph: PipelineGraph, node: PipelineNode, index: GraphIndex = indexOf(graph)): string | undefined {
  return [node.retry_target, node.fallback_retry_target, graph.retry_target, graph.fallback_retry_target].find(
    (t): t is string => t !== undefined && t !== '' && index.nodes.has(t),
  );
}

/** How a failed stage continues (§3.7). */
export type FailureRoute =
  | { via: 'edge'; to: string; edge: PipelineEdge }
  | { via: 'retry_target' | 'fallback_retry_target'; to: string };

/** Fail edge (a condition that holds with outcome=fail), else retry_target, else fallback; undefined = run fails. */
export function failureRoute(
  graph: PipelineGraph,
  node: PipelineNode,
  outcome: Outcome,
  context: ContextValues,
  index: GraphIndex = indexOf(graph),
): FailureRoute | undefined {
  const failed: Outcome = { ...outcome, status: StageStatus.fail };
  const matched = (index.outgoing.get(node.id) ?? []).filter(
    (e) => !isUnconditional(e) && e.condition.ok && evaluateClauses(e.condition.clauses, failed, context),
  );
  const edge = bestByWeightThenLexical(matched);
  if (edge) return { via: 'edge', to: edge.to, edge };
  if (node.retry_target && index.nodes.has(node.retry_target)) return { via: 'retry_target', to: node.retry_target };
  if (node.fallback_retry_target && index.nodes.has(node.fallback_retry_target)) {
    return { via: 'fallback_retry_target', to: node.fallback_retry_target };
  }
  return undefined;
}

/** The entry node: type start, else an id `start`/`Start` (§3.2). */
export function findStartNode(graph: PipelineGraph): PipelineNode | undefined {
  return graph.nodes.find((n) => n.type === NodeType.start) ?? graph.nodes.find((n) => n.id === 'start' || n.id === 'Start');
}

/** The terminal node: type exit, else an id `exit`/`end` (§7.2). */
export function findExitNode(graph: PipelineGraph): PipelineNode | undefined {
  return graph.nodes.find((n) => n.type === NodeType.exit) ?? graph.nodes.find((n) => n.id === 'exit' || n.id === 'end');
}

/** True at a terminal node, where goal gates are checked instead of running a handler. */
export function isTerminal(node: PipelineNode): boolean {
  return node.type === NodeType.exit;
}

/** Total executions allowed for a node (§3.5): 1 + (max_retries ?? default_max_retries ?? 0). */
export function maxAttempts(graph: PipelineGraph, node: PipelineNode): number {
  return 1 + Math.max(0, node.max_retries ?? graph.default_max_retries ?? 0);
}

/** One option of a human gate (§4.6). */
export interface HumanChoice {
  key: string;
  label: string;
  to: string;
}

/** A gate's options, one per outgoing edge in declaration order: label (or target id) and accelerator key. */
export function humanChoices(graph: PipelineGraph, nodeId: string, index: GraphIndex = indexOf(graph)): HumanChoice[] {
  return (index.outgoing.get(nodeId) ?? []).map(({ edge }) => {
    const label = edge.label.trim() !== '' ? edge.label : edge.to;
    return { key: acceleratorKey(label), label, to: edge.to };
  });
}

/** The choice an answer names: target id, then normalized label, then accelerator key (`A`, `[A]`). */
export function matchHumanChoice(choices: readonly HumanChoice[], answer: string): HumanChoice | undefined {
  const text = answer.trim();
  if (text === '') return undefined;
  const byId = choices.find((c) => c.to === text);
  if (byId) return byId;
  const label = normalizeLabel(text);
  const byLabel = choices.find((c) => normalizeLabel(c.label) === label);
  if (byLabel) return byLabel;
  const key = /^\[?([A-Za-z0-9])\]?$/.exec(text)?.[1]?.toUpperCase();
  return key === undefined ? undefined : choices.find((c) => c.key === key);
}

/** The first parallel.fan_in node reachable from every branch start (BFS order from the first start). */
export function findFanIn(graph: PipelineGraph, starts: readonly string[], index: GraphIndex = indexOf(graph)): string | undefined {
  const reach = (from: string): string[] => {
    const seen = new Set<string>([from]);
    const order: string[] = [];
    const queue = [from];
    while (queue.length) {
      const id = queue.shift() as string;
      if (index.nodes.get(id)?.type === NodeType.fanIn) order.push(id);
      for (const { edge } of index.outgoing.get(id) ?? []) {
        if (!seen.has(edge.to)) {
          seen.add(edge.to);
          queue.push(edge.to);
        }
      }
    }
    return order;
  };
  const [first, ...rest] = starts;
  if (first === undefined) return undefined;
  const others = rest.map((s) => new Set(reach(s)));
  return reach(first).find((id) => others.every((o) => o.has(id)));
}
