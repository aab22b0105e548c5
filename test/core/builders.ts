// Small builders for PipelineGraph objects in core tests: defaults as normalization would fill them.

import type { PipelineEdge, PipelineGraph, PipelineNode } from '../../core/model';
import { TYPE_TO_SHAPE } from '../../core/model';

const DEFAULT_TYPES: Readonly<Record<string, string>> = { start: 'start', exit: 'exit' };

/** A node; the type defaults to start/exit for those ids and to codergen otherwise. */
export function node(id: string, extra: Partial<PipelineNode> = {}): PipelineNode {
  const type = extra.type ?? DEFAULT_TYPES[id] ?? 'codergen';
  return {
    id,
    type,
    shape: TYPE_TO_SHAPE[type] ?? 'box',
    label: id,
    prompt: type === 'codergen' ? `Do ${id}` : '',
    goal_gate: false,
    classes: [],
    auto_status: false,
    allow_partial: false,
    attrs: {},
    ...extra,
  };
}

/** An edge with normalized defaults. */
export function edge(from: string, to: string, extra: Partial<PipelineEdge> = {}): PipelineEdge {
  return { from, to, label: '', condition: '', weight: 0, loop_restart: false, attrs: {}, ...extra };
}

/** A graph from nodes (or ids) and edges (or `a -> b -> c` chains). */
export function graph(
  nodes: readonly (PipelineNode | string)[],
  edges: readonly (PipelineEdge | string)[],
  extra: Partial<PipelineGraph> = {},
): PipelineGraph {
  return {
    id: 'test',
    version: '0.0.0',
    goal: '',
    label: '',
    model_stylesheet: '',
    capabilities: [],
    exports: [],
    attrs: {},
    nodes: nodes.map((n) => (typeof n === 'string' ? node(n) : n)),
    edges: edges.flatMap((e) => (typeof e === 'string' ? chain(e) : [e])),
    ...extra,
  };
}

/** `a -> b -> c` as edges a→b, b→c. */
export function chain(text: string): PipelineEdge[] {
  const ids = text.split('->').map((s) => s.trim());
  return ids.slice(1).map((to, i) => edge(ids[i] as string, to));
}

/** The smallest valid pipeline: start -> work -> exit. */
export function linear(...middle: string[]): PipelineGraph {
  const ids = ['start', ...middle, 'exit'];
  return graph(ids, [ids.join(' -> ')]);
}

/** A straight chain of `n` codergen nodes between start and exit (for scale tests). */
export function longChain(n: number): PipelineGraph {
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);
  return linear(...ids);
}
