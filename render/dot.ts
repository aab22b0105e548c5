// Graphviz DOT from the pipeline model (not from the source file): shapes per type, labels, edge
// labels and conditions, gates marked, and — for a run — nodes filled by stage status with a legend.
import type { PipelineGraph } from '../core/model';
import type { RunEnvelope } from '../core/run-model';
import { graphView, NodeRunStatus, STATUS_COLOURS, type EdgeView, type GraphView, type NodeView } from './style';

const FONT = 'Helvetica';

/** Options shared by every renderer: the run whose stage statuses colour the nodes. */
export interface RenderOptions {
  envelope?: RunEnvelope;
}

/** The pipeline (or a run of it) as a DOT digraph; deterministic for the same inputs. */
export function toDot(graph: PipelineGraph, opts: RenderOptions = {}): string {
  return viewToDot(graphView(graph, opts.envelope));
}

/** DOT for an already built view (the SVG and PNG paths share it). */
export function viewToDot(view: GraphView): string {
  const lines = [
    `digraph ${quote(view.id)} {`,
    `  graph [rankdir=TB, pad=0.3, fontname=${quote(FONT)}, fontsize=14, labelloc=t, label=${graphLabel(view)}];`,
    `  node [fontname=${quote(FONT)}, fontsize=12, style=filled, fillcolor="white", color="#424242"];`,
    `  edge [fontname=${quote(FONT)}, fontsize=10, color="#616161"];`,
    '',
    ...view.nodes.map((n) => `  ${quote(n.id)} [${attrs(nodeAttrs(n))}];`),
    '',
    ...view.edges.map((e) => `  ${quote(e.from)} -> ${quote(e.to)}${edgeAttrList(e, view)};`),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

function nodeAttrs(n: NodeView): Record<string, string | number> {
  const colours = n.status ? STATUS_COLOURS[n.status] : undefined;
  const classes = [`type-${n.type.replace(/[^A-Za-z0-9_-]/g, '-')}`];
  if (n.status) classes.push(`status-${n.status}`);
  if (n.humanGate) classes.push('gate-human');
  if (n.goalGate) classes.push('gate-goal');
  return {
    id: `node-${n.id}`,
    class: classes.join(' '),
    shape: n.shape,
    label: n.lines.join('\n'),
    tooltip: n.tooltip,
    ...(colours ? { fillcolor: colours.fill, color: colours.stroke, fontcolor: colours.font } : {}),
    ...(n.status === NodeRunStatus.running ? { penwidth: 2 } : {}),
    ...(n.humanGate ? { style: 'filled,bold' } : {}),
    ...(n.goalGate ? { peripheries: 2 } : {}),
  };
}

function edgeAttrList(e: EdgeView, view: GraphView): string {
  const a: Record<string, string | number> = {};
  if (e.lines.length) a.label = e.lines.join('\n');
  if (e.conditional) a.style = 'dashed';
  if (view.isRun) {
    const target = view.nodes.find((n) => n.id === e.to);
    if (target?.status === NodeRunStatus.notReached) a.color = STATUS_COLOURS.not_reached.stroke;
  }
  return Object.keys(a).length ? ` [${attrs(a)}]` : '';
}

/** The title, the run line and (for a run) a colour legend, as a Graphviz HTML-like label. */
function graphLabel(view: GraphView): string {
  const rows = [view.title, view.ref, ...(view.subtitle ? [view.subtitle] : [])].map((t, i) => `<tr><td>${i === 0 ? `<b>${html(t)}</b>` : html(t)}</td></tr>`);
  if (view.isRun) {
    const cells = Object.entries(STATUS_COLOURS)
      .filter(([s]) => s !== NodeRunStatus.retry && s !== NodeRunStatus.skipped)
      .map(([s, c]) => `<td bgcolor="${c.fill}" border="1" color="${c.stroke}"><font color="${c.font}" point-size="10">${html(s.replace('_', ' '))}</font></td>`);
    rows.push(`<tr><td><table border="0" cellspacing="4" cellpadding="4"><tr>${cells.join('')}</tr></table></td></tr>`);
  }
  return `<<table border="0" cellborder="0" cellspacing="2">${rows.join('')}</table>>`;
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : quote(v)}`)
    .join(', ');
}

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n` (centred lines). */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
