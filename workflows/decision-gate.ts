// Seed steps 7–8 inside the run workflow: holdout evaluation as a child workflow on the isolated
// scenario task queue, then the decision gate (auto or human) and the persisted DecisionRecord.

import { condition, executeChild, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { decisionDetails } from '../core/run-details';
import type { PipelineActivityContract as PipelineActivities } from '../core/contracts';
import {
  type DecideInput,
  type DecisionRecord,
  type PolicyCheck,
  allowedDecisions,
  checkDecision,
  policyChecks,
  remediationFor,
} from '../core/decision-policy';
import type { Candidate, EvaluateInput, EvaluationSummary } from '../core/evaluation';
import { checkGoalGates, findStartNode } from '../core/routing';
import { EventType, FailureDomain, type GateRecord, RunStatus } from '../core/run-model';
import { decodeFailure, domainFailure, errorMessage } from '../core/failures';
import { WORKFLOW_TYPES } from '../core/temporal-names';
import { EvalFailedError } from './errors';
import { handOverDue } from './human-gates';
import type { evaluateSuite } from './evaluate';
import type { RunState } from './run-state';
import type { AnswerIdentities } from './answer-identity';
import type { AnswerSource } from '../core/answer-identity';
import type { BootResult, RunInput } from './types';
import type { CandidateSnapshot } from '../core/workspace';
import { candidateEventData, changeLine } from './workspace';

const decisionActs = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500ms', maximumAttempts: 5, nonRetryableErrorTypes: [FailureDomain.decision] },
});

/** The decision gate's id in the `gates` query and in events. */
export const DECISION_GATE = 'decision';


/** What a new execution needs to wait for the same human decision: no second evaluation, no second gate. */
export interface CarriedDecision {
  evaluation: EvaluationSummary;
  checks: PolicyCheck[];
  approvers: string[];
  rerunFrom: string;
}

/** How the human decision wait hands over to a new execution (run.ts); `carried`: this execution took it over. */
export interface DecisionHandover {
  pause: () => boolean;
  /** A newer version is current and this execution may move to it (pipeline-run.ts upgradeDue). */
  upgrade?: () => boolean;
  /** Continues as new carrying the decision; returns only when a decision arrived meanwhile. */
  park: (decision: CarriedDecision) => Promise<void>;
  carried?: CarriedDecision;
}

type Decided = { decision: 'approved' | 'rejected'; by: string; reason: string; remediation?: string; via: 'signal' | 'update'; source?: AnswerSource };

export class DecisionGate {
  private checks: PolicyCheck[] = [];
  private open = false;
  private decided?: Decided;
  private approvers: string[] = [];
  record?: DecisionRecord;
  private persistFailures = 0;
  /** Whether the run's starter may decide it: the profile's human_gate.allow_self_approval (core/decision-policy.ts). */
  private selfApproval: { startedBy?: string; allowSelfApproval: boolean } = { allowSelfApproval: false };

  constructor(
    private readonly state: RunState,
    /** Reads who sent the accepted decision (the Temporal client identity) from the history. */
    private readonly identities?: AnswerIdentities,
  ) {}

  /** A human decision is awaited and none has arrived yet. */
  get awaiting(): boolean {
    return this.open && this.decided === undefined;
  }

