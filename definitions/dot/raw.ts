// Maps the flattened digraph onto the raw pipeline document (the shape a PipelineSpec YAML file has),
// typing the attributes the schema knows, so YAML and DOT share one schema and one normalization.
import type { SourcePos } from '../../core/diagnostics';
import type { DotAttr, DotAttrs, DotGraph } from './collect';

/** How a DOT string is typed before validation. */
type Coercion = 'string' | 'int' | 'bool' | 'list';

const GRAPH_KEYS: Readonly<Record<string, Coercion>> = {
  id: 'string',
  version: 'string',
  goal: 'string',
  label: 'string',
  model_stylesheet: 'string',
  capabilities: 'list',
  exports: 'list',
  default_max_retries: 'int',
  retry_target: 'string',
  fallback_retry_target: 'string',
  default_fidelity: 'string',
};
/** Attractor spells the graph retry ceiling `default_max_retry`; our schema `default_max_retries`. */
const GRAPH_ALIASES: Readonly<Record<string, string>> = { default_max_retry: 'default_max_retries' };
const GRAPH_GROUPS: Readonly<Record<string, Readonly<Record<string, Coercion>>>> = {
  stack: { child_dotfile: 'string', child_workdir: 'string' },
  tool_hooks: { pre: 'string', post: 'string' },
};

const NODE_KEYS: Readonly<Record<string, Coercion>> = {
  type: 'string',
  shape: 'string',
  label: 'string',
  prompt: 'string',
  max_retries: 'int',
  goal_gate: 'bool',
  retry_target: 'string',
  fallback_retry_target: 'string',
  fidelity: 'string',
  thread_id: 'string',
  class: 'string',
  timeout: 'string',
  llm_model: 'string',
  llm_provider: 'string',
  reasoning_effort: 'string',
  auto_status: 'bool',
  allow_partial: 'bool',
  activity: 'string',
  tool_command: 'string',
  join_policy: 'string',
  error_policy: 'string',
  max_parallel: 'int',
};
const NODE_GROUPS: Readonly<Record<string, Readonly<Record<string, Coercion>>>> = {
  human: { default_choice: 'string', approvers: 'list', quorum: 'int', timeout: 'string', allow_self_approval: 'bool', question: 'string' },
  manager: { poll_interval: 'string', max_cycles: 'int', stop_condition: 'string', actions: 'string' },
};

const EDGE_KEYS: Readonly<Record<string, Coercion>> = {
  label: 'string',
  condition: 'string',
  weight: 'int',
  fidelity: 'string',
  thread_id: 'string',
  loop_restart: 'bool',
};

/**
 * Attractor gives these attributes the default `""` or "unset": an empty string in DOT means "not set",
 * so it is dropped rather than handed to the schema (where `fidelity: ""` would be an invalid value).
 */
const EMPTY_MEANS_UNSET = new Set([
  'type', 'shape', 'retry_target', 'fallback_retry_target', 'default_fidelity', 'fidelity', 'thread_id',
  'timeout', 'llm_model', 'llm_provider', 'reasoning_effort', 'tool_command', 'join_policy', 'error_policy',
]);

/** The key sets the mapper treats as known, exported so a test can hold them against the schema. */
export const DOT_KNOWN_KEYS = { graph: GRAPH_KEYS, graphGroups: GRAPH_GROUPS, node: NODE_KEYS, nodeGroups: NODE_GROUPS, edge: EDGE_KEYS };

export type RawPath = readonly (string | number)[];

/** The raw document plus where each of its values was written. */
export interface RawDotDoc {
  raw: Record<string, unknown>;
  /** Where the value at a raw path was written (the nearest located ancestor when it was not). */
  locate(path: RawPath): SourcePos | undefined;
  /** Where the attribute name of a raw path was written; unknown keys point here. */
  locateKey(path: RawPath): SourcePos | undefined;
}

/** Types a known attribute; a value that does not fit is left as the string so the schema reports it. */
function coerce(value: string, as: Coercion): unknown {
  const text = value.trim();
  switch (as) {
    case 'int':
      // Decimals become numbers too, so the schema reports "expected integer, got number 1.5".
      return /^-?(\d+|\d*\.\d+)$/.test(text) && Number.isFinite(Number(text)) ? Number(text) : value;
    case 'bool':
      return text === 'true' ? true : text === 'false' ? false : value;
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    default:
      return value;
  }
}

/** Custom attributes keep Attractor's value types: bare integers, floats and booleans are typed, quoted text stays text. */
function customValue(attr: DotAttr): string | number | boolean {
  if (attr.quoted) return attr.value;
  if (/^-?\d+$/.test(attr.value) && Number.isSafeInteger(Number(attr.value))) return Number(attr.value);
  if (/^-?\d*\.\d+$/.test(attr.value)) return Number(attr.value);
  if (attr.value === 'true' || attr.value === 'false') return attr.value === 'true';
  return attr.value;
}

