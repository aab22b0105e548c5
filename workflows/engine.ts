// Graph traversal inside the run workflow: one node at a time (Attractor §3.2), with start, exit and
// conditional nodes handled here at no activity cost, stages dispatched to the pipeline worker.

import { ActivityCancellationType, type ActivityInterfaceFor, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { PipelineActivityContract as PipelineActivities } from '../core/contracts';
import type { StageInput } from '../core/contracts';
import type { PipelineEdge, PipelineGraph, PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import { checkGoalGates, findStartNode, goalGateRetryTarget, indexOf, nextStep, type GraphIndex, type RouteStep } from '../core/routing';
import { type Checkpoint, EventType, type RunEvent } from '../core/run-model';
import { WORKFLOW_NODE_TYPES } from '../core/node-types';
import { ExecFailedError } from './errors';
import { runParallel } from './parallel';
import { runAttempts } from './stage-retry';
import { backoffFrom, maxAttemptsFor } from '../core/retry';
import { resolveFidelity } from '../core/fidelity';
import type { BootResult, RunInput } from './types';
import type { RunState } from './run-state';
import type { HumanGates } from './human-gates';
import { budgetExceeded } from '../core/usage';
import { visitCapExceeded } from '../core/visit-caps';
import { stageDetails } from '../core/run-details';
import type { SnapshotRecord } from '../core/workspace';
import { RunWorkspace, snapshotEventData } from './workspace';

/** Where a node sends the traversal next, beyond normal edge selection. */
export interface NodeResult {
  outcome: Outcome;
  attempts: number;
  /** Set by parallel: continue at the fan-in node. */
  jumpTo?: string;
  /** A stage's workspace snapshot (runs with a workspace). */
  snapshot?: SnapshotRecord;
}

/** A branch of a parallel node (its own context), or the main line (no context: the run's, in RunState). */
export interface Lane {
  context?: Record<string, unknown>;
  branch?: string;
  /** The edge that led to the node about to run (its `fidelity` wins, Attractor §5.4). */
  incoming?: PipelineEdge;
}

export class Engine {
  readonly index: GraphIndex;
  /** Set when the main line followed a `loop_restart` edge: the run restarts at its target. */
  restartRequested = false;
  /** executeStage proxies by stage timeout (executor). */
  private readonly executors = new Map<number, ActivityInterfaceFor<PipelineActivities>['executeStage']>();

  constructor(
    readonly input: RunInput,
    readonly boot: BootResult,
    readonly state: RunState,
    readonly gates: HumanGates,
    private readonly runChild: (node: PipelineNode, visit: number, context: Record<string, unknown>) => Promise<{ outcome: Outcome; snapshot?: SnapshotRecord }>,
    /** The run's workspace (issue 21): heads, restores and snapshots; a no-op for runs without one. */
    readonly workspace: RunWorkspace = new RunWorkspace(undefined),
  ) {
    this.index = indexOf(boot.specs.graph);
  }

  get graph(): PipelineGraph {
    return this.boot.specs.graph;
  }

  node(id: string): PipelineNode {
    const n = this.index.nodes.get(id);
    if (!n) throw new ExecFailedError(`node "${id}" does not exist in the pipeline`, [`unknown node ${id}`], id);
    return n;
  }

  startNode(): string {
    const start = findStartNode(this.graph);
    if (!start) throw new ExecFailedError('pipeline has no start node', ['no start node']);
    return start.id;
  }

  /**
   * Walks the main line from `from` until the exit is passed (returns undefined) or `shouldPause`
   * asks to continue-as-new before a node (returns that node's id). `reattach`: `from` is a gate the
   * previous execution left open at that visit; the walk takes it over without starting the node again.
   */
  async walk(from: string, shouldPause: () => boolean, reattach?: { node: string; visit: number }): Promise<string | undefined> {
    let current: string | undefined = from;
    const lane: Lane = {};
    let carried = reattach?.node === from ? reattach.visit : undefined;
    while (current !== undefined) {
      const node = this.node(current);
      if (node.type === 'exit') {
        const retry = this.goalGateDetour(node);
        if (retry === undefined) return undefined;
        current = retry;
        continue;
      }
      const result = await this.runNode(node, lane, carried);
      carried = undefined;
      const next = result.jumpTo ?? this.route(node, result.outcome, lane);
      if (next === undefined) {
        // a dead end (§3.2 step 6): the pipeline completes here, past the goal gates as at the exit
        const retry = this.goalGateDetour(node);
        if (retry === undefined) return undefined;
        this.state.advance(node.id, retry);
        current = retry;
        continue;
      }
      this.state.advance(node.id, next);
      current = next;
      if (this.restartRequested || shouldPause()) return current;
    }
    return undefined;
  }

  /**
   * Attractor §3.4: where the run completes (the exit, or a dead end), unsatisfied goal gates send it to a
   * retry target; undefined when the run may complete (its last checkpoint taken).
   */
  private goalGateDetour(at: PipelineNode): string | undefined {
    const check = checkGoalGates(this.graph, this.state.nodeOutcomes);
    if (check.ok) {
      if (at.type === 'exit') this.state.exitReached(at.id);
      else this.state.advance(at.id, undefined);
      return undefined;
    }
    const target = goalGateRetryTarget(this.graph, check.node);
    const gates = check.unsatisfied.map((id) => `${id} (${this.state.nodeOutcomes[id] ?? 'unvisited'})`);
    this.state.emit(EventType.goalGateUnsatisfied, {
      node: check.node.id,
      status: this.state.nodeOutcomes[check.node.id],
      unsatisfied: check.unsatisfied,
      retryTarget: target ?? null,
    });
    if (target) this.workspace.detourTo(target);
    if (!target) {
      throw new ExecFailedError(
        `goal gate${gates.length > 1 ? 's' : ''} ${gates.join(', ')} ${gates.length > 1 ? 'are' : 'is'} unsatisfied and no retry target is set`,
        check.unsatisfied.map((id) => `goal gate ${id} ended ${this.state.nodeOutcomes[id] ?? 'unvisited'}`),
        check.node.id,
      );
    }
    return target;
  }

  /**
   * The one routing step for the main line and parallel branches (core/routing nextStep). NONE on the
   * main line ends the run with EXEC_FAILURE naming node, outcome and the conditions that did not match;
   * a branch gets the NONE back and ends there (runBranch).
   */
  step(node: PipelineNode, outcome: Outcome, lane: Lane): RouteStep {
    const step = nextStep(this.graph, node, outcome, this.contextOf(lane), this.index);
    if (step.to !== undefined && step.via === 'edge' && step.edge.loop_restart && !lane.branch) this.restartRequested = true;
    lane.incoming = step.to !== undefined && step.via === 'edge' ? step.edge : undefined;
    if (node.type === 'wait.human') this.gateRouted(node, outcome, step, lane);
    return step;
  }

  /**
   * `gate.routed`: where a human gate's outcome actually sends the run. Edge selection (§3.3 step 1) takes an
   * edge whose condition holds before the answer's own edge, so the edge taken is named, and `overridden`
   * says when it is not the one the person chose.
   */
  private gateRouted(node: PipelineNode, outcome: Outcome, step: RouteStep, lane: Lane): void {
    const selected = outcome.suggested_next_ids?.[0] ?? null;
    const to = step.to ?? null;
    const gate = [...this.state.gates].reverse().find((g) => g.node === node.id);
    const edge = step.to !== undefined && step.via === 'edge' ? step.edge : undefined;
    this.state.emit(EventType.gateRouted, {
      ...(gate ? { gate: gate.id } : {}),
      node: node.id,
      selected,
      to,
      ...(step.to !== undefined ? { via: step.via } : {}),
      ...(edge ? { edge: { from: edge.from, to: edge.to, label: edge.label, ...(edge.condition.trim() ? { condition: edge.condition } : {}) } } : {}),
      overridden: selected !== null && selected !== to,
      ...(lane.branch ? { branch: lane.branch } : {}),
    });
  }

  /**
   * Next node on the main line, as Attractor §3.2 step 6 says: NONE after a failure (no failure route, §3.7)
   * fails the run; NONE after any other outcome (no outgoing edge, or none whose condition holds) is a dead
   * end: the pipeline completes at this node (undefined, with `run.dead_end`).
   */
  private route(node: PipelineNode, outcome: Outcome, lane: Lane): string | undefined {
    const step = this.step(node, outcome, lane);
    if (step.to !== undefined) return step.to;
    if (step.none === 'failed') throw new ExecFailedError(step.message, step.causes, node.id);
    this.state.emit(EventType.runDeadEnd, {
      node: node.id,
      status: outcome.status,
      reason: step.message,
      ...(step.none === 'no_match' ? { conditions: step.causes } : {}),
    });
    return undefined;
  }

  /** Runs one node (in workflow code for control nodes, as an activity for stages) and records its outcome. `carriedVisit`: a gate taken over (walk). */
  async runNode(node: PipelineNode, lane: Lane, carriedVisit?: number): Promise<NodeResult> {
    if (carriedVisit === undefined) this.checkVisitCap(node);
    const visit = carriedVisit ?? this.state.stageStarted(node, lane.context);
    // a branch's own visit names its stage directory (issue 24 item 3); `visit` counts the node over the whole run
    // (gate ids and child runs are named by it), so the second branch to reach a node is still at its first
    const branchVisit = lane.branch !== undefined ? this.state.branchVisit(node.id, lane.branch) : undefined;
    if (carriedVisit === undefined) {
      this.workspace.nodeStarting(node.id, lane.branch);
      this.state.emit(EventType.stageStarted, { node: node.id, type: node.type, visit, ...(lane.branch ? { branch: lane.branch, branch_visit: branchVisit } : {}) });
    }
    if (node.type !== 'wait.human') setCurrentDetails(stageDetails(node.id, node.type, visit, lane.branch));
    const result = WORKFLOW_NODE_TYPES.includes(node.type) ? await this.runControlNode(node, lane, visit, carriedVisit) : await this.runStage(node, lane, branchVisit ?? visit);
    return this.nodeDone(node, lane, result);
  }

  /**
   * A loop cap (`max_visits` on the node, else the graph's `max_node_visits`; core/visit-caps.ts): a node about
   * to start once more than its cap ends the run with EXEC_FAILURE naming it, before it starts. Not a FAIL
   * outcome: failure routing would carry the run past the cap. Visits count as `stage.started`'s `visit`
   * (main line and branches alike; a loop_restart starts the count again).
   */
  private checkVisitCap(node: PipelineNode): void {
    const over = visitCapExceeded(this.graph, node, this.state.visitsOf(node.id) + 1);
    if (over) throw new ExecFailedError(over, [over], node.id);
  }

  /** The context a lane reads: a branch's own, else a copy of the main line's. */
  contextOf(lane: Lane): Record<string, unknown> {
    return lane.context ?? this.state.context;
  }

  /** The nodes workflow code runs itself (core/node-types WORKFLOW_NODE_TYPES). */
  private async runControlNode(node: PipelineNode, lane: Lane, visit: number, carriedVisit: number | undefined): Promise<NodeResult> {
    switch (node.type) {
      case 'start':
        return { outcome: { status: 'success', notes: 'start' }, attempts: 1 };
      case 'conditional':
        return { outcome: passThrough(this.contextOf(lane)), attempts: 1 };
      case 'wait.human':
        return { outcome: await this.gates.run(node, visit, { mainLine: !lane.branch, reattach: carriedVisit !== undefined }), attempts: 1 };
      case 'parallel':
        return runParallel(this, node, lane);
      case 'stack.manager_loop':
        return { ...(await this.runChild(node, visit, this.contextOf(lane))), attempts: 1 };
      default:
        throw new ExecFailedError(`node "${node.id}" of type ${node.type} has no workflow handler`, [`no workflow handler for ${node.type}`], node.id);
    }
  }

  /** After a node: its outcome recorded, stage.completed/failed emitted, the budget checked. */
  private nodeDone(node: PipelineNode, lane: Lane, result: NodeResult): NodeResult {
    this.state.recordOutcome(node, result.outcome, result.attempts, lane.context);
    this.workspace.snapshotTaken(result.snapshot, lane.branch);
    const data = {
      node: node.id,
      status: result.outcome.status,
      attempts: result.attempts,
      ...(lane.branch ? { branch: lane.branch } : {}),
      ...(result.outcome.failure_reason ? { failure_reason: result.outcome.failure_reason } : {}),
      ...(result.outcome.preferred_label ? { preferred_label: result.outcome.preferred_label } : {}),
      ...(result.outcome.usage ? { usage: result.outcome.usage } : {}),
      ...(result.snapshot ? { snapshot: snapshotEventData(result.snapshot) } : {}),
    };
    const failed = result.outcome.status === 'fail' && node.type !== 'conditional';
    this.state.emit(failed ? EventType.stageFailed : EventType.stageCompleted, data);
    const over = result.outcome.usage ? budgetExceeded(this.state.usage(), this.boot.profile.profile.policy.budget) : undefined;
    if (over) throw new ExecFailedError(over, [over], node.id);
    return result;
  }

  /**
   * A stage: attempts in workflow code (Attractor §3.5: attempts from node/graph, §3.6 backoff, a
   * stage.retrying event each time), one executeStage activity per attempt; Temporal's own retry policy
   * retries only what the loop cannot see (a lost worker). Each attempt carries the events not yet written.
   */
  private runStage(node: PipelineNode, lane: Lane, visit: number): Promise<NodeResult> {
    const { profile } = this.boot.profile;
    const retry = profile.policy.retry;
    const maxAttempts = maxAttemptsFor(node, this.graph, retry);
    const executeStage = this.executor(node.timeout_ms ?? profile.policy.stage_timeout_ms);
    let written = (): void => undefined;
    const workspace = this.workspace.forStage(lane.branch);
    return runAttempts({
      nodeId: node.id,
      maxAttempts,
      backoff: backoffFrom(retry),
      seed: `${this.state.envelope.runId}/${node.id}/${lane.branch ?? ''}/${visit}`,
      ...(lane.branch ? { branch: lane.branch } : {}),
      emit: (type, data) => void this.state.emit(type, data),
      attempt: (n, afterLost) => {
        const pending = this.state.pendingWrite();
        written = pending.written;
        const stageInput: StageInput = {
          ...this.stageInput(node, lane, visit, maxAttempts, pending),
          attempt: n,
          fidelity: resolveFidelity(lane.incoming, node, this.graph),
          // a lost attempt's stage (e.g. an agent session) resumes where it was; a codergen stage's agent loop resumes its
          // session across attempts: neither may have its files taken away
          ...(workspace ? { workspace: workspace(n, !afterLost && node.type !== 'codergen') } : {}),
        };
        // the Temporal UI names each executeStage row after its stage (issue 23)
        const summary = `stage ${node.id} (${node.type}) attempt ${n}/${maxAttempts}${lane.branch ? ` branch ${lane.branch}` : ''}`;
        return executeStage.executeWithOptions({ summary }, [stageInput]);
      },
      onResult: () => written(),
    });
  }

  /** executeStage with a stage timeout and the profile's retry policy; one proxy per distinct timeout. */
  private executor(timeoutMs: number): ActivityInterfaceFor<PipelineActivities>['executeStage'] {
    let exec = this.executors.get(timeoutMs);
    if (!exec) {
      const retry = this.boot.profile.profile.policy.retry;
      exec = proxyActivities<PipelineActivities>({
        startToCloseTimeout: timeoutMs + 30_000,
        heartbeatTimeout: this.input.stageHeartbeatMs ?? 10_000,
        // a cancelled run waits until the stage saw the cancel (its heartbeat) and stopped its process
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        retry: {
          initialInterval: retry.initial_interval_ms,
          backoffCoefficient: retry.backoff_coefficient,
          maximumInterval: retry.maximum_interval_ms,
          maximumAttempts: retry.maximum_attempts,
          nonRetryableErrorTypes: retry.non_retryable_error_types,
        },
      }).executeStage;
      this.executors.set(timeoutMs, exec);
    }
    return exec;
  }

  /**
   * What every stage attempt sends (the workflow's retries and Temporal's resend the same input): the run
   * budget the agent loop checks before each model call, the profile's sandbox, and on a parallel branch the
   * branch and the branch's own visit that give the attempt its own stage directory (issue 24 item 3).
   */
  private stageInput(node: PipelineNode, lane: Lane, visit: number, maxAttempts: number, pending: { events: RunEvent[]; checkpoint: Checkpoint | undefined }): StageInput {
    const { profile } = this.boot.profile;
    return {
      runId: this.state.envelope.runId,
      runDir: this.boot.runDir,
      workdir: profile.environment.workdir,
      node,
      goal: this.graph.goal,
      pipelineId: this.graph.id,
      context: this.contextOf(lane),
      provider: profile.provider,
      ...(profile.providers ? { providers: profile.providers } : {}),
      maxAttempts,
      stageTimeoutMs: node.timeout_ms ?? profile.policy.stage_timeout_ms,
      nonRetryableErrorTypes: profile.policy.retry.non_retryable_error_types,
      pendingWrites: { events: pending.events, ...(pending.checkpoint ? { checkpoint: pending.checkpoint } : {}) },
      ...(profile.plugins?.length ? { plugins: profile.plugins } : {}),
      ...(profile.policy.budget ? { budget: profile.policy.budget } : {}),
      ...(profile.sandbox ? { sandbox: profile.sandbox } : {}),
      ...(lane.branch !== undefined ? { branch: lane.branch, visit } : {}),
    };
  }
}

/**
 * A conditional node passes the previous stage's outcome through, so `outcome=fail` on its edges
 * means "the stage before failed" (Attractor §2.13's `gate` example reads this way).
 */
function passThrough(context: Record<string, unknown>): Outcome {
  const prev = context['outcome'];
  const status = prev === 'fail' || prev === 'partial_success' || prev === 'retry' || prev === 'skipped' ? prev : 'success';
  const label = context['preferred_label'];
  return { status, notes: 'conditional pass-through', ...(typeof label === 'string' && label ? { preferred_label: label } : {}) };
}
