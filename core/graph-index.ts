// Adjacency built once per graph, so lint and traversal stay O(nodes + edges) on 5,000-node pipelines.

import { parseCondition, type ParsedCondition } from './conditions';
import type { PipelineEdge, PipelineGraph, PipelineNode } from './model';

/** An edge with its position in `graph.edges` (the `edges[<i>]` SourceMap key) and its parsed condition. */
export interface IndexedEdge {
  edge: PipelineEdge;
  index: number;
  condition: ParsedCondition;
}

/** Lookups over one graph: treat the graph as immutable once indexed. */
export interface GraphIndex {
  /** id → first node with that id. */
  nodes: Map<string, PipelineNode>;
  /** id → outgoing edges in declaration order (also for ids that are not nodes). */
  outgoing: Map<string, IndexedEdge[]>;
  /** id → incoming edges in declaration order. */
  incoming: Map<string, IndexedEdge[]>;
  edges: IndexedEdge[];
}

const cache = new WeakMap<PipelineGraph, GraphIndex>();

/** Builds the index (conditions parsed once); use indexOf for a cached one. */
export function buildIndex(graph: PipelineGraph): GraphIndex {
  const nodes = new Map<string, PipelineNode>();
  for (const n of graph.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
  const outgoing = new Map<string, IndexedEdge[]>();
  const incoming = new Map<string, IndexedEdge[]>();
  const parsed = new Map<string, ParsedCondition>();
  const edges = graph.edges.map((edge, index) => {
    let condition = parsed.get(edge.condition);
    if (!condition) parsed.set(edge.condition, (condition = parseCondition(edge.condition)));
    const e: IndexedEdge = { edge, index, condition };
    push(outgoing, edge.from, e);
    push(incoming, edge.to, e);
    return e;
  });
  return { nodes, outgoing, incoming, edges };
}

/** The graph's index, built on first use and cached per graph object (graphs are not mutated after load). */
export function indexOf(graph: PipelineGraph): GraphIndex {
  let index = cache.get(graph);
  if (!index) cache.set(graph, (index = buildIndex(graph)));
  return index;
}

function push(map: Map<string, IndexedEdge[]>, key: string, e: IndexedEdge): void {
  const list = map.get(key);
  if (list) list.push(e);
  else map.set(key, [e]);
}