  /** The decision gate as a GateRecord for the `gates` query while a human decision is awaited. */
  gateView(): GateRecord | undefined {
    if (!this.open) return undefined;
    return {
      id: DECISION_GATE,
      node: DECISION_GATE,
      prompt: `Decide this run: ${this.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}`).join(', ')}${this.changed()}`,
      choices: allowedDecisions(this.checks).map((d) => ({ key: d[0]?.toUpperCase() ?? d, label: d, to: d })),
      openedAt: this.state.envelope.updatedAt,
      approvers: this.approvers,
      quorum: 1,
      allowSelfApproval: this.selfApproval.allowSelfApproval,
      answers: [],
      closed: false,
    };
  }

  /** What the candidate changed, for the gate's prompt: ` (changed: 2 files, +5 -1 at <commit>)`, or nothing without a pinned candidate. */
  private changed(): string {
    const line = changeLine(this.state.envelope.candidate);
    return line ? `; candidate: ${line}` : '';
  }

  /** Validation for the `decide` update (throws the reason; nothing reaches history). */
  validate(input: DecideInput): void {
    if (!this.open) throw new Error('no decision is awaited (the run is not waiting for a human decision)');
    const check = checkDecision(input, this.checks, this.approvers, this.selfApproval);
    if (!check.ok) throw new Error(check.reason);
  }

  /** A `decide` signal or update; an invalid one is a DECISION_FAILURE event and changes nothing. */
  decide(input: DecideInput, via: 'signal' | 'update'): boolean {
    // which history event carried it (every decide signal counted, refused ones too): for the sender's identity
    const source = via === 'signal' ? this.identities?.signalled('decide', input) : this.identities?.updated();
    if (!this.open || this.decided) {
      this.state.emit(EventType.decisionFailed, { domain: FailureDomain.decision, via, reason: this.decided ? 'a decision was already taken' : 'no decision is awaited' });
      return false;
    }
    const check = checkDecision(input, this.checks, this.approvers, this.selfApproval);
    if (!check.ok) {
      this.state.emit(EventType.decisionFailed, {
        domain: FailureDomain.decision,
        via,
        reason: check.reason,
        ...(typeof input?.by === 'string' ? { by: input.by.slice(0, 200) } : {}),
      });
      return false;
    }
    this.decided = { decision: check.decision, by: check.by, reason: check.reason, via, ...(check.remediation ? { remediation: check.remediation } : {}), ...(source ? { source } : {}) };
    return true;
  }

  /** For the `decide` update: the record once persisted, or the reason it could not be. */
  async waitForRecord(): Promise<DecisionRecord> {
    const failures = this.persistFailures;
    await condition(() => this.record !== undefined || this.persistFailures > failures);
    if (!this.record) {
      throw domainFailure(FailureDomain.decision, 'the decision could not be recorded; closure stays blocked until a valid decision is', ['decision.json could not be written']);
    }
    return this.record;
  }

  /** Evaluates (when a suite is bound), decides and persists. Returns undefined for a run without a suite. */
  async run(input: RunInput, boot: BootResult, flush: () => Promise<void>, handover?: DecisionHandover): Promise<DecisionRecord | undefined> {
    const { profile } = boot.profile;
    const graph = boot.specs.graph;
    const suite = boot.specs.suite;
    if (!suite || !input.suite) return undefined;
    this.selfApproval = { ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}), allowSelfApproval: profile.policy.human_gate.allow_self_approval };
    const carried = handover?.carried;
    if (carried) return this.awaitHuman(carried, boot, flush, handover);

    this.state.setStatus(RunStatus.evaluating);
    setCurrentDetails(`**Evaluating**: holdout suite ${suite.id}@${suite.version} (${suite.count} scenarios)`);
    const pinned = this.state.envelope.candidate;
    this.state.emit(EventType.runEvaluating, { suite: `${suite.id}@${suite.version}`, scenarios: suite.count, ...(pinned ? { candidate: candidateEventData(pinned) } : {}) });
    await flush();
    const evaluation = await this.evaluate(input, boot);
    const counts = this.state.recordEvaluation(evaluation);
    this.state.emit(EventType.evaluationCompleted, { ...counts, clusters: evaluation.signatures });

    this.approvers = profile.policy.human_gate.approvers;
    this.checks = policyChecks({
      evaluation,
      goalGatesOk: checkGoalGates(graph, this.state.nodeOutcomes).ok,
      gates: this.state.gates,
      approvers: this.approvers,
      dependencies: profile.dependencies,
      providerKind: profile.provider.kind,
      allowedModes: profile.environment.allowed_dependency_modes,
    });
    const rerunFrom = graph.retry_target ?? graph.nodes.find((n) => n.goal_gate)?.id ?? findStartNode(graph)?.id ?? 'start';
    const base = this.base(evaluation);

    if (profile.policy.decision.mode === 'auto') {
      const approved = allowedDecisions(this.checks).includes('approved');
      const failed = this.checks.filter((c) => !c.ok);
      const record: DecisionRecord = {
        ...base,
        decision: approved ? 'approved' : 'rejected',
        mode: 'auto',
        by: 'factory (auto decision)',
        at: new Date().toISOString(),
        reason: approved ? 'holdout evaluation and every policy check passed' : `failed: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
        ...(approved ? {} : { remediation: remediationFor(evaluation, this.checks, rerunFrom) }),
      };
      if (await this.persist(boot, record)) return record;
    }

    // Human decision (or an auto decision that could not be recorded): closure is blocked until a valid one is.
    this.open = true;
    this.state.setStatus(RunStatus.awaitingHuman);
    this.state.emit(EventType.runAwaitingHuman, {
      gate: DECISION_GATE,
      kind: 'decision',
      allowed: allowedDecisions(this.checks),
      checks: this.checks,
      approvers: this.approvers,
      ...(pinned ? { candidate: candidateEventData(pinned) } : {}),
    });
    await flush();
    return this.awaitHuman({ evaluation, checks: this.checks, approvers: this.approvers, rerunFrom }, boot, flush, handover, true);
  }

  /** The evidence every decision record carries. */
  private base(evaluation: EvaluationSummary): Pick<DecisionRecord, 'runId' | 'evidence' | 'candidate'> {
    const candidate = this.state.envelope.candidate;
    return {
      runId: this.state.envelope.runId,
      ...(candidate ? { candidate } : {}),
      evidence: { digests: this.state.envelope.digests, evaluation, checks: this.checks, gates: gateEvidence(this.state.gates) },
    };
  }

  /**
   * Waits for a valid human decision and persists it; hands over to a new execution when history grows
   * or a newer version became current (human-gates.ts handOverDue); `opened`: this execution opened it.
   */
  private async awaitHuman(c: CarriedDecision, boot: BootResult, flush: () => Promise<void>, handover?: DecisionHandover, opened = false): Promise<DecisionRecord> {
    const { evaluation, rerunFrom } = c;
    if (!opened) {
      // taken over from the previous execution: same checks and approvers, the gate is already announced
      this.checks = c.checks;
      this.approvers = c.approvers;
      this.open = true;
      await flush();
    }
    const base = this.base(evaluation);
    const view = this.gateView();
    if (view) setCurrentDetails(decisionDetails(view));
    const parking = handover;
    const due = handOverDue(parking?.pause ?? (() => false), parking?.upgrade);
    for (;;) {
      if (!parking) await condition(() => this.decided !== undefined);
      else {
        await condition(() => this.decided !== undefined || due());
        if (this.decided === undefined) await parking.park(c);
        if (this.decided === undefined) continue;
      }
      const d = this.decided as Decided;
      // who sent it, as the server recorded it (bounded lookup; "unknown" with the reason when it fails)
      const who = this.identities ? await this.identities.lookup(d.source) : undefined;
      const record: DecisionRecord = {
        ...base,
        decision: d.decision,
        mode: 'human',
        by: d.by,
        ...who,
        at: new Date().toISOString(),
        reason: d.reason,
        ...(d.decision === 'rejected' ? { remediation: remediationFor(evaluation, this.checks, rerunFrom, d.remediation) } : {}),
      };
      if (await this.persist(boot, record)) {
        this.open = false;
        return record;
      }
      this.decided = undefined;
    }
  }

  private async evaluate(input: RunInput, boot: BootResult): Promise<EvaluationSummary> {
    const { profile } = boot.profile;
    const suite = boot.specs.suite as NonNullable<BootResult['specs']['suite']>;
    const evalInput: EvaluateInput = {
      runId: this.state.envelope.runId,
      suite: input.suite as EvaluateInput['suite'],
      expectedDigest: suite.digest,
      candidate: candidateOf(boot, this.state.context, this.state.envelope.candidate),
      provider: profile.provider,
      passBar: { satisfaction: profile.policy.decision.pass_bar, must_pass: profile.policy.decision.must_pass },
    };
    try {
      // by type only: a value import would put the scenario workflow into the pipeline worker's bundle
      return await executeChild<typeof evaluateSuite>(WORKFLOW_TYPES.evaluate, {
        taskQueue: profile.environment.temporal.scenario_task_queue,
        workflowId: `${this.state.envelope.runId}.evaluation.${this.state.envelope.continuedAsNew}`,
        args: [evalInput],
      });
    } catch (err) {
      const decoded = decodeFailure(err);
      if (decoded) throw new EvalFailedError(decoded.message, decoded.causes);
      throw new EvalFailedError(`holdout evaluation failed: ${errorMessage(err)}`, ['evaluation did not complete']);
    }
  }

  /** Writes decision.json once; a refusal is a DECISION_FAILURE event and the gate stays open. */
  private async persist(boot: BootResult, record: DecisionRecord): Promise<boolean> {
    try {
      await decisionActs.persistDecision({ runDir: boot.runDir, record });
    } catch (err) {
      this.state.emit(EventType.decisionFailed, { domain: FailureDomain.decision, reason: `decision could not be recorded: ${errorMessage(err)}` });
      this.persistFailures += 1;
      return false;
    }
    this.record = record;
    this.state.recordDecision(record);
    return true;
  }
}

