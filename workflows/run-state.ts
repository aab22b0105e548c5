// The run's in-memory state inside the workflow: envelope, events, context, gates, checkpoint.
// Deterministic: time comes from the injected clock (workflow time), never from the host.

import type { PipelineGraph, PipelineNode, StageStatus } from '../core/model';
import type { Outcome } from '../core/outcome';
import {
  type Checkpoint,
  type EventType,
  type FailureDomain,
  type GateRecord,
  type RunEnvelope,
  type RunEvent,
  type RunStatus,
  type RunStatusView,
  RECOVERY_RULES,
} from '../core/run-model';

/** How many events an execution keeps in memory for the `events` query (older ones: events.jsonl). */
export const EVENT_WINDOW = 2000;

/**
 * How many node visits the checkpoint's `completed_nodes` keeps (the most recent). Every stage call
 * carries the checkpoint, so an unbounded list would grow each payload with the run's length;
 * `completed_total` counts them all and events.jsonl has every visit in order.
 */
export const COMPLETED_WINDOW = 1000;

export interface CarriedRunState {
  envelope: RunEnvelope;
  checkpoint: Checkpoint;
  gates: GateRecord[];
  recentEvents: RunEvent[];
  flushedSeq: number;
  visits: Record<string, number>;
}

export class RunState {
  envelope: RunEnvelope;
  events: RunEvent[] = [];
  /** Highest seq already written to events.jsonl. */
  flushedSeq = 0;
  context: Record<string, unknown> = {};
  completedNodes: string[] = [];
  completedTotal = 0;
  nodeOutcomes: Record<string, StageStatus> = {};
  nodeRetries: Record<string, number> = {};
  gates: GateRecord[] = [];
  visits: Record<string, number> = {};
  logs: string[] = [];
  nextNode?: string;
  /** The checkpoint after the last finished node: written with the next run-directory write. */
  lastCheckpoint?: Checkpoint;

  constructor(
    envelope: RunEnvelope,
    private readonly now: () => string,
    private readonly onStatus: (status: RunStatus) => void,
  ) {
    this.envelope = envelope;
  }

  /** Restores what a previous execution carried through continue-as-new. */
  static restore(carried: CarriedRunState, now: () => string, onStatus: (s: RunStatus) => void): RunState {
    const state = new RunState(carried.envelope, now, onStatus);
    state.events = carried.recentEvents;
    state.flushedSeq = carried.flushedSeq;
    state.gates = carried.gates;
    state.visits = carried.visits;
    state.applyCheckpoint(carried.checkpoint);
    state.lastCheckpoint = carried.checkpoint;
    return state;
  }

  applyCheckpoint(cp: Checkpoint): void {
    this.context = { ...cp.context };
    this.completedNodes = [...cp.completed_nodes];
    this.completedTotal = cp.completed_total ?? cp.completed_nodes.length;
    this.nodeOutcomes = { ...cp.node_outcomes };
    this.nodeRetries = { ...cp.node_retries };
    this.logs = [...cp.logs];
    this.nextNode = cp.next_node;
    this.envelope.currentNode = cp.current_node;
  }

  /** Appends an event with the next gapless seq. */
  emit(type: EventType, data: Record<string, unknown> = {}): RunEvent {
    const seq = this.envelope.lastSeq + 1;
    const event: RunEvent = { seq, type, runId: this.envelope.runId, at: this.now(), data };
    this.envelope.lastSeq = seq;
    this.envelope.updatedAt = event.at;
    this.events.push(event);
    if (this.events.length > EVENT_WINDOW * 2) this.events = this.events.filter((e) => e.seq > this.flushedSeq || e.seq > seq - EVENT_WINDOW);
    return event;
  }

  setStatus(status: RunStatus): void {
    if (this.envelope.status === status) return;
    this.envelope.status = status;
    this.envelope.updatedAt = this.now();
    this.onStatus(status);
  }

  /** Events not yet written to the run directory. */
  pendingEvents(): RunEvent[] {
    return this.events.filter((e) => e.seq > this.flushedSeq);
  }

  markFlushed(upTo: number): void {
    if (upTo > this.flushedSeq) this.flushedSeq = upTo;
  }

