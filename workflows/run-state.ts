// The run's in-memory state inside the workflow: envelope, events, context, gates, checkpoint.
// The one owner of run state: boot, traversal, gates and the decision change it only through these
// methods, so one event or one gate is a one-file trace. Deterministic: time is workflow time.

import type { LoadedRun, ResolvedSpecs } from '../core/contracts';
import type { DecisionRecord } from '../core/decision-policy';
import type { EvaluationSummary } from '../core/evaluation';
import type { PipelineGraph, PipelineNode, StageStatus } from '../core/model';
import type { Outcome } from '../core/outcome';
import {
  type Checkpoint,
  type EventType,
  type FailureDomain,
  type GateRecord,
  type RunEnvelope,
  type RunEvent,
  type RunOutcome,
  type RunStatus,
  type RunStatusView,
  EventType as Events,
  RECOVERY_RULES,
  RunStatus as Status,
} from '../core/run-model';
import { EventLog } from './event-log';
import { addUsage, type TokenUsage } from '../core/usage';
import type { SandboxRecord } from '../core/sandbox-policy';
import type { CandidateSnapshot, WorkspaceRecord } from '../core/workspace';

/**
 * How many node visits the checkpoint's `completed_nodes` keeps (the most recent). Every stage call
 * carries the checkpoint, so an unbounded list would grow each payload with the run's length;
 * `completed_total` counts them all and events.jsonl has every visit in order.
 */
export const COMPLETED_WINDOW = 1000;

/** What one execution hands the next through continue-as-new. */
export interface CarriedRunState {
  envelope: RunEnvelope;
  checkpoint: Checkpoint;
  gates: GateRecord[];
  recentEvents: RunEvent[];
  flushedSeq: number;
  visits: Record<string, number>;
  /** Visits per parallel branch and node (absent in executions before branch visits were counted). */
  branchVisits?: Record<string, Record<string, number>>;
}

/** A write to the run directory: gets the events not yet written and the last checkpoint. */
export type RunDirWrite<T> = (events: RunEvent[], checkpoint: Checkpoint | undefined) => Promise<T>;

/** The run workflow's state; every change goes through a method (see the file comment). */
export class RunState {
  private env: RunEnvelope;
  private log = new EventLog();
  private ctx: Record<string, unknown> = {};
  private completedNodes: string[] = [];
  private completed = 0;
  private outcomes: Record<string, StageStatus> = {};
  private retries: Record<string, number> = {};
  private gateRecords: GateRecord[] = [];
  private visits: Record<string, number> = {};
  /** Per branch, per node: a branch's own visits, which name its stage directories (never reset: a directory is never reused). Maps: a node id is any string, `__proto__` too. */
  private branchVisits = new Map<string, Map<string, number>>();
  private logs: string[] = [];
  private next?: string;
  /** The checkpoint after the last finished node: written with the next run-directory write. */
  private lastCp?: Checkpoint;

  constructor(
    envelope: RunEnvelope,
    private readonly onStatus: (status: RunStatus) => void,
  ) {
    this.env = envelope;
  }

  /** Restores what a previous execution carried through continue-as-new, under this execution's workflow id. */
  static restore(carried: CarriedRunState, workflowId: string, onStatus: (s: RunStatus) => void): RunState {
    const state = new RunState({ ...carried.envelope, workflowId }, onStatus);
    state.log = new EventLog(carried.recentEvents, carried.flushedSeq);
    state.gateRecords = carried.gates;
    state.visits = carried.visits;
    state.branchVisits = new Map(Object.entries(carried.branchVisits ?? {}).map(([branch, counts]) => [branch, new Map(Object.entries(counts))]));
    state.applyCheckpoint(carried.checkpoint);
    return state;
  }

