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

/** Builds the SourceMap for whatever of the document is well-formed enough to name; never throws on odd input. */
export function buildSourceMap(raw: unknown, ctx: Pick<LocateContext, 'locate'>): SourceMap {
  const map: SourceMap = {};
  if (!isRecord(raw)) return map;
  const put = (key: string, path: Path) => {
    if (Object.prototype.hasOwnProperty.call(map, key)) return;
    const pos: SourcePos | undefined = ctx.locate(path);
    if (pos) map[key] = { line: pos.line, column: pos.column };
  };
  const fields = (prefix: string, obj: Record<string, unknown>, path: Path, depth: number) => {
    for (const [k, v] of Object.entries(obj)) {
      const names = MODEL_NAME[k] ? [k, MODEL_NAME[k]] : [k];
      for (const name of names) put(`${prefix}${name}`, [...path, k]);
      if (depth > 0 && isRecord(v)) fields(`${prefix}${k}.`, v, [...path, k], depth - 1);
    }
  };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'nodes' || k === 'edges') continue;
    put(k, [k]);
    if (isRecord(v)) fields(`${k}.`, v, [k], 0);
  }
  const nodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  nodes.forEach((node: unknown, i) => {
    if (!isRecord(node) || typeof node.id !== 'string') return;
    if (Object.prototype.hasOwnProperty.call(map, `nodes[${node.id}]`)) return;
    put(`nodes[${node.id}]`, ['nodes', i]);
    fields(`nodes[${node.id}].`, node, ['nodes', i], 1);
  });
  const edges = Array.isArray(raw.edges) ? raw.edges : [];
  edges.forEach((edge: unknown, i) => {
    put(`edges[${i}]`, ['edges', i]);
    if (isRecord(edge)) fields(`edges[${i}].`, edge, ['edges', i], 1);
  });
  return map;
}
