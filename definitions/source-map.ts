// The model SourceMap (COMMON.md convention) from a raw pipeline document and a loader's `locate`:
// `nodes[plan]`, `nodes[plan].max_retries`, `edges[2].condition`, `goal`, ... → {line, column}.
import type { SourceMap, SourcePos } from '../core/diagnostics';
import type { LocateContext } from './issues';

type Path = readonly (string | number)[];

/** Document field → model field where normalization renames it (both keys are recorded). */
const MODEL_NAME: Readonly<Record<string, string>> = { class: 'classes', timeout: 'timeout_ms', poll_interval: 'poll_interval_ms' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** SourceMap key of the graph as a whole (no model field is named so). */
export const GRAPH_KEY = '$graph';

/** Builds the SourceMap for whatever of the document is well-formed enough to name; never throws on odd input. */
export function buildSourceMap(raw: unknown, ctx: Pick<LocateContext, 'locate' | 'locateIn' | 'locateKey'>): SourceMap {
  const map: SourceMap = {};
  if (!isRecord(raw)) return map;
  const at = (container: object, k: string | number, path: Path): SourcePos | undefined => ctx.locateIn?.(container, k) ?? ctx.locate([...path, k]);
  const put = (key: string, pos: SourcePos | undefined) => {
    if (pos && !Object.prototype.hasOwnProperty.call(map, key)) map[key] = { line: pos.line, column: pos.column };
  };
  const fields = (prefix: string, obj: Record<string, unknown>, path: Path, depth: number) => {
    // a custom attribute is reported for its name (unknown_attr), so it maps to where the key is written
    const custom = path[path.length - 1] === 'attrs';
    for (const k in obj) {
      const pos = (custom && ctx.locateKey?.([...path, k])) || at(obj, k, path);
      put(prefix + k, pos);
      const model = MODEL_NAME[k];
      if (model) put(prefix + model, pos);
      const v = obj[k];
      if (depth > 0 && isRecord(v)) fields(`${prefix}${k}.`, v, [...path, k], depth - 1);
    }
  };
  // the document itself (DOT: the `digraph` line): where graph-level findings with no field point
  put(GRAPH_KEY, ctx.locate([]));
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'nodes' || k === 'edges') continue;
    put(k, at(raw, k, []));
    if (isRecord(v)) fields(`${k}.`, v, [k], 0);
  }
  const nodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  nodes.forEach((node: unknown, i) => {
    if (!isRecord(node) || typeof node.id !== 'string') return;
    if (Object.prototype.hasOwnProperty.call(map, `nodes[${node.id}]`)) return;
    put(`nodes[${node.id}]`, at(nodes, i, ['nodes']));
    fields(`nodes[${node.id}].`, node, ['nodes', i], 1);
  });
  const edges = Array.isArray(raw.edges) ? raw.edges : [];
  edges.forEach((edge: unknown, i) => {
    put(`edges[${i}]`, at(edges, i, ['edges']));
    if (isRecord(edge)) fields(`edges[${i}].`, edge, ['edges', i], 1);
  });
  return map;
}

/**
 * Offset → 1-based line and column (UTF-16 units) in `text`: one index for the DOT and YAML loaders, both
 * of which report positions the way their parsers count them (the `yaml` package's LineCounter agrees).
 */
export function lineIndex(text: string): (offset: number) => SourcePos {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  };
}