  get envelope(): Readonly<RunEnvelope> { return this.env; }
  /** A copy of the main line's context (it changes only through recordOutcome and stageStarted). */
  get context(): Record<string, unknown> { return { ...this.ctx }; }
  get gates(): readonly GateRecord[] { return this.gateRecords; }
  get nodeOutcomes(): Readonly<Record<string, StageStatus>> { return this.outcomes; }
  get completedTotal(): number { return this.completed; }
  get nextNode(): string | undefined { return this.next; }
  get lastCheckpoint(): Checkpoint | undefined { return this.lastCp; }

  /** Workflow time as ISO 8601: the time every record carries. */
  private now(): string {
    return new Date().toISOString();
  }

  private applyCheckpoint(cp: Checkpoint): void {
    this.ctx = { ...cp.context };
    this.completedNodes = [...cp.completed_nodes];
    this.completed = cp.completed_total ?? cp.completed_nodes.length;
    this.outcomes = { ...cp.node_outcomes };
    this.retries = { ...cp.node_retries };
    this.logs = [...cp.logs];
    this.next = cp.next_node;
    this.env.currentNode = cp.current_node;
    this.lastCp = cp;
  }

  // ---- events and persistence

  /** Appends an event with the next gapless seq. */
  emit(type: EventType, data: Record<string, unknown> = {}): RunEvent {
    const event: RunEvent = { seq: 0, type, runId: this.env.runId, at: this.now(), data };
    if (this.held) this.held.push(event);
    else this.place(event);
    return event;
  }

  /**
   * An event held back until a write succeeds (issue 24 item 6: the run.completed the freeze writes, with seq
   * lastSeq + 1 and the envelope it would leave). Until it is resolved, events emitted meanwhile (a refused
   * answer during the freeze) are held and numbered after it, so seqs stay gapless whatever happens:
   * `commit()` puts it in the record (counted as written); `fill()` puts another event in its seq instead (a
   * failed freeze: run.failed, so no run.completed that was never true is left); `drop()` forgets it.
   */
  provisional(type: EventType, data: Record<string, unknown>): { event: RunEvent; envelope: RunEnvelope; commit: () => void; fill: (type: EventType, data: Record<string, unknown>) => void; drop: () => void } {
    if (this.held) throw new Error('a provisional event is already outstanding');
    const event: RunEvent = { seq: this.env.lastSeq + 1, type, runId: this.env.runId, at: this.now(), data };
    const envelope = { ...this.env, lastSeq: event.seq, updatedAt: event.at };
    const held: RunEvent[] = [];
    this.held = held;
    const resolve = (placed?: RunEvent) => {
      if (this.held !== held) throw new Error('the provisional event was already resolved');
      this.held = undefined;
      if (placed) this.place(placed);
      for (const e of held) this.place(e);
    };
    return {
      event,
      envelope,
      commit: () => {
        resolve(event);
        this.log.markFlushed(event.seq);
      },
      fill: (t, d) => resolve({ seq: 0, type: t, runId: this.env.runId, at: this.now(), data: d }),
      drop: () => resolve(),
    };
  }

  /** Events emitted while a provisional one is outstanding (numbered once it is resolved). */
  private held?: RunEvent[];

  /** Gives the event the next gapless seq and appends it. */
  private place(event: RunEvent): void {
    event.seq = this.env.lastSeq + 1;
    this.env.lastSeq = event.seq;
    this.env.updatedAt = event.at;
    this.log.append(event);
  }

  /**
   * The one "pending events → activity → mark flushed" sequence: `write` gets the events not yet in
   * events.jsonl and the last checkpoint; once it returns they count as written.
   */
  persist<T>(write: RunDirWrite<T>): Promise<T> {
    const w = this.pendingWrite();
    const written = write(w.events, w.checkpoint);
    return w.events.length ? written.then((result) => (w.written(), result)) : written;
  }

  /**
   * The same sequence in parts, for a caller that already has a `.then` on the write (the retry loop):
   * what to write, and `written()` to call once the write returned.
   */
  pendingWrite(): { events: RunEvent[]; checkpoint: Checkpoint | undefined; written: () => void } {
    const events = this.log.pending();
    const last = events[events.length - 1];
    return { events, checkpoint: this.lastCp, written: () => last && this.log.markFlushed(last.seq) };
  }

