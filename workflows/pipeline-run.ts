// One execution of the run workflow as phases: boot, walk, decide (evaluation and the decision gate),
// finalize, and the one continue-as-new hand-over (a pause in a long walk, a gate or the decision that waits
// while history grows or a newer version became current). State lives in RunState; run.ts wires messages.

import { ActivityFailure, allHandlersFinished, CancellationScope, condition, isCancellation, makeContinueAsNewFunc, proxyActivities, type RetryPolicy, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { endDetails } from '../core/run-details';
import type { PipelineActivityContract as PipelineActivities } from '../core/contracts';
import type { DecisionRecord } from '../core/decision-policy';
import { type Checkpoint, EventType, type GateRecord, type RunEnvelope, RECOVERY_RULES, RunStatus } from '../core/run-model';
import { SEARCH_ATTRIBUTES } from '../core/temporal-names';
import { bootPhases, submitOverrides } from './boot';
import { runChildPipeline } from './child-pipeline';
import { type CarriedDecision, DECISION_GATE, DecisionGate } from './decision-gate';
import { Engine } from './engine';
import { FinalizeFailedError, runFailureOf, workflowFailure } from './errors';
import { finalizeFailureOf } from '../core/failures';
import { HumanGates } from './human-gates';
import { AnswerIdentities } from './answer-identity';
import { RunState } from './run-state';
import type { runPipeline } from './run';
import type { BootResult, CarriedExecution, RunInput, RunResult } from './types';
import { RunWorkspace } from './workspace';

// Bounded (~3 minutes of retries): a run directory that cannot be written fails the run visibly
// instead of retrying forever.
const IO_RETRY: RetryPolicy = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 20 };
const ioActs = proxyActivities<PipelineActivities>({ startToCloseTimeout: '1 minute', retry: IO_RETRY, summary: 'write events and checkpoint to the run directory' });
/** finalizeRun heartbeats per file: a worker killed mid-freeze is noticed in seconds, not at the 10-minute limit. */
const freezeActs = proxyActivities<PipelineActivities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '30 seconds', retry: IO_RETRY, summary: 'finalize: summary.md and the freeze manifest' });

const DEFAULT_HISTORY_LIMIT = 4000;

/** The run workflow's phases for one execution (see the file comment). */
export class PipelineRun {
  readonly state: RunState;
  readonly gates: HumanGates;
  readonly decision: DecisionGate;
  private boot?: BootResult;
  /** The run's own workspace (issue 21); set once boot made or read it back. */
  private workspace = new RunWorkspace(undefined);
  private pipelineName: string;
  /** Set while finalizeRun runs: FactoryStatus says "finalizing", not yet "completed". */
  private finalizing = false;
  /** Who sent the accepted answers and decisions (issue 20): lookups in flight are waited for before a hand-over and finalize. */
  private readonly identities = new AnswerIdentities();

