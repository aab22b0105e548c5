// Graph transforms run between loading and lint (Attractor §9.1-9.3): built-ins first, then custom ones in
// registration order. A transform returns a new graph and never mutates its input.

import type { PipelineGraph } from './model';
import { applyStylesheet, parseStylesheet } from './stylesheet';

/** A graph rewrite; custom ones are passed to applyTransforms (e.g. org defaults, injected audit nodes). */
export interface Transform {
  name: string;
  apply(graph: PipelineGraph): PipelineGraph;
}

/** `$goal` in node prompts → the graph goal (§9.2): plain string replacement, no templating. */
export const goalExpansion: Transform = {
  name: 'goal_expansion',
  apply(graph) {
    const nodes = graph.nodes.map((n) => (n.prompt.includes('$goal') ? { ...n, prompt: n.prompt.split('$goal').join(graph.goal) } : n));
    return { ...graph, nodes };
  },
};

/** Applies `model_stylesheet` (§8.5). Lenient: applies the rules that parsed; syntax errors are lint's job. */
export const stylesheetApplication: Transform = {
  name: 'stylesheet_application',
  apply(graph) {
    if (graph.model_stylesheet.trim() === '') return { ...graph };
    return applyStylesheet(graph, parseStylesheet(graph.model_stylesheet).rules);
  },
};

/**
 * Graph-level `tool_hooks.pre` / `.post` (§9.7) onto each node that sets no hook of its own, as the node
 * attributes `tool_hooks.pre` / `tool_hooks.post` the agent loop reads; a node's own value wins.
 */
export const toolHookInheritance: Transform = {
  name: 'tool_hook_inheritance',
  apply(graph) {
    const hooks = Object.entries(graph.tool_hooks ?? {}).filter(([, v]) => typeof v === 'string' && v.trim() !== '');
    if (hooks.length === 0) return { ...graph };
    const nodes = graph.nodes.map((n) => {
      const add = hooks.filter(([k]) => !Object.hasOwn(n.attrs, `tool_hooks.${k}`));
      return add.length ? { ...n, attrs: { ...n.attrs, ...Object.fromEntries(add.map(([k, v]) => [`tool_hooks.${k}`, v as string])) } } : n;
    });
    return { ...graph, nodes };
  },
};

/** The built-in transforms, in the order they run. */
export const BUILTIN_TRANSFORMS: readonly Transform[] = [goalExpansion, stylesheetApplication, toolHookInheritance];

/** What loaders call after normalization: built-ins, then `extra` in order. */
export function applyTransforms(graph: PipelineGraph, extra: readonly Transform[] = []): PipelineGraph {
  let out = graph;
  for (const t of [...BUILTIN_TRANSFORMS, ...extra]) out = t.apply(out);
  return out;
}

/**
 * Custom (plugin, §9.3) transforms on a graph the loader already ran the built-ins over: at boot (resolveSpecs,
 * before preflight lint) and in `factory lint --profile`. Throws naming the transform when one throws or
 * returns something that is not a graph.
 */
export function applyCustomTransforms(graph: PipelineGraph, extra: readonly Transform[]): PipelineGraph {
  let out = graph;
  for (const t of extra) {
    const name = typeof t.name === 'string' && t.name ? t.name : '(unnamed)';
    let next: unknown;
    try {
      next = t.apply(out);
    } catch (err) {
      throw new Error(`transform ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const g = next as Partial<PipelineGraph> | null;
    if (!g || typeof g !== 'object' || !Array.isArray(g.nodes) || !Array.isArray(g.edges) || typeof g.attrs !== 'object') {
      throw new Error(`transform ${name} returned no graph (expected an object with nodes, edges and attrs, as apply(graph) receives)`);
    }
    out = g as PipelineGraph;
  }
  return out;
}