/** Builds the raw PipelineSpec document from a flattened digraph (`kind` is implicit in DOT, so absent). */
export function toRawPipelineDoc(graph: DotGraph): RawDotDoc {
  const where = new Map<string, SourcePos>();
  const whereKey = new Map<string, SourcePos>();
  const mark = (path: RawPath, pos: SourcePos, keyPos?: SourcePos): void => {
    const key = JSON.stringify(path);
    if (!where.has(key)) where.set(key, pos);
    if (keyPos && !whereKey.has(key)) whereKey.set(key, keyPos);
  };
  mark([], graph.pos);

  const raw: Record<string, unknown> = {};
  if (graph.name) {
    // Attractor names graphs like `digraph Simple`; pipeline ids are lower-case, so the name is
    // lower-cased. An explicit graph attribute `id` is taken as written.
    raw.id = graph.name.value.toLowerCase();
    mark(['id'], graph.name.pos);
  }
  const graphAttrs = new Map<string, DotAttr>();
  for (const [k, v] of graph.attrs) graphAttrs.set(Object.hasOwn(GRAPH_ALIASES, k) ? (GRAPH_ALIASES[k] as string) : k, v);
  if (graphAttrs.has('id')) where.delete(JSON.stringify(['id']));
  mapAttrs(raw, [], graphAttrs, GRAPH_KEYS, GRAPH_GROUPS, mark);

  raw.nodes = graph.nodes.map((node, i) => {
    const out: Record<string, unknown> = { id: node.id };
    mark(['nodes', i], node.pos);
    mark(['nodes', i, 'id'], node.pos);
    mapAttrs(out, ['nodes', i], node.attrs, NODE_KEYS, NODE_GROUPS, mark);
    if (node.classes.length > 0) {
      const explicit = typeof out.class === 'string' ? out.class.split(',').map((s) => s.trim()).filter(Boolean) : [];
      const added = node.classes.filter((c) => !explicit.includes(c.name));
      if (added.length > 0) out.class = [...explicit, ...added.map((c) => c.name)].join(',');
      const first = node.classes[0];
      if (first) mark(['nodes', i, 'class'], first.pos);
    }
    return out;
  });

  raw.edges = graph.edges.map((edge, i) => {
    const out: Record<string, unknown> = { from: edge.from, to: edge.to };
    mark(['edges', i], edge.pos);
    mark(['edges', i, 'from'], edge.pos);
    mark(['edges', i, 'to'], edge.pos);
    mapAttrs(out, ['edges', i], edge.attrs, EDGE_KEYS, {}, mark);
    return out;
  });

  const locate = (path: RawPath): SourcePos | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const pos = where.get(JSON.stringify(path.slice(0, n)));
      if (pos) return pos;
    }
    return undefined;
  };
  return { raw, locate, locateKey: (path) => whereKey.get(JSON.stringify(path)) ?? locate(path) };
}

/** Sorts attributes into known fields (typed), dotted groups (nested objects) and `attrs` (the rest). */
function mapAttrs(
  out: Record<string, unknown>,
  base: RawPath,
  attrs: DotAttrs,
  keys: Readonly<Record<string, Coercion>>,
  groups: Readonly<Record<string, Readonly<Record<string, Coercion>>>>,
  mark: (path: RawPath, pos: SourcePos, keyPos?: SourcePos) => void,
): void {
  const custom: Record<string, unknown> = {};
  for (const [key, attr] of attrs) {
    const known = Object.hasOwn(keys, key) ? keys[key] : undefined;
    const dot = key.indexOf('.');
    const group = dot > 0 && Object.hasOwn(groups, key.slice(0, dot)) ? key.slice(0, dot) : undefined;
    if (known) {
      if (attr.value === '' && EMPTY_MEANS_UNSET.has(key)) continue;
      out[key] = coerce(attr.value, known);
      mark([...base, key], attr.pos, attr.keyPos);
    } else if (group) {
      const sub = key.slice(dot + 1);
      const table = groups[group] ?? {};
      const obj = (out[group] ??= {}) as Record<string, unknown>;
      const as = Object.hasOwn(table, sub) ? table[sub] : undefined;
      if (attr.value === '' && sub === 'timeout') continue;
      setOwn(obj, sub, as ? coerce(attr.value, as) : attr.value);
      mark([...base, group], attr.pos, attr.keyPos);
      mark([...base, group, sub], attr.pos, attr.keyPos);
    } else {
      setOwn(custom, key, customValue(attr));
      mark([...base, 'attrs'], attr.pos);
      mark([...base, 'attrs', key], attr.pos, attr.keyPos);
    }
  }
  if (Object.keys(custom).length > 0) out.attrs = custom;
}

/** Sets an own property even for keys like `__proto__`, which a DOT author may write. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
