// Where parallel branches stop (Attractor §4.8 is silent without a fan-in): at the fan-in node they all
// reach, else at the first node every branch reaches, which then runs once after them. Pure, for the run
// workflow (workflows/parallel.ts does not call it yet: it stops only at a fan-in) and for lint.
import { indexOf, type GraphIndex } from './graph-index';
import { NodeType, type PipelineGraph } from './model';
import { findFanIn } from './routing';

/** The node the branches starting at `starts` join at, and whether it is a fan-in node; undefined when they never meet. */
export function branchJoin(graph: PipelineGraph, starts: readonly string[], index: GraphIndex = indexOf(graph)): { node: string; fanIn: boolean } | undefined {
  const fanIn = findFanIn(graph, starts, index);
  if (fanIn !== undefined) return { node: fanIn, fanIn: true };
  const reach = (from: string): string[] => {
    const seen = new Set([from]);
    const order = [from];
    for (let i = 0; i < order.length; i++) {
      for (const { edge } of index.outgoing.get(order[i] as string) ?? []) {
        if (!seen.has(edge.to)) {
          seen.add(edge.to);
          order.push(edge.to);
        }
      }
    }
    return order;
  };
  const [first, ...rest] = starts;
  if (first === undefined || rest.length === 0) return undefined;
  const others = rest.map((s) => new Set(reach(s)));
  const node = reach(first).find((id) => others.every((o) => o.has(id)) && index.nodes.get(id)?.type !== NodeType.exit);
  return node !== undefined ? { node, fanIn: false } : undefined;
}
