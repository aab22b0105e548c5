// Zod schemas of the run records that cross the workflow/activity boundary and continue-as-new: token
// usage, outcomes, gates, checkpoint, envelope. core/run-model.ts keeps the interfaces and constants;
// test/core/contracts-fixtures.test.ts proves the two agree, both ways, at compile time.
// Pure (no Node built-ins): workflow code may import this module.

import { z } from 'zod';
import type { CandidateSnapshot, WorkspaceRecord } from '../workspace';
import { StageStatus } from '../model';
import { QuestionType } from '../questions';
import { FailureDomain, RunStatus } from '../run-model';

/**
 * A value whose full shape another module owns and validates (the pipeline graph: definitions/; the
 * profile: definitions/schemas/profile.ts): the fields listed are checked, the rest passes through as T.
 */
export function opaque<T>(shape: z.ZodRawShape, what: string): z.ZodType<T> {
  return z.looseObject(shape).describe(what) as unknown as z.ZodType<T>;
}

/** A pinned candidate: commit and tree in its git remote (core/workspace.ts owns the shape). */
export const candidateSnapshot = opaque<CandidateSnapshot>({ commit: z.string(), tree: z.string(), remote: z.string() }, 'a candidate snapshot (core/workspace.ts)');

/** What a run changed so far, as a human gate shows it (core/workspace.ts WorkspaceChange). */
export const workspaceChange = z
  .strictObject({
    commit: z.string().describe('the workspace head (the last snapshot)'),
    from: z.string().describe('the commit the run started from'),
    files: z.number().int().describe('files changed since `from`'),
    added: z.number().int().describe('lines added'),
    deleted: z.number().int().describe('lines deleted'),
    listed: z
      .array(z.strictObject({ path: z.string(), added: z.number().int(), deleted: z.number().int(), binary: z.boolean().optional() }))
      .describe('the first 20 files by path `{ path, added, deleted, binary? }` (names sanitized, at most 200 characters)'),
    more: z.number().int().describe('files changed but not listed'),
  })
  .describe('what the run changed so far: files, +/- lines, the commit (issue 21; absent on runs without a workspace)');

/** `{ id, version }` of a pipeline, profile or suite as the envelope names it. */
export const specVersion = z.object({ id: z.string(), version: z.string() });

/** A spec named by registry ref (`feature-pipeline@1.0.0`) or by a file path. */
export const specRef = z.union([
  z.object({ ref: z.string(), file: z.undefined().optional() }),
  z.object({ file: z.string(), ref: z.undefined().optional() }),
]);

/** Tokens in/out and, where the profile prices them, the cost in US dollars. */
export const tokenUsage = z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number().optional() });

/** Attractor §5.2 stage statuses. */
export const stageStatus = z.enum(StageStatus);

/** A stage's result as handlers return it (Attractor §5.2). */
export const outcome = z.object({
  status: stageStatus,
  preferred_label: z.string().optional(),
  suggested_next_ids: z.array(z.string()).optional(),
  context_updates: z.record(z.string(), z.unknown()).optional(),
  notes: z.string().optional(),
  failure_reason: z.string().optional(),
  usage: tokenUsage.optional(),
});

/** One choice of a human gate; `to` is '' for a decline without an edge or a freeform reply. */
export const gateChoice = z.object({ key: z.string(), label: z.string(), to: z.string(), value: z.enum(['YES', 'NO']).optional() });

/** How an answer reached a gate. */
export const gateVia = z.enum(['signal', 'update', 'auto', 'timeout']);

/** One recorded answer of a gate. */
export const gateAnswer = z.object({
  choice: z.string(),
  by: z.string(),
  comment: z.string().optional(),
  text: z.string().optional(),
  at: z.string(),
  via: gateVia,
  identity: z.string().optional(),
  identityReason: z.string().optional(),
});

/** A human gate as the `gates` query shows it and continue-as-new carries it. */
export const gateRecord = z.object({
  id: z.string(),
  node: z.string(),
  prompt: z.string(),
  question: z.enum(QuestionType).optional(),
  choices: z.array(gateChoice),
  openedAt: z.string(),
  deadline: z.string().optional(),
  approvers: z.array(z.string()),
  quorum: z.number(),
  allowSelfApproval: z.boolean(),
  answers: z.array(gateAnswer),
  closed: z.boolean(),
  selected: z.string().optional(),
  change: workspaceChange.optional(),
});

