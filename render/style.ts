// What every picture of a pipeline agrees on, whatever the format: a node's shape, its label lines,
// its gate marks and — given a run — its status and colours. Pure: no I/O, deterministic output.
import { WORKFLOW_NODE_TYPES } from '../core/node-types';
import { SHAPE_TO_TYPE, TYPE_TO_SHAPE, type PipelineGraph, type PipelineNode } from '../core/model';
import { formatElapsed } from '../core/durations';
import type { RunEnvelope, RunStatus } from '../core/run-model';

/** A node's status in a picture of a run (stage outcome, or where the run is / has not been). */
export const NodeRunStatus = {
  success: 'success',
  partialSuccess: 'partial_success',
  fail: 'fail',
  running: 'running',
  retry: 'retry',
  skipped: 'skipped',
  notReached: 'not_reached',
} as const;
export type NodeRunStatus = (typeof NodeRunStatus)[keyof typeof NodeRunStatus];

/** Fill, border and text colour of one status (success green, fail red, running yellow, not reached grey). */
export interface StatusColours {
  fill: string;
  stroke: string;
  font: string;
}

/** The palette all formats use, so an SVG and a mermaid diagram of one run look alike. */
export const STATUS_COLOURS: Readonly<Record<NodeRunStatus, StatusColours>> = {
  success: { fill: '#c8e6c9', stroke: '#2e7d32', font: '#1b5e20' },
  partial_success: { fill: '#dcedc8', stroke: '#689f38', font: '#33691e' },
  fail: { fill: '#ffcdd2', stroke: '#c62828', font: '#b71c1c' },
  running: { fill: '#fff59d', stroke: '#f9a825', font: '#5d4037' },
  retry: { fill: '#ffe0b2', stroke: '#ef6c00', font: '#5d4037' },
  skipped: { fill: '#f5f5f5', stroke: '#bdbdbd', font: '#757575' },
  not_reached: { fill: '#eeeeee', stroke: '#9e9e9e', font: '#757575' },
};

/** Badges printed under a gate's label, in every format. */
export const GATE_BADGES = { human: '[gate]', goal: '[goal gate]' } as const;

/** Run statuses after which nothing is running any more. */
const TRAVERSAL_DONE: ReadonlySet<RunStatus> = new Set<RunStatus>(['evaluating', 'approved', 'rejected', 'failed', 'completed']);

/** Everything a renderer needs to draw one node. */
export interface NodeView {
  id: string;
  type: string;
  /** Graphviz shape: the node's own, else its type's, else box; human gates are always hexagons. */
  shape: string;
  /** Text lines: the label, then gate badges, then (for a run) the status line. */
  lines: string[];
  humanGate: boolean;
  goalGate: boolean;
  /** Set only when drawing a run. */
  status?: NodeRunStatus;
  /** One-line description for tooltips: type, attributes worth knowing, the run's attempts. */
  tooltip: string;
}

/** Everything a renderer needs to draw one edge. */
export interface EdgeView {
  from: string;
  to: string;
  /** Label lines: the edge label, then `[condition]`, then weight / loop_restart notes. */
  lines: string[];
  conditional: boolean;
}

/** The pipeline as a renderer sees it: title lines, nodes, edges. */
export interface GraphView {
  id: string;
  /** The pipeline's label (or id). */
  title: string;
  /** `id@version`. */
  ref: string;
  /** For a run: `run <id>: <status>`; undefined when drawing a spec. */
  subtitle?: string;
  nodes: NodeView[];
  edges: EdgeView[];
  /** True when nodes carry statuses (a legend is worth drawing). */
  isRun: boolean;
}

/** Builds the view of a pipeline, coloured by the run's stage statuses when an envelope is given. */
export function graphView(graph: PipelineGraph, envelope?: RunEnvelope): GraphView {
  const statuses = envelope ? nodeStatuses(graph, envelope) : undefined;
  const outcome = envelope?.outcome && envelope.outcome !== envelope.status ? ` (${envelope.outcome})` : '';
  return {
    id: graph.id,
    title: graph.label || graph.id,
    ref: `${graph.id}@${graph.version}`,
    ...(envelope ? { subtitle: `run ${envelope.runId}: ${envelope.status}${outcome}` } : {}),
    nodes: graph.nodes.map((n) => nodeView(n, statuses?.get(n.id), envelope)),
    edges: graph.edges.map((e) => ({
      from: e.from,
      to: e.to,
      lines: [
        ...(e.label ? [e.label] : []),
        ...(e.condition ? [`[${e.condition}]`] : []),
        ...(e.weight ? [`weight ${e.weight}`] : []),
        ...(e.loop_restart ? ['loop restart'] : []),
      ],
      conditional: e.condition !== '',
    })),
    isRun: envelope !== undefined,
  };
}