  /** The `events` query. */
  eventsAfter(after?: number, limit?: number): RunEvent[] {
    return this.log.after(after, limit);
  }

  setStatus(status: RunStatus): void {
    if (this.env.status === status) return;
    this.env.status = status;
    this.env.updatedAt = this.now();
    this.onStatus(status);
  }

  // ---- boot

  /** Boot phase 1: the resolved profile. */
  recordProfile(ref: RunEnvelope['profile'], digest: string): void {
    this.env.profile = ref;
    this.env.digests.profile = digest;
  }

  /** Boot phase 3: the sandbox the run's processes get and preflight's warnings (run.json, status, summary). */
  recordPreflight(sandbox: SandboxRecord, warnings: readonly string[]): void {
    this.env.sandbox = sandbox;
    if (warnings.length) this.env.warnings = [...warnings];
  }

  /** Boot phase 2: the resolved pipeline (and suite manifest). */
  recordSpecs(specs: ResolvedSpecs): void {
    this.env.pipeline = specs.pipelineRef;
    this.env.digests.pipeline = specs.pipelineDigest;
    if (specs.suite) {
      this.env.suite = { id: specs.suite.id, version: specs.suite.version, count: specs.suite.count };
      this.env.digests.suite = specs.suite.digest;
    }
  }

  /** A fresh run: the graph's attributes mirrored into a new context (Attractor §3.2). */
  startContext(graph: PipelineGraph): void {
    this.ctx = initialContext(graph);
  }

  /** Boot phase 4 wrote the run directory. */
  recordRunDir(runDir: string): void {
    this.env.runDir = runDir;
  }

  /** The run's workspace and pinned base (issue 21): kept in the envelope so every run.json write keeps it. */
  recordWorkspace(workspace: WorkspaceRecord): void {
    this.env.workspace = workspace;
  }

  /** The pinned candidate published before evaluation (issue 21). */
  recordCandidate(candidate: CandidateSnapshot): void {
    this.env.candidate = candidate;
  }

  /** Resume: the envelope and checkpoint read back from the run directory, every event in it counted as written. */
  resumeFrom(resumed: LoadedRun): void {
    const { failure: _f, outcome: _o, ...envelope } = resumed.envelope;
    this.env = { ...envelope, workflowId: this.env.workflowId, status: Status.booting, lastSeq: resumed.lastSeq };
    this.log.markFlushed(resumed.lastSeq);
    this.applyCheckpoint(resumed.checkpoint);
  }

  // ---- traversal

  checkpoint(currentNode: string, nextNode: string | undefined): Checkpoint {
    const head = this.workspaceHead?.();
    return {
      timestamp: this.now(),
      current_node: currentNode,
      ...(nextNode !== undefined ? { next_node: nextNode } : {}),
      completed_nodes: this.completedNodes.slice(-COMPLETED_WINDOW),
      completed_total: this.completed,
      node_retries: { ...this.retries },
      node_outcomes: { ...this.outcomes },
      context: { ...this.ctx },
      logs: [...this.logs],
      ...(head !== undefined ? { workspace_head: head } : {}),
    };
  }

  /** How often `node` has started in this run (since its last loop_restart). */
  visitsOf(node: string): number {
    return this.visits[node] ?? 0;
  }
  /** Where the run's workspace head is read from for each checkpoint (PipelineRun wires its RunWorkspace). */
  workspaceHead?: () => string | undefined;

  /** A node starts: its visit counted, its stage record stamped; `current_node` set in the lane's context (a branch's own, else the main line's). */
  stageStarted(node: PipelineNode, branchContext?: Record<string, unknown>): number {
    const visit = (this.visits[node.id] ?? 0) + 1;
    this.visits[node.id] = visit;
    const rec = this.env.stages[node.id] ?? { node: node.id, type: node.type, executions: 0, attempts: 0 };
    rec.startedAt = this.now();
    this.env.stages[node.id] = rec;
    this.env.currentNode = node.id;
    (branchContext ?? this.ctx)['current_node'] = node.id;
    return visit;
  }

