// The contract between the run workflow and the pipeline worker's activities: every input and output,
// as zod schemas with their TS types derived by z.infer (activities/types.ts re-exports them).
// Objects strip unknown keys instead of refusing them: a payload from an older or newer release with a
// field more still parses (Temporal payloads outlive the code that wrote them); a missing required field
// does not. Pure: workflow code may import this module (workflows import its types only).

import { z } from 'zod';
import type { PipelineGraph, PipelineNode } from '../model';
import type { Budget } from '../usage';
import type { BaseRequest, SnapshotRecord, WorkspaceRecord, WorkspaceRef } from '../workspace';
import type { SandboxPolicy } from '../sandbox-policy';
import type { FactoryProfile, ProviderConfig } from '../../definitions/schemas/profile';
import { EventType } from '../run-model';
import { decisionRecord } from './decision';
import { candidateSnapshot, checkpoint, opaque, outcome, runEnvelope, sandboxRecord, specRef, specVersion, workspaceChange } from './records';

/** A pipeline node: its id and handler type checked, the rest as core/model.ts defines it. */
export const pipelineNode = opaque<PipelineNode>({ id: z.string(), type: z.string() }, 'a pipeline node (core/model.ts)');
/** A pipeline graph as definitions/ built and validated it. */
export const pipelineGraph = opaque<PipelineGraph>(
  { id: z.string(), version: z.string(), goal: z.string(), nodes: z.array(pipelineNode), edges: z.array(z.looseObject({ from: z.string(), to: z.string() })) },
  'a pipeline graph (core/model.ts)',
);
/** A resolved profile as definitions/schemas/profile.ts produced it. */
export const factoryProfile = opaque<FactoryProfile>(
  { id: z.string(), version: z.string(), environment: z.looseObject({ run_root: z.string() }), policy: z.looseObject({}), provider: z.looseObject({ kind: z.string() }) },
  'a resolved FactoryProfile (definitions/schemas/profile.ts)',
);
/** One provider of a profile. */
export const providerConfig = opaque<ProviderConfig>({ kind: z.string() }, 'a provider (definitions/schemas/providers.ts)');

/** An event as activities receive it: any known type, `data` checked per type only by core/contracts/events.ts. */
export const runEventRecord = z.object({ seq: z.number(), type: z.enum(EventType), runId: z.string(), at: z.string(), data: z.record(z.string(), z.unknown()) });

/** The suite as the pipeline side may know it: never scenario bodies. */
export const suiteManifest = z.object({
  id: z.string(),
  version: z.string(),
  digest: z.string(),
  count: z.number(),
  capabilities: z.array(z.string()),
  pipeline_id: z.string(),
  pipeline_major: z.number(),
});

/** resolveProfile's input. */
export const resolveProfileInput = z.object({ profile: specRef, registryRoot: z.string().optional() });
/** resolveProfile's output: a profile ready for the run. */
export const resolvedProfile = z.object({ profile: factoryProfile, ref: specVersion, digest: z.string(), source: z.string() });

/** resolveSpecs' input; `suiteManifest` set: the suite file is not opened on the pipeline side. */
export const resolveSpecsInput = z.object({
  pipeline: specRef,
  suite: specRef.optional(),
  suiteManifest: suiteManifest.optional(),
  profile: factoryProfile,
  registryRoot: z.string().optional(),
  /** The goal and parameters given at submit (`factory run --goal`, `-p`), applied before `$goal`/`$name` expand. */
  goal: z.string().optional(),
  params: z.record(z.string(), z.string()).optional(),
});
/** resolveSpecs' output: the graph and suite manifest a run boots with, plus digests. */
export const resolvedSpecs = z.object({
  graph: pipelineGraph,
  pipelineRef: specVersion,
  pipelineDigest: z.string(),
  pipelineSource: z.string(),
  suite: suiteManifest.optional(),
});