  constructor(
    private readonly input: RunInput,
    /** The run workflow itself: child runs and continue-as-new start it. */
    private readonly workflow: typeof runPipeline,
  ) {
    this.pipelineName = input.pipeline.ref ?? input.pipeline.file ?? '';
    const onStatus = (status: RunStatus) => this.publishStatus(status);
    this.state = input.carry ? RunState.restore(input.carry.state, workflowInfo().workflowId, onStatus) : new RunState(freshEnvelope(input), onStatus);
    this.boot = input.carry?.boot;
    this.decision = new DecisionGate(this.state, this.identities);
    const gateOpts = { autoApprove: input.autoApprove === true, ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}), now: () => new Date(), identities: this.identities, change: () => this.workspace.changeSoFar() };
    const parking = { pause: () => this.pause(), upgrade: () => this.upgradeDue(), park: (gate: GateRecord, visit: number) => this.parkAtGate(gate, visit) };
    this.state.workspaceHead = () => this.workspace.nextStart();
    this.gates = new HumanGates(this.state, () => this.boot?.profile.profile.policy.human_gate, () => this.boot?.specs.graph, gateOpts, () => this.flush(), parking);
  }

  /** Boot to finalize; fails with the run's typed domain failure (BOOT_/EXEC_/EVAL_FAILURE...). */
  async execute(): Promise<RunResult> {
    try {
      const boot = await this.bootPhase();
      const pausedAt = await this.walk(boot);
      if (pausedAt !== undefined) {
        await this.continueAsNew(boot, pausedAt, () => this.state.pauseAt(pausedAt), {});
        throw new Error('unreachable: continue-as-new returned'); // a walk pause always hands over
      }
      const record = await this.decide(boot);
      await this.finalize(boot, record);
      await this.releaseWorkspace();
      await condition(allHandlersFinished);
      return this.result();
    } catch (err) {
      if (isCancellation(err)) return this.cancelled(err);
      return this.fail(err);
    }
  }

  // ---- phases

  /** Boot phases 1–4, or the boot an earlier execution carried. */
  private async bootPhase(): Promise<BootResult> {
    if (this.boot) {
      this.workspace = new RunWorkspace(this.boot.workspace, this.input.carry?.workspace, this.input.resume === true ? { ...(this.boot.workspaceHead !== undefined ? { head: this.boot.workspaceHead } : {}) } : undefined);
      this.pipelineName = this.boot.specs.pipelineRef.id;
      this.state.setStatus(this.input.carry?.decision || this.state.gates.some((g) => !g.closed) ? RunStatus.awaitingHuman : RunStatus.executing);
      return this.boot;
    }
    this.publishStatus(RunStatus.booting);
    setCurrentDetails('**Booting**: resolving the profile and the pipeline, preflight, creating the run directory');
    this.boot = await bootPhases(this.input, this.state, (name) => (this.pipelineName = name));
    this.workspace = new RunWorkspace(this.boot.workspace, undefined, this.input.resume === true ? { ...(this.boot.workspaceHead !== undefined ? { head: this.boot.workspaceHead } : {}) } : undefined);
    return this.boot;
  }

  /** The traversal; returns the node to continue-as-new at, or undefined once the exit was passed. */
  private async walk(boot: BootResult): Promise<string | undefined> {
    if (this.input.carry?.decision) return undefined; // continued-as-new at the decision: the graph was walked
    const engine = new Engine(this.input, boot, this.state, this.gates, (node, visit, context) =>
      runChildPipeline(this.workflow, this.input, boot, this.state, node, visit, context, this.workspace),
      this.workspace,
    );
    // `rerun --from <node>`: the walk starts at that node, in the workspace the earlier run had before it
    const first = this.state.nextNode ?? (this.input.resume ? undefined : this.input.rerunFrom?.node) ?? engine.startNode();
    if (!this.input.carry) {
      this.state.setStatus(RunStatus.executing);
      this.state.emit(EventType.runStarted, { start: first, resumed: this.input.resume === true });
    }
    const pausedAt = await engine.walk(first, () => this.pause(), this.input.carry?.gate);
    if (pausedAt !== undefined && engine.restartRequested) {
      // Attractor's loop_restart: the run starts over at the edge's target with a fresh context
      // (same run, same run directory: the durable reading of "re-launch with a fresh log")
      this.state.restartAt(pausedAt, boot.specs.graph);
      this.state.emit(EventType.runLoopRestarted, { at: pausedAt });
    }
    return pausedAt;
  }

  /** Seed steps 7–8: evaluation and the decision (undefined for a run without a suite); the outcome recorded. */
  private async decide(boot: BootResult): Promise<DecisionRecord | undefined> {
    const carried = this.input.carry?.decision;
    if (!carried) await this.pinCandidate(boot);
    const handover = { pause: () => this.pause(), upgrade: () => this.upgradeDue(), park: (d: CarriedDecision) => this.parkAtDecision(boot, d), ...(carried ? { carried } : {}) };
    await this.identities.settled(); // the decision's evidence names who answered the gates
    const record = await this.decision.run(this.input, boot, () => this.flush(), handover);
    if (!record) {
      this.state.setOutcome('succeeded');
      return undefined;
    }
    this.state.setOutcome(record.decision);
    this.state.setStatus(record.decision === 'approved' ? RunStatus.approved : RunStatus.rejected);
    const published = record.decision === 'approved' ? await this.publishApproved(boot, record) : {};
    this.state.emit(record.decision === 'approved' ? EventType.runApproved : EventType.runRejected, {
      by: record.by,
      ...(record.identity !== undefined ? { identity: record.identity } : {}),
      ...(record.identityReason !== undefined ? { identityReason: record.identityReason } : {}),
      mode: record.mode,
      reason: record.reason,
      ...(record.remediation ? { rerunFrom: record.remediation.rerun_from, signatures: record.remediation.signatures.length } : {}),
      ...(record.candidate ? { commit: record.candidate.commit } : {}),
      ...published,
    });
    return record;
  }

  /** Issue 21: the walk's last snapshot published to the candidate remote and recorded in the envelope (what is evaluated and decided on). */
  private async pinCandidate(boot: BootResult): Promise<void> {
    const env = boot.profile.profile.environment;
    const candidate = await this.workspace.publishCandidate(this.state.envelope.runId, this.runRoot(boot), env.workspace.remote);
    if (candidate) this.state.recordCandidate(candidate);
  }

  /** On approval with environment.workspace.publish_branch: the approved commit pushed as that branch (event data either way). */
  private async publishApproved(boot: BootResult, record: DecisionRecord): Promise<Record<string, string>> {
    const env = boot.profile.profile.environment;
    const branch = env.workspace.publish_branch;
    if (branch === undefined || !record.candidate) return {};
    return this.workspace.publishApproved(this.state.envelope.runId, this.runRoot(boot), record.candidate.commit, branch, env.workspace.remote);
  }

  /** The run root the run directory and workspace were made under (boot's choice). */
  private runRoot(boot: BootResult): string {
    return this.input.runRoot ?? boot.profile.profile.environment.run_root;
  }

  /** After finalize: the workspace removed or kept per environment.workspace.keep. */
  private async releaseWorkspace(): Promise<void> {
    const boot = this.boot;
    if (!boot) return;
    const outcome = this.state.envelope.outcome;
    await this.workspace.release(this.state.envelope.runId, this.runRoot(boot), boot.profile.profile.environment.workspace.keep, outcome === 'succeeded' || outcome === 'approved');
  }

  /**
   * Seed step 9: run.completed and (with a run directory) the last events, summary and freeze; "completed" is
   * published once frozen. run.completed is provisional while the freeze runs (issue 24 item 6): it is in
   * what the freeze writes, and enters the run's record only once the freeze returned. A freeze that fails
   * throws FinalizeFailedError carrying the reserved seq, and the run ends in fail() with run.failed there
   * and one run.completed {outcome: failed} after it: never a run.completed that said otherwise.
   */
  private async finalize(boot: BootResult | undefined, decision: DecisionRecord | undefined): Promise<void> {
    await this.identities.settled(); // who answered is in the record the freeze writes
    const data = this.completedData();
    this.finalizing = boot?.runDir !== undefined;
    if (!boot?.runDir) {
      this.state.emit(EventType.runCompleted, data);
      this.state.setStatus(RunStatus.completed);
      return;
    }
    this.state.setStatus(RunStatus.completed);
    const runDir = boot.runDir;
    const completed = this.state.provisional(EventType.runCompleted, data);
    let frozen: { freezeDigest: string };
    try {
      frozen = await this.state.persist((events, checkpoint) =>
        freezeActs.finalizeRun({
          runDir,
          events: [...events, completed.event],
          envelope: completed.envelope,
          ...(checkpoint ? { checkpoint } : {}),
          summary: { envelope: completed.envelope, ...(decision ? { decision } : {}) },
          graph: boot.specs.graph,
        }),
      );
    } catch (err) {
      // no longer finalizing: fail() publishes the status the run ends in
      this.finalizing = false;
      if (!(err instanceof ActivityFailure)) {
        completed.drop(); // cancelled meanwhile: cancelled() records how the run ended
        throw err;
      }
      const failure = finalizeFailureOf(err, runDir);
      throw new FinalizeFailedError(failure.message, failure.causes, undefined, completed.fill);
    }
    completed.commit();
    this.state.recordFreeze(frozen.freezeDigest);
    this.finalizing = false;
    this.publishStatus(RunStatus.completed);
  }

  /** run.completed's data: the failure's domain, or the outcome and the nodes completed. */
  private completedData(): Record<string, unknown> {
    const failure = this.state.envelope.failure;
    return failure ? { outcome: 'failed', domain: failure.domain } : { outcome: this.state.envelope.outcome, completedNodes: this.state.completedTotal };
  }

  /**
   * The run ends in its failure domain: recorded, finalized if the directory takes it, then thrown as the
   * workflow's failure. A failed freeze (FinalizeFailedError) puts run.failed (FINALIZE_FAILURE) in the seq
   * its provisional run.completed had, then one run.completed {outcome: failed} in the server's record only
   * (the directory did not take the freeze); it is not finalized again. Either way the run's record ends
   * with exactly one run.completed, and it tells how the run ended.
   */
  private async fail(err: unknown): Promise<never> {
    const failure = runFailureOf(err);
    if (!failure) throw err;
    this.state.fail(failure.domain, failure.message, failure.causes, failure.node);
    const failed = { domain: failure.domain, message: failure.message, causes: failure.causes, recovery: RECOVERY_RULES[failure.domain], ...(failure.node ? { node: failure.node } : {}) };
    let unfrozen: string | undefined;
    if (err instanceof FinalizeFailedError) {
      if (err.fill) err.fill(EventType.runFailed, failed);
      else this.state.emit(EventType.runFailed, failed);
      this.state.emit(EventType.runCompleted, this.completedData());
    } else {
      this.state.emit(EventType.runFailed, failed);
      try {
        await this.finalize(this.boot, undefined);
        await this.releaseWorkspace();
      } catch (closeErr) {
        // the run directory could not take the last events (removed, diverged, full): the run still ends
        // with its own typed failure, says that its directory is not its record, and FactoryStatus says failed
        const why = closeErr instanceof FinalizeFailedError ? closeErr.causes.join('; ') : runFailureOf(closeErr)?.message ?? String(closeErr);
        unfrozen = `the run directory was not finalized: ${why}`;
        this.endUnfrozen(closeErr);
        this.state.setStatus(RunStatus.failed);
      }
    }
    await condition(allHandlersFinished);
    const recorded = this.state.envelope.failure ?? { ...failure, recovery: RECOVERY_RULES[failure.domain] };
    throw workflowFailure(unfrozen ? { ...recorded, causes: [...recorded.causes, unfrozen] } : recorded);
  }

  /**
   * A freeze that failed after the run had already failed or been cancelled: its provisional run.completed
   * enters the server's record anyway (it is true: the run did end so), so the record still ends with one.
   */
  private endUnfrozen(closeErr: unknown): void {
    if (closeErr instanceof FinalizeFailedError && closeErr.fill) closeErr.fill(EventType.runCompleted, this.completedData());
    else if (!this.state.eventsAfter(0, Number.MAX_SAFE_INTEGER).some((e) => e.type === EventType.runCompleted)) this.state.emit(EventType.runCompleted, this.completedData());
  }

  /**
   * The workflow was cancelled: stages already stopped (WAIT_CANCELLATION_COMPLETED), so in a scope the cancel
   * cannot reach, run.cancelled and run.completed {outcome: cancelled} are recorded and the run directory
   * finalized; then the cancellation is rethrown so the execution ends CANCELLED.
   */
  private async cancelled(err: unknown): Promise<never> {
    await CancellationScope.nonCancellable(async () => {
      const was = this.state.envelope.status;
      this.state.setOutcome('cancelled');
      this.state.emit(EventType.runCancelled, { reason: 'cancel requested', status: was, ...(this.state.envelope.currentNode ? { node: this.state.envelope.currentNode } : {}) });
      try {
        await this.finalize(this.boot, undefined);
      } catch (closeErr) {
        // a run directory that cannot take the last events does not keep a cancelled run alive; its
        // run.completed {outcome: cancelled} is still the server's record's last word
        this.endUnfrozen(closeErr);
      }
      await condition(allHandlersFinished);
    });
    throw err;
  }

  // ---- continue-as-new

  /** History passed the run's limit (or the server suggests continuing as new). */
  private pause(): boolean {
    return workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (this.input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }

  /** A newer version of the workflow is this run's target (current, and no pin override keeps the run here). */
  private upgradeDue(): boolean {
    return workflowInfo().targetWorkerDeploymentVersionChanged;
  }

  /**
   * The one hand-over: flush, let handlers finish and, unless the wait ended meanwhile (`stillDue`), continue
   * as new carrying what the next execution resumes. The next execution starts on the deployment's current
   * version (AUTO_UPGRADE), then stays pinned to it: a run moves to new code here, never mid-execution.
   */
  private async continueAsNew(boot: BootResult, next: string, checkpoint: () => Checkpoint, resume: Pick<CarriedExecution, 'gate' | 'decision'>, gate?: string, stillDue = () => true): Promise<void> {
    await this.identities.settled(); // an answer's identity is in this execution's history: read it before leaving
    await this.flush(true);
    await condition(allHandlersFinished);
    if (!stillDue()) return;
    this.state.emit(EventType.runContinuedAsNew, { next, ...(gate !== undefined ? { gate } : {}), historyLength: workflowInfo().historyLength });
    const workspace = this.workspace.carry();
    const carry: CarriedExecution = { boot, state: this.state.carry(checkpoint()), ...resume, ...(workspace ? { workspace } : {}) };
    await makeContinueAsNewFunc<typeof runPipeline>({ initialVersioningBehavior: 'AUTO_UPGRADE' })({ ...this.input, carry });
  }

  /** At an open main-line gate: not once it closed or its deadline passed while flushing (it times out here). */
  private parkAtGate(gate: GateRecord, visit: number): Promise<void> {
    const open = () => !this.state.gate(gate.id)?.closed && (gate.deadline === undefined || Date.parse(gate.deadline) > new Date().getTime());
    return this.continueAsNew(this.boot as BootResult, gate.node, () => this.state.pauseAt(gate.node), { gate: { node: gate.node, visit } }, gate.id, open);
  }

  /** At the human decision after evaluation: no second evaluation. */
  private parkAtDecision(boot: BootResult, decision: CarriedDecision): Promise<void> {
    const checkpoint = () => this.state.lastCheckpoint ?? this.state.checkpoint(this.state.envelope.currentNode ?? DECISION_GATE, undefined);
    return this.continueAsNew(boot, DECISION_GATE, checkpoint, { decision }, DECISION_GATE, () => this.decision.awaiting);
  }

  // ---- helpers

  /** Writes the events not yet in events.jsonl (and the checkpoint; `withEnvelope`: run.json too). */
  private async flush(withEnvelope = false): Promise<void> {
    const runDir = this.boot?.runDir;
    if (runDir === undefined) return;
    await this.state.persist((events, checkpoint) =>
      ioActs.flushRun({ runDir, events, ...(checkpoint ? { checkpoint } : {}), ...(withEnvelope ? { envelope: this.state.envelope } : {}) }),
    );
  }

  /**
   * FactoryStatus and FactoryPipeline search attributes: "finalizing" while the freeze runs, then the run's
   * outcome (approved, rejected, failed, cancelled, succeeded) instead of "completed", so the Temporal UI
   * list filters by outcome (client/run-outcome.ts reads it back).
   */
  private publishStatus(status: RunStatus): void {
    const ended = status === RunStatus.completed;
    const outcome = this.state.envelope.failure ? 'failed' : (this.state.envelope.outcome ?? 'failed');
    const shown = ended ? (this.finalizing ? 'finalizing' : outcome) : status;
    if (ended) setCurrentDetails(endDetails(outcome, this.finalizing));
    upsertSearchAttributes({ [SEARCH_ATTRIBUTES.status]: [shown], [SEARCH_ATTRIBUTES.pipeline]: [this.pipelineName] });
  }

  private result(): RunResult {
    const env = this.state.envelope;
    return {
      runId: env.runId,
      status: env.status,
      outcome: env.outcome ?? 'failed',
      ...(this.boot ? { runDir: this.boot.runDir } : {}),
      lastSeq: env.lastSeq,
      ...(env.failure ? { failure: env.failure } : {}),
      context: this.state.context,
      ...(env.candidate ? { candidate: { commit: env.candidate.commit, remote: env.candidate.remote, ref: env.candidate.ref } } : {}),
    };
  }
}

/** The envelope of a run that starts now. */
function freshEnvelope(input: RunInput): RunEnvelope {
  const at = new Date().toISOString();
  return {
    runId: input.runId,
    workflowId: workflowInfo().workflowId,
    pipeline: { id: input.pipeline.ref ?? input.pipeline.file ?? '?', version: '?' },
    profile: { id: input.profile.ref ?? input.profile.file ?? '?', version: '?' },
    digests: { profile: '', pipeline: '' },
    sources: { pipeline: input.pipeline, profile: input.profile, ...(input.suite ? { suite: input.suite } : {}) },
    status: RunStatus.booting,
    ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}),
    ...(input.rerunOf !== undefined ? { rerunOf: input.rerunOf } : {}),
    ...(input.goal !== undefined || input.params ? { overrides: submitOverrides(input) } : {}),
    createdAt: at,
    updatedAt: at,
    stages: {},
    openGates: [],
    continuedAsNew: 0,
    lastSeq: 0,
  };
}
