// Zod schemas of the holdout result and the decision records the run workflow carries through
// continue-as-new and names in events (core/evaluation.ts, core/decision-policy.ts own the interfaces).
// Pure: workflow code may import this module.

import { z } from 'zod';
import { candidateSnapshot, digests } from './records';

/** One failure cluster of the holdout evaluation. */
export const signatureCluster = z.object({ signature: z.string(), count: z.number(), kind: z.enum(['fail', 'error']) });

/** What evaluation returns to the pipeline side: counts, pass bar and signatures only (SPEC §5). */
export const evaluationSummary = z.object({
  suite: z.object({ id: z.string(), version: z.string(), digest: z.string() }),
  total: z.number(),
  passed: z.number(),
  failed: z.number(),
  errored: z.number(),
  satisfaction: z.number(),
  requiredSatisfaction: z.number(),
  mustPassOk: z.boolean(),
  passed_bar: z.boolean(),
  signatures: z.array(signatureCluster),
});

/** One policy check of the decision gate. */
export const policyCheck = z.object({
  name: z.enum(['pass_bar', 'goal_gates', 'gate_approvers', 'dependency_policy']),
  ok: z.boolean(),
  detail: z.string(),
});

/** approved or rejected. */
export const decision = z.enum(['approved', 'rejected']);

/** The remediation path a rejection carries. */
export const remediation = z.object({
  signatures: z.array(signatureCluster),
  rerun_from: z.string(),
  notes: z.string().optional(),
  failed_checks: z.array(z.string()),
});

/** decision.json: the decision with its evidence. */
export const decisionRecord = z.object({
  runId: z.string(),
  decision,
  mode: z.enum(['auto', 'human']),
  by: z.string(),
  /** A human decision: the Temporal client identity of its decide signal or update (issue 20); absent before, and on auto decisions. */
  identity: z.string().optional(),
  identityReason: z.string().optional(),
  at: z.string(),
  reason: z.string(),
  remediation: remediation.optional(),
  /** What was decided on: the pinned candidate (issue 21); absent before. */
  candidate: candidateSnapshot.optional(),
  evidence: z.object({
    digests,
    evaluation: evaluationSummary.optional(),
    checks: z.array(policyCheck),
    gates: z.array(
      z.object({
        gate: z.string(),
        node: z.string(),
        selected: z.string().optional(),
        answers: z.array(z.object({ by: z.string(), choice: z.string(), via: z.string(), at: z.string(), identity: z.string().optional() })),
      }),
    ),
  }),
});