  /**
   * A node starts on parallel branch `branch`: that branch's own visit of it (1 the first time the branch
   * reaches it, however often other branches did). Counted over the whole run, loop restarts included, so
   * a branch's stage directory (`<node>@<branch>`, `@v<n>`) is never reused.
   */
  branchVisit(node: string, branch: string): number {
    const counts = this.branchVisits.get(branch) ?? new Map<string, number>();
    this.branchVisits.set(branch, counts);
    const visit = (counts.get(node) ?? 0) + 1;
    counts.set(node, visit);
    return visit;
  }

  /** Records a node's outcome: completion list, outcomes, context (Attractor §3.2 steps 3-4) — a branch's own, else the main line's. */
  recordOutcome(node: PipelineNode, outcome: Outcome, attempts: number, branchContext?: Record<string, unknown>): void {
    const context = branchContext ?? this.ctx;
    this.pushCompleted(node.id);
    if (outcome.status !== 'skipped') this.outcomes[node.id] = outcome.status;
    if (attempts > 1) {
      this.retries[node.id] = (this.retries[node.id] ?? 0) + attempts - 1;
      context[`internal.retry_count.${node.id}`] = this.retries[node.id];
    }
    for (const [k, v] of Object.entries(outcome.context_updates ?? {})) context[k] = v;
    context['outcome'] = outcome.status;
    if (outcome.preferred_label) context['preferred_label'] = outcome.preferred_label;
    const rec = this.env.stages[node.id] ?? { node: node.id, type: node.type, executions: 0, attempts: 0 };
    rec.executions += 1;
    rec.attempts += attempts;
    rec.status = outcome.status;
    rec.finishedAt = this.now();
    if (outcome.failure_reason) rec.failure_reason = outcome.failure_reason;
    else delete rec.failure_reason;
    if (outcome.usage) {
      rec.usage = addUsage(rec.usage, outcome.usage);
      this.env.usage = addUsage(this.env.usage, outcome.usage);
    }
    this.env.stages[node.id] = rec;
  }

  /** Tokens (and cost) the run's stages have spent so far. */
  usage(): TokenUsage | undefined {
    return this.env.usage;
  }

  /** The main line left `from` for `next` (Attractor §3.2 step 5: the checkpoint). */
  advance(from: string, next: string | undefined): void {
    this.next = next;
    this.lastCp = this.checkpoint(from, next);
  }

  /** The main line passed the exit: the last checkpoint of the traversal. */
  exitReached(exit: string): void {
    this.pushCompleted(exit);
    this.env.currentNode = exit;
    this.lastCp = this.checkpoint(exit, undefined);
  }

  /** Before continue-as-new: the checkpoint the next execution resumes `at`. */
  pauseAt(at: string): Checkpoint {
    this.lastCp = this.checkpoint(this.env.currentNode ?? at, at);
    return this.lastCp;
  }

  /** loop_restart: fresh context, outcomes, retry counters and visit list; traversal resumes at `at`. */
  restartAt(at: string, graph: PipelineGraph): void {
    this.ctx = initialContext(graph);
    this.outcomes = {};
    this.retries = {};
    this.completedNodes = [];
    this.visits = {};
    this.next = at;
  }

  /** Appends a visit to `completed_nodes`, keeping the most recent COMPLETED_WINDOW. */
  private pushCompleted(id: string): void {
    this.completed += 1;
    this.completedNodes.push(id);
    if (this.completedNodes.length > COMPLETED_WINDOW * 2) this.completedNodes = this.completedNodes.slice(-COMPLETED_WINDOW);
  }

  // ---- human gates