  eventsAfter(after = 0, limit = 1000): RunEvent[] {
    const out: RunEvent[] = [];
    for (const e of this.events) {
      if (e.seq > after) out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  checkpoint(currentNode: string, nextNode: string | undefined): Checkpoint {
    return {
      timestamp: this.now(),
      current_node: currentNode,
      ...(nextNode !== undefined ? { next_node: nextNode } : {}),
      completed_nodes: this.completedNodes.slice(-COMPLETED_WINDOW),
      completed_total: this.completedTotal,
      node_retries: { ...this.nodeRetries },
      node_outcomes: { ...this.nodeOutcomes },
      context: { ...this.context },
      logs: [...this.logs],
    };
  }

  /** loop_restart: fresh context, outcomes, retry counters and visit list; traversal resumes at `at`. */
  restartAt(at: string, context: Record<string, unknown>): void {
    this.context = context;
    this.nodeOutcomes = {};
    this.nodeRetries = {};
    this.completedNodes = [];
    this.visits = {};
    this.nextNode = at;
  }

  /** Appends a visit to `completed_nodes`, keeping the most recent COMPLETED_WINDOW. */
  pushCompleted(id: string): void {
    this.completedTotal += 1;
    this.completedNodes.push(id);
    if (this.completedNodes.length > COMPLETED_WINDOW * 2) this.completedNodes = this.completedNodes.slice(-COMPLETED_WINDOW);
  }

  /** Records a node's outcome: completion list, outcomes, context (Attractor §3.2 steps 3-4). */
  recordOutcome(node: PipelineNode, outcome: Outcome, attempts: number, context: Record<string, unknown> = this.context): void {
    this.pushCompleted(node.id);
    if (outcome.status !== 'skipped') this.nodeOutcomes[node.id] = outcome.status;
    if (attempts > 1) {
      this.nodeRetries[node.id] = (this.nodeRetries[node.id] ?? 0) + attempts - 1;
      context[`internal.retry_count.${node.id}`] = this.nodeRetries[node.id];
    }
    for (const [k, v] of Object.entries(outcome.context_updates ?? {})) context[k] = v;
    context['outcome'] = outcome.status;
    if (outcome.preferred_label) context['preferred_label'] = outcome.preferred_label;
    const rec = this.envelope.stages[node.id] ?? { node: node.id, type: node.type, executions: 0, attempts: 0 };
    rec.executions += 1;
    rec.attempts += attempts;
    rec.status = outcome.status;
    rec.finishedAt = this.now();
    if (outcome.failure_reason) rec.failure_reason = outcome.failure_reason;
    else delete rec.failure_reason;
    this.envelope.stages[node.id] = rec;
  }

  stageStarted(node: PipelineNode): number {
    const visit = (this.visits[node.id] ?? 0) + 1;
    this.visits[node.id] = visit;
    const rec = this.envelope.stages[node.id] ?? { node: node.id, type: node.type, executions: 0, attempts: 0 };
    rec.startedAt = this.now();
    this.envelope.stages[node.id] = rec;
    this.envelope.currentNode = node.id;
    this.context['current_node'] = node.id;
    return visit;
  }

  fail(domain: FailureDomain, message: string, causes: string[], node?: string): void {
    this.envelope.failure = {
      domain,
      message,
      causes,
      recovery: RECOVERY_RULES[domain],
      ...(node !== undefined ? { node } : {}),
    };
  }

  statusView(): RunStatusView {
    const f = this.envelope.failure;
    return {
      runId: this.envelope.runId,
      status: this.envelope.status,
      pipeline: `${this.envelope.pipeline.id}@${this.envelope.pipeline.version}`,
      ...(this.envelope.currentNode !== undefined ? { currentNode: this.envelope.currentNode } : {}),
      openGates: this.envelope.openGates,
      lastSeq: this.envelope.lastSeq,
      ...(f ? { failure: { domain: f.domain, message: f.message } } : {}),
    };
  }

  carry(checkpoint: Checkpoint): CarriedRunState {
    return {
      envelope: { ...this.envelope, continuedAsNew: this.envelope.continuedAsNew + 1 },
      checkpoint,
      gates: this.gates,
      recentEvents: this.events.slice(-200),
      flushedSeq: this.flushedSeq,
      visits: { ...this.visits },
    };
  }
}

/** Mirrors graph attributes into a fresh context (Attractor §3.2 `mirror_graph_attributes`). */
export function initialContext(graph: PipelineGraph): Record<string, unknown> {
  const ctx: Record<string, unknown> = { 'graph.goal': graph.goal, 'graph.id': graph.id, 'graph.version': graph.version };
  if (graph.label) ctx['graph.label'] = graph.label;
  return ctx;
}
