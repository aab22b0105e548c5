// The decision gate (seed step 8), pure: policy checks, which decisions are allowed, validation of a
// human `decide`, and the DecisionRecord. `approved` only when evaluation and every policy check pass;
// otherwise only `rejected` with a remediation path.

import type { CandidateSnapshot } from './workspace';
import type { EvaluationSummary, SignatureCluster } from './evaluation';
import type { Digests, GateRecord } from './run-model';
import { answerSize, clip, MAX_ANSWER_CHARS } from './gate-rules';
import { identityKey, normalizeIdentity, sameIdentityIn } from './identity';

export type Decision = 'approved' | 'rejected';

/** `{ "decision": "rejected", "by": "alice", "reason": "...", "remediation": "rerun from implement" }` */
export interface DecideInput {
  decision?: unknown;
  by?: unknown;
  reason?: unknown;
  remediation?: unknown;
}

export interface PolicyCheck {
  name: 'pass_bar' | 'goal_gates' | 'gate_approvers' | 'dependency_policy';
  ok: boolean;
  detail: string;
}

export interface Remediation {
  /** Failure signature clusters to fix (stable across runs). */
  signatures: SignatureCluster[];
  /** Where a rerun should start. */
  rerun_from: string;
  notes?: string;
  /** Policy checks that failed. */
  failed_checks: string[];
}

export interface DecisionRecord {
  runId: string;
  decision: Decision;
  mode: 'auto' | 'human';
  by: string;
  /** A human decision: the Temporal client identity of its decide signal or update (issue 20); absent before, and on auto decisions. */
  identity?: string;
  /** Why identity is "unknown". */
  identityReason?: string;
  at: string;
  reason: string;
  remediation?: Remediation;
  /** What was decided on: the pinned candidate (commit and tree in its remote); absent before issue 21. `factory verify` checks it. */
  candidate?: CandidateSnapshot;
  evidence: {
    digests: Digests;
    evaluation?: EvaluationSummary;
    checks: PolicyCheck[];
    gates: { gate: string; node: string; selected?: string; answers: { by: string; choice: string; via: string; at: string; identity?: string }[] }[];
  };
}

export interface PolicyInputs {
  evaluation?: EvaluationSummary;
  goalGatesOk: boolean;
  gates: readonly GateRecord[];
  approvers: readonly string[];
  dependencies: Readonly<Record<string, string>>;
  providerKind: string;
  allowedModes: readonly string[];
}

/** Every policy check the decision gate applies (all are recorded, pass or fail). */
export function policyChecks(p: PolicyInputs): PolicyCheck[] {
  const ev = p.evaluation;
  const passBar: PolicyCheck = !ev
    ? { name: 'pass_bar', ok: false, detail: 'no holdout evaluation: a run without a suite cannot be approved' }
    : {
        name: 'pass_bar',
        ok: ev.passed_bar,
        detail: `${ev.passed}/${ev.total} passed (satisfaction ${ev.satisfaction.toFixed(3)}, required ${ev.requiredSatisfaction}), must-pass ${ev.mustPassOk ? 'ok' : 'failed'}, ${ev.errored} errored`,
      };
  const unapproved = p.gates.flatMap((g) => {
    if (!g.closed) return [`${g.id}: still open`];
    const answers = g.answers.filter((a) => a.choice === g.selected);
    if (answers.length === 0) return [`${g.id}: closed without an answer`];
    return answers
      .filter((a) => a.via === 'timeout' || (p.approvers.length > 0 && !sameIdentityIn(p.approvers, a.by)))
      .map((a) => `${g.id}: answered by ${a.via === 'timeout' ? 'timeout' : `"${a.by}"`}, not an allowed approver`);
  });
  const twins = Object.entries(p.dependencies).filter(([, mode]) => mode === 'twin').map(([name]) => name);
  if (p.providerKind === 'twin' && !twins.includes('llm')) twins.push('llm (provider)');
  const twinForbidden = !p.allowedModes.includes('twin') && twins.length > 0;
  return [
    passBar,
    { name: 'goal_gates', ok: p.goalGatesOk, detail: p.goalGatesOk ? 'every goal gate succeeded' : 'a goal gate is unsatisfied' },
    { name: 'gate_approvers', ok: unapproved.length === 0, detail: unapproved.length ? unapproved.join('; ') : `${p.gates.length} gate(s) answered by allowed approvers` },
    {
      name: 'dependency_policy',
      ok: !twinForbidden,
      detail: twinForbidden ? `twin dependencies where the environment requires real: ${twins.join(', ')}` : 'dependency modes allowed here',
    },
  ];
}

