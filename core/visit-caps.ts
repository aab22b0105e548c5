// Loop caps, a dialect of other Attractor engines: node `max_visits` (how often one node may start in a
// run) and graph `max_node_visits` (the same cap for every node without its own). Pure: the run
// workflow calls visitCapExceeded before it starts a node (workflows/engine.ts) and fails the run when it
// answers; the wording keeps "exceeded max_visits", which other engines' conformance tests look for.
import type { AttrValue, PipelineGraph, PipelineNode } from './model';

/** A cap value as written: a positive integer (bare or quoted); anything else is not a cap. */
function capValue(v: AttrValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** The cap on how often `node` may start in one run: its max_visits, else the graph's max_node_visits. */
export function visitCapOf(graph: Pick<PipelineGraph, 'attrs'>, node: Pick<PipelineNode, 'attrs'>): number | undefined {
  return capValue(node.attrs.max_visits) ?? capValue(graph.attrs.max_node_visits);
}

/**
 * The failure reason when starting `node` for the `visit`-th time (1-based) would pass its cap, naming
 * the node and the cap; undefined while the visit is allowed or the node has no cap.
 */
export function visitCapExceeded(graph: Pick<PipelineGraph, 'attrs'>, node: Pick<PipelineNode, 'id' | 'attrs'>, visit: number): string | undefined {
  const cap = visitCapOf(graph, node);
  if (cap === undefined || visit <= cap) return undefined;
  const source = capValue(node.attrs.max_visits) !== undefined ? `max_visits=${cap}` : `the graph's max_node_visits=${cap}`;
  return `node '${node.id}' exceeded ${source}: it would start for the ${ordinal(visit)} time`;
}

/** Cap attributes whose value is not a positive integer, for lint: [where, written value]. */
export function badVisitCaps(graph: Pick<PipelineGraph, 'attrs' | 'nodes'>): { node?: string; key: string; value: AttrValue }[] {
  const out: { node?: string; key: string; value: AttrValue }[] = [];
  const g = graph.attrs.max_node_visits;
  if (g !== undefined && capValue(g) === undefined) out.push({ key: 'max_node_visits', value: g });
  for (const n of graph.nodes) {
    const v = n.attrs.max_visits;
    if (v !== undefined && capValue(v) === undefined) out.push({ node: n.id, key: 'max_visits', value: v });
  }
  return out;
}

function ordinal(n: number): string {
  const tail = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${tail}`;
}
