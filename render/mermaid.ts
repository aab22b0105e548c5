// Mermaid flowchart text from the pipeline model, for Markdown (GitHub, GitLab and docs render it):
// the same shapes, labels, gate badges and status colours as the Graphviz picture.
import type { PipelineGraph } from '../core/model';
import type { RenderOptions } from './dot';
import { graphView, NodeRunStatus, STATUS_COLOURS, type NodeView } from './style';

/** Graphviz shape → mermaid node brackets (open, close). */
const SHAPES: Readonly<Record<string, readonly [string, string]>> = {
  Mdiamond: ['((', '))'],
  Msquare: ['(((', ')))'],
  box: ['[', ']'],
  hexagon: ['{{', '}}'],
  diamond: ['{', '}'],
  component: ['[[', ']]'],
  tripleoctagon: ['[\\', '/]'],
  parallelogram: ['[/', '/]'],
  house: ['>', ']'],
};

/** Words mermaid reads as syntax, never usable as bare node ids. */
const RESERVED = new Set(['end', 'graph', 'subgraph', 'flowchart', 'style', 'classdef', 'class', 'click', 'linkstyle', 'direction', 'default', 'call', 'href']);

/** The pipeline (or a run of it) as a mermaid `flowchart TD`; deterministic for the same inputs. */
export function toMermaid(graph: PipelineGraph, opts: RenderOptions = {}): string {
  const view = graphView(graph, opts.envelope);
  const ids = mermaidIds(view.nodes.map((n) => n.id));
  const idOf = (id: string) => ids.get(id) ?? id;
  const lines = [
    '---',
    `title: ${yamlScalar(`${view.title} (${view.ref})${view.subtitle ? ` — ${view.subtitle}` : ''}`)}`,
    '---',
    'flowchart TD',
    ...view.nodes.map((n) => `  ${idOf(n.id)}${shapeText(n)}`),
    ...view.edges.map((e) => `  ${idOf(e.from)} ${e.conditional ? '-.->' : '-->'}${e.lines.length ? `|${text(e.lines)}|` : ''} ${idOf(e.to)}`),
  ];
  const used = new Set(view.nodes.flatMap((n) => (n.status ? [n.status] : [])));
  for (const status of Object.values(NodeRunStatus).filter((s) => used.has(s))) {
    const c = STATUS_COLOURS[status];
    lines.push(`  classDef ${className(status)} fill:${c.fill},stroke:${c.stroke},color:${c.font}`);
    lines.push(`  class ${view.nodes.filter((n) => n.status === status).map((n) => idOf(n.id)).join(',')} ${className(status)}`);
  }
  for (const n of view.nodes) {
    if (n.goalGate) lines.push(`  style ${idOf(n.id)} stroke-width:4px`);
    else if (n.humanGate) lines.push(`  style ${idOf(n.id)} stroke-width:3px`);
  }
  return `${lines.join('\n')}\n`;
}

/** Mermaid-safe ids: the node id when it is a plain word, else `n<index>_<sanitized>` (never colliding). */
export function mermaidIds(ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  ids.forEach((id, i) => {
    let safe = /^[A-Za-z][A-Za-z0-9_]*$/.test(id) && !RESERVED.has(id.toLowerCase()) ? id : `n${i}_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
    while (taken.has(safe)) safe = `${safe}_`;
    taken.add(safe);
    out.set(id, safe);
  });
  return out;
}

function shapeText(n: NodeView): string {
  const [open, close] = SHAPES[n.shape] ?? SHAPES.box ?? ['[', ']'];
  return `${open}${text(n.lines)}${close}`;
}

/**
 * A quoted mermaid label: `#`, quotes and markup characters as numeric entity codes, lines joined by
 * `<br/>`; a line break inside a label is a `<br/>` too, so a label can never start a line of its own.
 */
function text(lines: readonly string[]): string {
  const escaped = lines.flatMap((l) => l.split(/\r\n|\r|\n/)).map((l) =>
    l.replace(/[#"&<>|]/g, (c) => `#${c.charCodeAt(0)};`),
  );
  return `"${escaped.join('<br/>')}"`;
}

function className(status: NodeRunStatus): string {
  return `status_${status}`;
}

function yamlScalar(value: string): string {
  return JSON.stringify(value);
}
