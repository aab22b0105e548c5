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

/** A pipeline parameter's name: what `$name` in a prompt and `factory run -p name=value` refer to. */
export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `$name` in node prompts → the value of the pipeline's own graph attribute `name` (its parameters: custom
 * graph attributes, `attrs` in YAML), after `$goal`. Only declared names whose value is a string expand;
 * `$name` must not run on into more name characters (`$branch` expands, `$branches` does not).
 */
export const paramExpansion: Transform = {
  name: 'param_expansion',
  apply(graph) {
    const params = Object.entries(graph.attrs ?? {}).filter((e): e is [string, string] => PARAM_NAME.test(e[0]) && typeof e[1] === 'string');
    if (params.length === 0) return { ...graph };
    const values = new Map(params);
    const used = new Set<string>(graph.params ?? []);
    const expand = (text: string) =>
      text.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => {
        const value = values.get(name);
        if (value === undefined) return whole;
        used.add(name);
        return value;
      });
    const nodes = graph.nodes.map((n) => (n.prompt.includes('$') ? { ...n, prompt: expand(n.prompt) } : n));
    return { ...graph, nodes, ...(used.size ? { params: [...used].sort() } : {}) };
  },
};

/** What `factory run --goal` and `-p name=value` override in the pipeline a run boots with (recorded in its input and run.json). */
export interface SubmitOverrides {
  goal?: string;
  params?: Record<string, string>;
}

/** The pipeline's parameters: its custom graph attributes with a name and a string value. */
export function pipelineParams(graph: Pick<PipelineGraph, 'attrs'>): Record<string, string> {
  return Object.fromEntries(Object.entries(graph.attrs ?? {}).filter((e): e is [string, string] => PARAM_NAME.test(e[0]) && typeof e[1] === 'string'));
}

/**
 * The graph a run boots with: `unexpanded` (the loader's graph before the built-in transforms) with the
 * goal and parameters given at submit, then the built-ins (so `$goal` and `$name` expand to them). A
 * parameter the pipeline does not declare is an error naming it and the declared ones.
 */
export function withSubmitOverrides(unexpanded: PipelineGraph, o: SubmitOverrides): PipelineGraph {
  const declared = pipelineParams(unexpanded);
  const unknown = Object.keys(o.params ?? {}).filter((k) => !Object.hasOwn(declared, k));
  if (unknown.length) {
    const names = Object.keys(declared);
    throw new Error(
      `pipeline ${unexpanded.id} has no parameter ${unknown.map((k) => `"${k}"`).join(', ')}: ` +
        (names.length ? `its parameters are ${names.join(', ')}` : 'it declares none (parameters are the pipeline\'s own graph attributes: `attrs:` in YAML, graph [name="default"] in DOT)'),
    );
  }
  return applyTransforms({ ...unexpanded, ...(o.goal !== undefined ? { goal: o.goal } : {}), attrs: { ...unexpanded.attrs, ...o.params } });
}

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
export const BUILTIN_TRANSFORMS: readonly Transform[] = [goalExpansion, paramExpansion, stylesheetApplication, toolHookInheritance];

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
