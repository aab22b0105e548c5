// Pure traversal decisions for the run workflow (Attractor §3.2-3.7, §4.6): which edge to take, whether the
// exit may be taken, where a failure goes, and what a human gate offers.
// Reading: selectEdge follows the CURRENT §3.3 text: a condition guards its edge (only true conditions match in
// step 1), steps 2-5 consider unconditional edges only, and NONE is a real answer. nextStep is the one routing
// step the main line and parallel branches share; see docs/architecture.md "Routing" for what NONE does.

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
  const unconditional = edges.filter(isUnconditional);
  const wanted = normalizeLabel(outcome.preferred_label ?? '');
  if (wanted !== '') {
    const hit = unconditional.find((e) => normalizeLabel(e.edge.label) === wanted);
    if (hit) return hit.edge;
  }
  for (const id of outcome.suggested_next_ids ?? []) {
    const hit = unconditional.find((e) => e.edge.to === id);
    if (hit) return hit.edge;
  }
  return bestByWeightThenLexical(unconditional);
}

/** Where a node's outcome sends the traversal: a next node, or NONE with the reason and what did not match. */
export type RouteStep =
  | { to: string; via: 'edge'; edge: PipelineEdge }
  | { to: string; via: 'retry_target' | 'fallback_retry_target' | 'conditional' }
  | { to: undefined; none: 'no_edges' | 'no_match' | 'failed'; message: string; causes: string[] };

/**
 * The one routing step (main line and parallel branches). FAIL goes through failure routing (§3.7: fail edge,
 * retry_target, fallback_retry_target, then our reading of §2.13: an unconditional edge into a conditional
 * node); any other outcome through edge selection (§3.3). NONE names the node, the outcome and the
 * conditions that did not match; the caller decides what NONE means for its lane.
 */
export function nextStep(
  graph: PipelineGraph,
  node: PipelineNode,
  outcome: Outcome,
  context: ContextValues,
  index: GraphIndex = indexOf(graph),
): RouteStep {
  const edges = index.outgoing.get(node.id) ?? [];
  if (outcome.status === StageStatus.fail) {
    const route = failureRoute(graph, node, outcome, context, index);
    if (route) return route;
    const intoConditional = edges.find((e) => isUnconditional(e) && index.nodes.get(e.edge.to)?.type === NodeType.conditional);
    if (intoConditional) return { to: intoConditional.edge.to, via: 'conditional' };
    const reason = outcome.failure_reason ?? 'no reason given';
    return { to: undefined, none: 'failed', message: `stage "${node.id}" failed and has no failure route: ${reason}`, causes: [outcome.failure_reason ?? `stage ${node.id} failed`] };
  }
  const edge = selectEdge(graph, node.id, outcome, context, index);
  if (edge) return { to: edge.to, via: 'edge', edge };
  if (edges.length === 0) return { to: undefined, none: 'no_edges', message: `node "${node.id}" has no outgoing edge to follow`, causes: [`dead end at ${node.id}`] };
  const unmet = edges.map((e) => `${e.edge.condition.trim()} (-> ${e.edge.to})`);
  return {
    to: undefined,
    none: 'no_match',
    message: `node "${node.id}" ended ${outcome.status} and no outgoing edge applies: no condition holds and there is no unconditional edge (conditions: ${unmet.join('; ')})`,
    causes: unmet.map((c) => `condition not met at ${node.id}: ${c}`),
  };
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

/** Total executions allowed for a node (§3.5): 1 + (max_retries ?? default_max_retries), else `otherwise`. */
export function maxAttempts(graph: PipelineGraph, node: PipelineNode, otherwise = 1): number {
  const retries = node.max_retries ?? graph.default_max_retries;
  return retries === undefined ? otherwise : 1 + Math.max(0, retries);
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
