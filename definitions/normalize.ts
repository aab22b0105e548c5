// Validated PipelineSpec document → core/model.ts PipelineGraph (CONTRACTS.md "Normalization"),
// then the graph transforms. YAML and DOT both come through here, so equal inputs give equal graphs.
import type { PipelineEdge, PipelineGraph, PipelineNode } from '../core/model';
import { TYPE_TO_SHAPE, resolveNodeType } from '../core/model';
import { formatDuration } from '../core/durations';
import { applyTransforms } from '../core/transforms';
import { splitList } from './schemas/common';
import type { PipelineDoc, PipelineEdgeDoc, PipelineNodeDoc } from './schemas/pipeline';

/** Copies only the keys whose value is defined, so absent stays absent (deep-equal across loaders). */
function defined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const k in obj) {
    const v = obj[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** One node with every default filled. */
export function normalizeNode(n: PipelineNodeDoc): PipelineNode {
  const type = resolveNodeType(n.type, n.shape);
  const manager = n.manager && defined({ ...n.manager, actions: n.manager.actions === undefined ? undefined : splitList(n.manager.actions) });
  return defined<PipelineNode>({
    id: n.id,
    type,
    shape: n.shape ?? TYPE_TO_SHAPE[type] ?? 'box',
    label: n.label ?? n.id,
    prompt: n.prompt ?? '',
    max_retries: n.max_retries,
    goal_gate: n.goal_gate ?? false,
    retry_target: n.retry_target,
    fallback_retry_target: n.fallback_retry_target,
    fidelity: n.fidelity,
    thread_id: n.thread_id,
    classes: splitList(n.class),
    timeout_ms: n.timeout_ms,
    llm_model: n.llm_model,
    llm_provider: n.llm_provider,
    reasoning_effort: n.reasoning_effort,
    auto_status: n.auto_status ?? false,
    allow_partial: n.allow_partial ?? false,
    activity: n.activity,
    tool_command: n.tool_command,
    join_policy: n.join_policy,
    error_policy: n.error_policy,
    max_parallel: n.max_parallel,
    human: n.human && defined({ ...n.human, approvers: n.human.approvers && [...n.human.approvers] }),
    manager,
    attrs: { ...(n.attrs ?? {}) },
  });
}

/** One edge with every default filled. */
export function normalizeEdge(e: PipelineEdgeDoc): PipelineEdge {
  return defined<PipelineEdge>({
    from: e.from,
    to: e.to,
    label: e.label ?? '',
    condition: e.condition ?? '',
    weight: e.weight ?? 0,
    fidelity: e.fidelity,
    thread_id: e.thread_id,
    loop_restart: e.loop_restart ?? false,
    attrs: { ...(e.attrs ?? {}) },
  });
}

/**
 * Attractor §11.2: the start node is the Mdiamond or the node with id `start`/`Start`; the exit is the
 * Msquare or `exit`/`end`. A node found by id gets the type only when it has no explicit type and no
 * shape other than the default box, and only when no node already has that type.
 */
const START_IDS = ['start', 'Start'];
const EXIT_IDS = ['exit', 'end', 'Exit', 'End'];

function byConventionalId(nodes: PipelineNode[], docs: readonly PipelineNodeDoc[]): PipelineNode[] {
  const untyped = (i: number) => {
    const d = docs[i];
    return d !== undefined && d.type === undefined && (d.shape === undefined || d.shape === 'box');
  };
  const promote = (ids: readonly string[], type: 'start' | 'exit', shape: string) => {
    if (nodes.some((n) => n.type === type)) return;
    const i = nodes.findIndex((n, k) => ids.includes(n.id) && untyped(k));
    const n = nodes[i];
    if (n) nodes[i] = { ...n, type, shape };
  };
  promote(START_IDS, 'start', 'Mdiamond');
  promote(EXIT_IDS, 'exit', 'Msquare');
  return nodes;
}

/** The graph before transforms: plain data, defaults filled, no `kind`. */
export function normalizeDoc(doc: PipelineDoc): PipelineGraph {
  return defined<PipelineGraph>({
    id: doc.id,
    version: doc.version,
    goal: doc.goal,
    label: doc.label,
    model_stylesheet: doc.model_stylesheet,
    default_max_retries: doc.default_max_retries,
    retry_target: doc.retry_target,
    fallback_retry_target: doc.fallback_retry_target,
    default_fidelity: doc.default_fidelity,
    capabilities: [...doc.capabilities],
    exports: [...doc.exports],
    stack: doc.stack && defined({ ...doc.stack }),
    tool_hooks: doc.tool_hooks && defined({ ...doc.tool_hooks }),
    attrs: { ...doc.attrs },
    nodes: byConventionalId(doc.nodes.map(normalizeNode), doc.nodes),
    edges: doc.edges.map(normalizeEdge),
  });
}

/** The graph every loader returns: normalized, then `$goal` expansion and the model stylesheet applied. */
export function normalizePipeline(doc: PipelineDoc): PipelineGraph {
  return applyTransforms(normalizeDoc(doc));
}

/** A graph back as a PipelineSpec document (durations as strings, defaults left out): YAML export, DOT → YAML. */
export function pipelineToDoc(graph: PipelineGraph): Record<string, unknown> {
  const { nodes, edges, stack, tool_hooks, attrs, ...rest } = graph;
  return defined({
    kind: 'PipelineSpec',
    ...rest,
    stack: stack && defined({ ...stack }),
    tool_hooks: tool_hooks && defined({ ...tool_hooks }),
    attrs: Object.keys(attrs).length ? { ...attrs } : undefined,
    nodes: nodes.map(nodeToDoc),
    edges: edges.map(({ attrs: a, ...e }) => defined({ ...e, attrs: Object.keys(a).length ? { ...a } : undefined })),
  });
}

function nodeToDoc(n: PipelineNode): Record<string, unknown> {
  const { classes, timeout_ms, human, manager, attrs: a, ...rest } = n;
  return defined({
    ...rest,
    class: classes.length ? [...classes] : undefined,
    timeout: timeout_ms === undefined ? undefined : formatDuration(timeout_ms),
    human: human && defined({ ...human, timeout_ms: undefined, timeout: human.timeout_ms === undefined ? undefined : formatDuration(human.timeout_ms) }),
    manager:
      manager &&
      defined({ ...manager, poll_interval_ms: undefined, poll_interval: manager.poll_interval_ms === undefined ? undefined : formatDuration(manager.poll_interval_ms) }),
    attrs: Object.keys(a).length ? { ...a } : undefined,
  });
}