/** preflight's input: the graph to check against this worker and profile. */
export const preflightInput = z.object({
  graph: pipelineGraph,
  profile: factoryProfile,
  workflowTypes: z.array(z.string()).readonly().optional(),
  source: z.string().optional(),
  sourceMap: z.record(z.string(), z.object({ line: z.number(), column: z.number() })).optional(),
});
/** preflight's output: lint warnings and handler types found. */
export const preflightReport = z.object({
  warnings: z.array(z.string()),
  handlerTypes: z.array(z.string()),
  /** What preflight let through on purpose, e.g. the providers the twin stands in for. */
  notes: z.array(z.string()).optional(),
  /** The sandbox the run's processes get on this worker; absent from workers before it was recorded. */
  sandbox: sandboxRecord.optional(),
});

/** createRun's input: what the run directory is seeded with. */
export const createRunInput = z.object({
  envelope: runEnvelope,
  graph: pipelineGraph,
  checkpoint,
  events: z.array(runEventRecord),
  runDir: z.string().optional(),
  runRoot: z.string(),
  /** The run's base (environment.workdir/ref/allow_dirty_base): createRun makes the run's own workspace from it. Unset (older workflow code): none. */
  workspace: opaque<BaseRequest>({ path: z.string() }, 'a workspace base request (core/workspace.ts)').optional(),
});
/** A run's workspace and pinned base (core/workspace.ts owns its shape). */
export const workspaceRecord = opaque<WorkspaceRecord>({}, 'a run workspace record (core/workspace.ts)');
/** createRun's output: the absolute run directory, and the workspace when one was asked for. */
export const createRunResult = z.object({ runDir: z.string(), workspace: workspaceRecord.optional() });

/** loadRun's input: the run directory to resume. */
export const loadRunInput = z.object({ runDir: z.string() });
/** loadRun's output: envelope, checkpoint and last seq on disk. */
export const loadedRun = z.object({ envelope: runEnvelope, checkpoint, lastSeq: z.number(), workspace: workspaceRecord.optional() });

/** flushRun's input: events (idempotent by seq), checkpoint, envelope. */
export const runDirFlush = z.object({
  runDir: z.string(),
  events: z.array(runEventRecord),
  checkpoint: checkpoint.optional(),
  envelope: runEnvelope.optional(),
  /** Set by a LOCAL stage activity (releases that ran stages local): events not yet in history. */
  speculative: z.boolean().optional(),
});
/** flushRun's output: events appended now and the last seq afterwards. */
export const flushResult = z.object({ appended: z.number(), lastSeq: z.number() });

/** executeStage's input: one stage attempt, self-contained (any worker may run it). */
export const stageInput = z
  .object({
    runId: z.string(),
    runDir: z.string(),
    workdir: z.string(),
    node: pipelineNode,
    goal: z.string(),
    pipelineId: z.string(),
    context: z.record(z.string(), z.unknown()),
    provider: providerConfig,
    providers: z.record(z.string(), providerConfig).optional(),
    maxAttempts: z.number(),
    stageTimeoutMs: z.number(),
    /** The run-directory writes made before the handler runs (every release after r1). */
    pendingWrites: runDirFlush.omit({ runDir: true }).optional(),
    /** The same writes as release r1 sent them (runs parked since then still call with them). */
    flush: runDirFlush.optional(),
    nonRetryableErrorTypes: z.array(z.string()).optional(),
    attempt: z.number().optional(),
    plugins: z.array(z.string()).optional(),
    fidelity: z.string().optional(),
    /** The profile's policy.budget: the agent loop checks the run's usage journal against it before every model call. */
    budget: opaque<Budget>({}, 'a run budget (core/usage.ts)').optional(),
    /** The parallel branch this attempt runs in; each branch (and visit) gets its own stage directory. */
    branch: z.string().optional(),
    /** The node's visit number (1-based) when `branch` is set. */
    visit: z.number().optional(),
    /** The profile's `sandbox` setting; unset: bubblewrap, network off. */
    sandbox: opaque<SandboxPolicy>({ mode: z.string() }, 'a sandbox policy (core/sandbox-policy.ts)').optional(),
    /** The run's workspace: the stage runs in it and its last attempt ends with a snapshot. */
    workspace: opaque<WorkspaceRef & { restoreTo?: string }>({ dir: z.string() }, 'a stage workspace (core/workspace.ts)').optional(),
  })
  .refine((i) => i.pendingWrites !== undefined || i.flush !== undefined, { error: 'executeStage needs pendingWrites (or flush, from r1)', path: ['pendingWrites'] });