/** Each node's status in a run: its stage record, the failure's node, the current node, else not reached. */
export function nodeStatuses(graph: PipelineGraph, envelope: RunEnvelope): Map<string, NodeRunStatus> {
  const out = new Map<string, NodeRunStatus>();
  const done = TRAVERSAL_DONE.has(envelope.status);
  const failedRun = envelope.status === 'failed' || envelope.outcome === 'failed';
  const anyStage = Object.keys(envelope.stages ?? {}).length > 0;
  for (const node of graph.nodes) {
    const rec = envelope.stages?.[node.id];
    let status: NodeRunStatus = NodeRunStatus.notReached;
    const inFlight = rec?.startedAt !== undefined && (rec.finishedAt === undefined || rec.startedAt > rec.finishedAt);
    if (envelope.failure?.node === node.id) status = NodeRunStatus.fail;
    else if (inFlight && !done) status = NodeRunStatus.running;
    else if (inFlight && failedRun) status = NodeRunStatus.fail;
    else if (rec?.status) status = rec.status;
    else if (node.id === envelope.currentNode) status = done ? (failedRun ? NodeRunStatus.fail : NodeRunStatus.success) : NodeRunStatus.running;
    else if (node.type === 'start' && (anyStage || envelope.status !== 'booting')) status = NodeRunStatus.success;
    out.set(node.id, status);
  }
  return out;
}

function nodeView(node: PipelineNode, status: NodeRunStatus | undefined, envelope: RunEnvelope | undefined): NodeView {
  const humanGate = node.type === 'wait.human';
  const goalGate = node.goal_gate;
  const rec = envelope?.stages?.[node.id];
  const lines = [node.label || node.id];
  // a shape that does not pick this handler (a typo such as hexagone, or type= over the shape) says what runs
  const shapeType = node.shape ? SHAPE_TO_TYPE[node.shape] : undefined;
  if (node.shape && shapeType !== node.type) lines.push(`runs as ${node.type}`);
  if (humanGate) lines.push(GATE_BADGES.human);
  if (goalGate) lines.push(GATE_BADGES.goal);
  // a finished stage's duration (a gate's: how long it waited); start, exit and conditionals take no time worth a line
  const timed = status !== undefined && status !== NodeRunStatus.running && !UNTIMED.has(node.type);
  const took = timed ? stageDuration(rec) : undefined;
  if (status !== undefined) lines.push(statusLine(status, rec?.executions ?? 0, took));
  const tooltip = [
    `${node.id} (${node.type})`,
    ...(node.tool_command ? [`command: ${node.tool_command}`] : []),
    ...(WORKFLOW_NODE_TYPES.includes(node.type) ? [] : ['runs as an activity']),
    ...(goalGate ? [`goal gate${node.retry_target ? `, retry target ${node.retry_target}` : ''}`] : []),
    ...(humanGate && node.human?.default_choice ? [`default choice ${node.human.default_choice}`] : []),
    ...(rec ? [`${rec.executions} run(s), ${rec.attempts} attempt(s)`] : []),
    ...(took !== undefined && rec?.startedAt ? [`${(rec.executions ?? 0) > 1 ? 'last run' : 'ran'} ${took}, from ${rec.startedAt}`] : []),
    ...(rec?.failure_reason ? [`failure: ${rec.failure_reason}`] : []),
  ].join('; ');
  return {
    id: node.id,
    type: node.type,
    shape: humanGate ? 'hexagon' : (shapeType && node.shape) || TYPE_TO_SHAPE[node.type] || 'box',
    lines,
    humanGate,
    goalGate,
    ...(status !== undefined ? { status } : {}),
    tooltip,
  };
}

/** Node types whose duration is always ~0 (routing in workflow code): no duration line. */
const UNTIMED = new Set(['start', 'exit', 'conditional']);

function statusLine(status: NodeRunStatus, executions: number, took: string | undefined): string {
  const text = status.replace('_', ' ');
  if (executions > 1) return `${text} (${executions} runs${took ? `, last ${took}` : ''})`;
  return took ? `${text} · ${took}` : text;
}

/** How long a finished stage's last execution took (its record's start to finish); none while it runs or when unknown. */
export function stageDuration(rec: { startedAt?: string; finishedAt?: string } | undefined): string | undefined {
  if (!rec?.startedAt || !rec.finishedAt) return undefined;
  const ms = Date.parse(rec.finishedAt) - Date.parse(rec.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? formatElapsed(ms) : undefined;
}