  /** A gate opens: listed in `gates` and the envelope's open gates, status awaiting_human. */
  openGate(gate: GateRecord): void {
    // closed gates stay: they answer late answers and are the decision record's evidence
    this.gateRecords = [...this.gateRecords, gate];
    this.env.openGates = [...this.env.openGates, gate.id];
    this.setStatus(Status.awaitingHuman);
  }

  /** An answer was applied to a gate (it may still wait for its quorum). */
  updateGate(gate: GateRecord): void {
    this.gateRecords = this.gateRecords.map((g) => (g.id === gate.id ? gate : g));
  }

  /** The one way a gate closes: record it, drop it from the open gates, emit `gate.closed`. */
  closeGate(gate: GateRecord, via?: 'timeout' | 'quorum_unreachable'): void {
    this.updateGate({ ...gate, closed: true });
    this.env.openGates = this.env.openGates.filter((g) => g !== gate.id);
    this.emit(Events.gateClosed, { gate: gate.id, selected: gate.selected ?? null, ...(via ? { via } : {}) });
  }

  gate(id: string): GateRecord | undefined {
    return this.gateRecords.find((g) => g.id === id);
  }

  // ---- evaluation, decision, end of run

  /** Seed step 7: the holdout result (counts and signatures only, SPEC §5). */
  recordEvaluation(e: EvaluationSummary): NonNullable<RunEnvelope['evaluation']> {
    const evaluation = {
      total: e.total,
      passed: e.passed,
      failed: e.failed,
      errored: e.errored,
      satisfaction: e.satisfaction,
      passed_bar: e.passed_bar,
      signatures: e.signatures.length,
    };
    this.env.evaluation = evaluation;
    return evaluation;
  }

  /** Seed step 8: the persisted decision. */
  recordDecision(record: DecisionRecord): void {
    this.env.decision = { decision: record.decision, by: record.by, at: record.at, mode: record.mode };
  }

  /** How the run ended (before `run.completed`). */
  setOutcome(outcome: RunOutcome): void {
    this.env.outcome = outcome;
  }

  /** The run ends in a failure domain: recorded in the envelope, outcome failed, status failed. */
  fail(domain: FailureDomain, message: string, causes: string[], node?: string): void {
    this.env.failure = { domain, message, causes, recovery: RECOVERY_RULES[domain], ...(node !== undefined ? { node } : {}) };
    this.env.outcome = 'failed';
    this.setStatus(Status.failed);
  }

  /** Finalize froze the run directory. */
  recordFreeze(digest: string): void {
    this.env.freezeDigest = digest;
  }

  statusView(): RunStatusView {
    const f = this.env.failure;
    return {
      runId: this.env.runId,
      status: this.env.status,
      pipeline: `${this.env.pipeline.id}@${this.env.pipeline.version}`,
      ...(this.env.currentNode !== undefined ? { currentNode: this.env.currentNode } : {}),
      openGates: this.env.openGates,
      lastSeq: this.env.lastSeq,
      ...(f ? { failure: { domain: f.domain, message: f.message } } : {}),
    };
  }

  carry(checkpoint: Checkpoint): CarriedRunState {
    return {
      envelope: { ...this.env, continuedAsNew: this.env.continuedAsNew + 1 },
      checkpoint,
      gates: this.gateRecords,
      ...this.log.carry(),
      visits: { ...this.visits },
      ...(this.branchVisits.size ? { branchVisits: Object.fromEntries([...this.branchVisits].map(([branch, counts]) => [branch, Object.fromEntries(counts)])) } : {}),
    };
  }
}

/** Mirrors graph attributes into a fresh context (Attractor §3.2 `mirror_graph_attributes`). */
export function initialContext(graph: PipelineGraph): Record<string, unknown> {
  const ctx: Record<string, unknown> = { 'graph.goal': graph.goal, 'graph.id': graph.id, 'graph.version': graph.version };
  if (graph.label) ctx['graph.label'] = graph.label;
  return ctx;
}
