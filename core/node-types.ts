// Which node types the run workflow executes itself and which go to a worker's handler registry.
// Shared by preflight (coverage check) and the workflow (dispatch), so the two always agree.

import { NodeType, resolveNodeType, type PipelineGraph } from './model';

/** Types handled inside workflow code: they cost no activity (start/exit/conditional) or need workflow state. */
export const WORKFLOW_NODE_TYPES: readonly string[] = [
  NodeType.start,
  NodeType.exit,
  NodeType.conditional,
  NodeType.waitHuman,
  NodeType.parallel,
  NodeType.managerLoop,
];

/** Types the pipeline worker's default handler registry serves (custom types are added by register()). */
export const ACTIVITY_NODE_TYPES: readonly string[] = [NodeType.codergen, NodeType.tool, NodeType.fanIn];

/** One node a type fallback remapped: what it was written as and what it now runs as. */
export interface TypeFallback {
  node: string;
  from: string;
  to: string;
}

/**
 * Attractor §4.2's fallback, behind the profile's `policy.unknown_types: shape`: a node whose type no
 * handler runs is run by its shape's handler (codergen for a box or no shape). Returns the same graph
 * object when nothing changes.
 */
export function fallbackToShape(graph: PipelineGraph, covered: ReadonlySet<string>): { graph: PipelineGraph; mapped: TypeFallback[] } {
  const mapped: TypeFallback[] = [];
  const nodes = graph.nodes.map((n) => {
    if (covered.has(n.type)) return n;
    const to = resolveNodeType(undefined, n.shape);
    mapped.push({ node: n.id, from: n.type, to });
    return { ...n, type: to };
  });
  return mapped.length ? { graph: { ...graph, nodes }, mapped } : { graph, mapped };
}