/**
 * The candidate the pipeline hands the evaluation: a `candidate.ref` the pipeline set, else the pinned
 * snapshot (`<remote>#<commit>`, fetched by commit on the scenario side), else (a run without a workspace)
 * the shared `file://<workdir>`; plus the exported context keys.
 */
export function candidateOf(boot: BootResult, context: Record<string, unknown>, pinned?: CandidateSnapshot): Candidate {
  const { profile } = boot.profile;
  const fallback = pinned ? `${pinned.remote}#${pinned.commit}` : `file://${profile.environment.workdir}`;
  const ref = typeof context['candidate.ref'] === 'string' ? (context['candidate.ref'] as string) : fallback;
  const exports: Record<string, unknown> = {};
  for (const key of boot.specs.graph.exports) if (key in context) exports[key] = context[key];
  return { ref, exports, ...(pinned ? { snapshot: pinned } : {}) };
}

function gateEvidence(gates: readonly GateRecord[]): DecisionRecord['evidence']['gates'] {
  return gates.map((g) => ({
    gate: g.id,
    node: g.node,
    ...(g.selected !== undefined ? { selected: g.selected } : {}),
    answers: g.answers.map((a) => ({ by: a.by, choice: a.choice, via: a.via, at: a.at, ...(a.identity !== undefined ? { identity: a.identity } : {}) })),
  }));
}
