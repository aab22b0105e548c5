// The run workflow's input, including what one execution carries to the next through continue-as-new
// (`carry`): a run parked at a gate by an older release resumes from exactly this payload, so its
// schema is the compatibility contract of an upgrade. workflows/types.ts, run-state.ts and
// decision-gate.ts declare the same types; test/core/contracts-fixtures.test.ts proves they agree.
// Pure: workflow code may import this module.

import { z } from 'zod';
import { resolvedProfile, resolvedSpecs, runEventRecord, workspaceRecord } from './activity-io';
import { evaluationSummary, policyCheck } from './decision';
import { checkpoint, gateRecord, runEnvelope, specRef } from './records';

/** What boot resolved: carried so a new execution never boots again. */
export const bootResult = z.object({
  profile: resolvedProfile,
  specs: resolvedSpecs,
  runDir: z.string(),
  /** The run's own workspace (issue 21); absent on runs without one (older releases). */
  workspace: workspaceRecord.optional(),
  workspaceHead: z.string().optional(),
});

/** Where the run's workspace stands: its branch head and the head before each main-line node last ran (workflows/workspace.ts). */
export const carriedWorkspace = z.object({ head: z.string().optional(), before: z.record(z.string(), z.string()), restoreNext: z.string().optional() });

/** The run state one execution hands the next. */
export const carriedRunState = z.object({
  envelope: runEnvelope,
  checkpoint,
  gates: z.array(gateRecord),
  recentEvents: z.array(runEventRecord),
  flushedSeq: z.number(),
  visits: z.record(z.string(), z.number()),
  /** A parallel branch's own visits per node (absent before branch visits were counted, and when no branch ran). */
  branchVisits: z.record(z.string(), z.record(z.string(), z.number())).optional(),
});

/** The human decision wait, carried when the execution handed over while waiting for it. */
export const carriedDecision = z.object({
  evaluation: evaluationSummary,
  checks: z.array(policyCheck),
  approvers: z.array(z.string()),
  rerunFrom: z.string(),
});

/** What continue-as-new carries: boot, state, and the wait it handed over in. */
export const carriedExecution = z.object({
  boot: bootResult,
  state: carriedRunState,
  gate: z.object({ node: z.string(), visit: z.number() }).optional(),
  decision: carriedDecision.optional(),
  /** The workspace's head and per-node starts (issue 21); absent from older releases. */
  workspace: carriedWorkspace.optional(),
});

/** runPipeline's input: what `factory run` starts with, plus `carry` after a continue-as-new. */
export const runInput = z.object({
  runId: z.string(),
  pipeline: specRef,
  profile: specRef,
  suite: specRef.optional(),
  autoApprove: z.boolean().optional(),
  startedBy: z.string().optional(),
  runDir: z.string().optional(),
  runRoot: z.string().optional(),
  registryRoot: z.string().optional(),
  resume: z.boolean().optional(),
  rerunOf: z.string().optional(),
  historyLimit: z.number().optional(),
  stageHeartbeatMs: z.number().optional(),
  /** `factory run --ref`: the base commit, branch or tag (overrides environment.ref). */
  ref: z.string().optional(),
  /** `factory rerun --from <node>`: start at the snapshot the earlier run had before `node`. */
  rerunFrom: z.object({ runDir: z.string(), node: z.string() }).optional(),
  /** `factory run --goal`: the pipeline's goal for this run (`$goal`, graph.goal). */
  goal: z.string().optional(),
  /** `factory run -p name=value`: the pipeline's parameters for this run (`$name`). */
  params: z.record(z.string(), z.string()).optional(),
  /** A stack.manager_loop child: its workspace starts at the parent's head, cloned from the parent's workspace repository. */
  workspaceFrom: z.object({ gitDir: z.string(), commit: z.string() }).optional(),
  carry: carriedExecution.optional(),
});

// The TS types of the schemas above (z.infer); workflows/types.ts declares the same (checked equal in test/core/contracts).
export type BootResult = z.infer<typeof bootResult>;
export type CarriedRunState = z.infer<typeof carriedRunState>;
export type CarriedDecision = z.infer<typeof carriedDecision>;
export type CarriedWorkspace = z.infer<typeof carriedWorkspace>;
export type CarriedExecution = z.infer<typeof carriedExecution>;
export type RunInput = z.infer<typeof runInput>;