/** The decisions the gate accepts given the checks. */
export function allowedDecisions(checks: readonly PolicyCheck[]): Decision[] {
  return checks.every((c) => c.ok) ? ['approved', 'rejected'] : ['rejected'];
}

/** What checkDecision may also enforce: the size bound, and who may not decide their own run. */
export interface DecisionCheckOptions {
  maxChars?: number;
  /** The run's starter; with allowSelfApproval false, they may not decide it (normalised names compare). */
  startedBy?: string;
  /** Default true (the behaviour before the option existed); the workflow passes the profile's allow_self_approval. */
  allowSelfApproval?: boolean;
}

/** Validates a human decision; the reason is recorded as a DECISION_FAILURE when invalid. */
export function checkDecision(
  input: DecideInput | null | undefined,
  checks: readonly PolicyCheck[],
  approvers: readonly string[],
  opts: DecisionCheckOptions = {},
): { ok: true; decision: Decision; by: string; reason: string; remediation?: string } | { ok: false; reason: string } {
  if (!input || typeof input !== 'object') return { ok: false, reason: 'malformed decision: expected {"decision":"approved"|"rejected","by":"...","reason":"..."}' };
  const size = answerSize(input);
  const max = opts.maxChars ?? MAX_ANSWER_CHARS;
  if (size > max) return { ok: false, reason: `decision too large: ${size} characters; a decision is at most ${max} (keep long reasons in a file and link it)` };
  const { decision, by, reason, remediation } = input;
  if (decision !== 'approved' && decision !== 'rejected') return { ok: false, reason: `malformed decision: "decision" must be "approved" or "rejected", got ${typeof decision === 'string' ? `"${clip(decision)}"` : clip(decision ?? null)}` };
  if (typeof by !== 'string' || by.trim() === '') return { ok: false, reason: 'malformed decision: "by" (who decides) is required' };
  const identity = normalizeIdentity(by);
  if (!identity.ok) return { ok: false, reason: `malformed decision: "by" ${identity.reason}` };
  if (typeof reason !== 'string' || reason.trim() === '') return { ok: false, reason: 'malformed decision: "reason" is required' };
  if (remediation !== undefined && typeof remediation !== 'string') return { ok: false, reason: 'malformed decision: "remediation" must be a string' };
  if (approvers.length > 0 && !sameIdentityIn(approvers, identity.name)) return { ok: false, reason: `"${clip(identity.name)}" may not decide; approvers: ${approvers.join(', ')}` };
  if (opts.allowSelfApproval === false && opts.startedBy !== undefined && identityKey(opts.startedBy) === identity.name) {
    return { ok: false, reason: `self-approval is not allowed: "${clip(identity.name)}" started this run` };
  }
  if (decision === 'approved' && !allowedDecisions(checks).includes('approved')) {
    const failed = checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.detail})`);
    return { ok: false, reason: `approved is not allowed: ${failed.join('; ')}; only rejected with a remediation path` };
  }
  if (decision === 'rejected' && (typeof remediation !== 'string' || remediation.trim() === '')) {
    return { ok: false, reason: 'rejected needs a remediation path: "remediation" (what to fix and where to rerun from)' };
  }
  return { ok: true, decision, by: identity.name, reason: reason.trim(), ...(typeof remediation === 'string' ? { remediation: remediation.trim() } : {}) };
}

/** The remediation path of a rejection: failing signatures, failed checks and a rerun point. */
export function remediationFor(evaluation: EvaluationSummary | undefined, checks: readonly PolicyCheck[], rerunFrom: string, notes?: string): Remediation {
  return {
    signatures: evaluation?.signatures ?? [],
    rerun_from: rerunFrom,
    failed_checks: checks.filter((c) => !c.ok).map((c) => c.name),
    ...(notes ? { notes } : {}),
  };
}