/** Attractor checkpoint (§5.3) plus what the workflow resumes from. */
export const checkpoint = z.object({
  timestamp: z.string(),
  current_node: z.string(),
  next_node: z.string().optional(),
  completed_nodes: z.array(z.string()),
  completed_total: z.number().optional(),
  node_retries: z.record(z.string(), z.number()),
  node_outcomes: z.record(z.string(), stageStatus),
  context: z.record(z.string(), z.unknown()),
  logs: z.array(z.string()),
  workspace_head: z.string().optional(),
});

/** SPEC §1 run statuses. */
export const runStatus = z.enum(RunStatus);
/** SPEC §4 failure domains. */
export const failureDomain = z.enum(FailureDomain);
/** How a run ended. */
export const runOutcome = z.enum(['succeeded', 'approved', 'rejected', 'failed', 'cancelled']);

/** A run's failure: domain, message, every cause, the recovery rule. */
export const runFailure = z.object({
  domain: failureDomain,
  message: z.string(),
  causes: z.array(z.string()),
  recovery: z.string(),
  node: z.string().optional(),
});

/** Per-node stage record in the envelope. */
export const stageRecord = z.object({
  node: z.string(),
  type: z.string(),
  executions: z.number(),
  attempts: z.number(),
  status: stageStatus.optional(),
  failure_reason: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  usage: tokenUsage.optional(),
});

/** sha256 digests bound at boot. */
export const digests = z.object({ profile: z.string(), pipeline: z.string(), suite: z.string().optional() });

/** The sandbox a run's processes got (core/sandbox-policy.ts SandboxRecord). */
export const sandboxRecord = z.object({ mode: z.enum(['bwrap', 'none']), network: z.enum(['off', 'on']), allow: z.array(z.string()).optional(), note: z.string().optional() });

/** The run envelope (`run.json`, `run` query). */
export const runEnvelope = z.object({
  runId: z.string(),
  workflowId: z.string(),
  pipeline: specVersion,
  profile: specVersion,
  suite: z.object({ id: z.string(), version: z.string(), count: z.number() }).optional(),
  digests,
  sources: z.object({ pipeline: specRef, profile: specRef, suite: specRef.optional() }),
  status: runStatus,
  outcome: runOutcome.optional(),
  currentNode: z.string().optional(),
  runDir: z.string().optional(),
  startedBy: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  stages: z.record(z.string(), stageRecord),
  usage: tokenUsage.optional(),
  openGates: z.array(z.string()),
  failure: runFailure.optional(),
  rerunOf: z.string().optional(),
  /** The goal and parameters given at submit (`factory run --goal`, `-p`); absent: the pipeline's own. */
  overrides: z.object({ goal: z.string().optional(), params: z.record(z.string(), z.string()).optional() }).optional(),
  continuedAsNew: z.number(),
  lastSeq: z.number(),
  evaluation: z
    .object({ total: z.number(), passed: z.number(), failed: z.number(), errored: z.number(), satisfaction: z.number(), passed_bar: z.boolean(), signatures: z.number() })
    .optional(),
  decision: z.object({ decision: z.enum(['approved', 'rejected']), by: z.string(), at: z.string(), mode: z.enum(['auto', 'human']) }).optional(),
  freezeDigest: z.string().optional(),
  /** The run's workspace and base (issue 21); absent on runs from before. */
  workspace: opaque<WorkspaceRecord>({ dir: z.string(), start: z.string() }, 'a run workspace record (core/workspace.ts)').optional(),
  /** The pinned candidate evaluated and decided on; absent on runs from before. */
  candidate: candidateSnapshot.optional(),
  /** The sandbox the run's processes got, from preflight (issue 20); absent on runs from before. */
  sandbox: sandboxRecord.optional(),
  /** Preflight's warnings (lint, an unconfined sandbox); absent when there were none and on runs from before. */
  warnings: z.array(z.string()).optional(),
});