/** executeStage's output: the routed outcome of the stage's last attempt. */
export const stageResult = outcome.extend({
  attempts: z.number(),
  durationMs: z.number(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().optional(),
  /** The snapshot the stage ended with (only when the input had a workspace). */
  snapshot: opaque<SnapshotRecord>({ commit: z.string() }, 'a stage snapshot (core/workspace.ts)').optional(),
});

/** finalizeRun's input: the last events, the summary's envelope and decision, the graph to draw. */
export const finalizeInput = z.object({
  runDir: z.string(),
  events: z.array(runEventRecord),
  checkpoint: checkpoint.optional(),
  envelope: runEnvelope,
  summary: z.object({ envelope: runEnvelope, decision: decisionRecord.optional() }),
  graph: pipelineGraph.optional(),
});
/** finalizeRun's output: the freeze manifest's digest and how many files it covers. */
export const finalizeResult = z.object({ freezeDigest: z.string(), files: z.number() });

/** persistDecision's input: decision.json written once. */
export const persistDecisionInput = z.object({ runDir: z.string(), record: decisionRecord });
/** persistDecision's output: where decision.json is and its sha256. */
export const persistDecisionResult = z.object({ path: z.string(), sha256: z.string() });

/** answerIdentity's input: the history event that carried a gate answer or a decision (core/answer-identity.ts AnswerSource). */
export const answerIdentityInput = z.object({
  kind: z.enum(['signal', 'update']),
  name: z.string(),
  occurrence: z.number().int().positive().optional(),
  payload: z.unknown().optional(),
  updateId: z.string().optional(),
});
/** answerIdentity's output: the identity the server recorded with that event, or "unknown" and why. */
export const answerIdentityResult = z.object({ identity: z.string(), reason: z.string().optional(), eventId: z.number().optional() });

/** steerChild's input: an instruction into a child run's active stage. */
export const steerChildInput = z.object({ childRunDir: z.string(), manager: z.string(), message: z.string() });
/** steerChild's output: which stage was steered, if any. */
export const steerChildResult = z.object({ steered: z.boolean(), stage: z.string().optional() });

/** The run's workspace as publishing needs it (core/workspace.ts WorkspaceRef). */
const workspaceRef = opaque<WorkspaceRef>({ dir: z.string(), gitDir: z.string(), branch: z.string(), start: z.string() }, 'a run workspace (core/workspace.ts)');
/** publishCandidate's input: the commit (default: the run branch's head) pushed to the remote (default: a bare repository under runRoot). */
export const publishCandidateInput = z.object({ runId: z.string(), runRoot: z.string(), workspace: workspaceRef, commit: z.string().optional(), remote: z.string().optional() });
/** publishApproved's input: the approved commit pushed as `branch` ({runId} replaced). */
export const publishApprovedInput = publishCandidateInput.extend({ commit: z.string(), branch: z.string() });
/** publishApproved's output: where the branch went. */
export const publishApprovedResult = z.object({ remote: z.string(), branch: z.string(), commit: z.string() });
/** releaseWorkspace's input: the run whose workspace the keep policy removes or keeps. */
export const releaseWorkspaceInput = z.object({ runRoot: z.string(), runId: z.string(), keep: z.enum(['never', 'on_failure', 'always']), succeeded: z.boolean() });
/** releaseWorkspace's output: whether it was removed, and where it is (or was). */
export const releaseWorkspaceResult = z.object({ removed: z.boolean(), dir: z.string() });

/** workspaceChange's input: what the run changed from the workspace's start to `commit` (default: the run branch's head). */
export const workspaceChangeInput = z.object({ workspace: workspaceRef, commit: z.string().optional() });

/** resumeWorkspace's input: the recorded workspace, the head checkpoint.json names, the profile's candidate remote. */
export const resumeWorkspaceInput = z.object({ workspace: workspaceRecord, head: z.string().optional(), remote: z.string().optional() });
/** resumeWorkspace's output: the workspace to continue in (reused or made again) and the head to continue from. */
export const resumeWorkspaceResult = z.object({ workspace: workspaceRecord, head: z.string().optional(), recreated: z.boolean() });

/** mergeChildWorkspace's input: a manager loop's child commit (from the candidate remote) brought into the parent's workspace. */
export const mergeChildInput = z.object({
  runId: z.string(),
  node: z.string(),
  workspace: workspaceRef,
  base: z.string(),
  child: z.object({ commit: z.string(), remote: z.string(), ref: z.string(), runId: z.string() }),
});
/** mergeChildWorkspace's output: the parent's new snapshot, or the conflicting files. */
export const mergeChildResult = z.object({ snapshot: opaque<SnapshotRecord>({ commit: z.string() }, 'a stage snapshot (core/workspace.ts)').optional(), conflicts: z.array(z.string()).optional() });

/** Per activity name, the schemas of its input and output (the fixture test and any boundary check use this). */
export const ACTIVITY_CONTRACTS = {
  resolveProfile: { input: resolveProfileInput, output: resolvedProfile },
  resolveSpecs: { input: resolveSpecsInput, output: resolvedSpecs },
  preflight: { input: preflightInput, output: preflightReport },
  createRun: { input: createRunInput, output: createRunResult },
  loadRun: { input: loadRunInput, output: loadedRun },
  flushRun: { input: runDirFlush, output: flushResult },
  executeStage: { input: stageInput, output: stageResult },
  finalizeRun: { input: finalizeInput, output: finalizeResult },
  persistDecision: { input: persistDecisionInput, output: persistDecisionResult },
  steerChild: { input: steerChildInput, output: steerChildResult },
  publishCandidate: { input: publishCandidateInput, output: candidateSnapshot },
  publishApproved: { input: publishApprovedInput, output: publishApprovedResult },
  releaseWorkspace: { input: releaseWorkspaceInput, output: releaseWorkspaceResult },
  answerIdentity: { input: answerIdentityInput, output: answerIdentityResult },
  workspaceChange: { input: workspaceChangeInput, output: workspaceChange },
  resumeWorkspace: { input: resumeWorkspaceInput, output: resumeWorkspaceResult },
  mergeChildWorkspace: { input: mergeChildInput, output: mergeChildResult },
} as const;

// The TS types of the schemas above (z.infer): what activities, workflows and activities/types.ts use.
export type SpecRef = z.infer<typeof specRef>;
export type SuiteManifest = z.infer<typeof suiteManifest>;
export type ResolveProfileInput = z.infer<typeof resolveProfileInput>;
export type ResolvedProfile = z.infer<typeof resolvedProfile>;
export type ResolveSpecsInput = z.infer<typeof resolveSpecsInput>;
export type ResolvedSpecs = z.infer<typeof resolvedSpecs>;
export type PreflightInput = z.infer<typeof preflightInput>;
export type PreflightReport = z.infer<typeof preflightReport>;
export type CreateRunInput = z.infer<typeof createRunInput>;
export type CreateRunResult = z.infer<typeof createRunResult>;
export type LoadRunInput = z.infer<typeof loadRunInput>;
export type LoadedRun = z.infer<typeof loadedRun>;
export type RunDirFlush = z.infer<typeof runDirFlush>;
export type FlushResult = z.infer<typeof flushResult>;
export type StageInput = z.infer<typeof stageInput>;
export type StageResult = z.infer<typeof stageResult>;
export type FinalizeInput = z.infer<typeof finalizeInput>;
export type FinalizeResult = z.infer<typeof finalizeResult>;
export type PersistDecisionInput = z.infer<typeof persistDecisionInput>;
export type PersistDecisionResult = z.infer<typeof persistDecisionResult>;
export type AnswerIdentityInput = z.infer<typeof answerIdentityInput>;
export type AnswerIdentityResult = z.infer<typeof answerIdentityResult>;
export type SteerChildInput = z.infer<typeof steerChildInput>;
export type SteerChildResult = z.infer<typeof steerChildResult>;

type Contracts = typeof ACTIVITY_CONTRACTS;
/** The pipeline worker's activities as workflows call them (proxyActivities<PipelineActivityContract>). */
export type PipelineActivityContract = { [K in keyof Contracts]: (input: z.infer<Contracts[K]['input']>) => Promise<z.infer<Contracts[K]['output']>> };
