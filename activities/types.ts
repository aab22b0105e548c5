// Inputs and outputs of the pipeline worker's activities: the contract between the run workflow
// and the worker. Plain JSON-serializable data only.

import type { SourceMap } from '../core/diagnostics';
import type { PipelineGraph, PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import type { Checkpoint, RunEnvelope, RunEvent } from '../core/run-model';
import type { FactoryProfile } from '../definitions/schemas/profile';
import type { SuiteManifest } from '../definitions/suite-manifest';

/** A spec named by registry ref (`feature-pipeline@1.0.0`) or by a file path. */
export type SpecRef = { ref: string; file?: undefined } | { file: string; ref?: undefined };

/** resolveProfile's input: which profile. */
export interface ResolveProfileInput {
  profile: SpecRef;
  /** Registry root holding specs/ (defaults to the worker's configured root). */
  registryRoot?: string;
}

/** A profile ready for the run: defaults filled, paths absolute, env checked. */
export interface ResolvedProfile {
  profile: FactoryProfile;
  ref: { id: string; version: string };
  digest: string;
  source: string;
}

/** resolveSpecs' input: which pipeline and suite, checked against this profile. */
export interface ResolveSpecsInput {
  pipeline: SpecRef;
  suite?: SpecRef;
  /**
   * The suite manifest as a scenario-side activity computed it. When set, `suite` is not opened here,
   * so the pipeline worker never reads the scenario file (strict holdout isolation).
   */
  suiteManifest?: SuiteManifest;
  profile: FactoryProfile;
  registryRoot?: string;
}

/** The suite as the pipeline side may know it: never scenario bodies. */
export type { SuiteManifest };

/** The pipeline graph and suite manifest a run boots with, plus their digests. */
export interface ResolvedSpecs {
  graph: PipelineGraph;
  pipelineRef: { id: string; version: string };
  pipelineDigest: string;
  pipelineSource: string;
  suite?: SuiteManifest;
}

/** preflight's input: the graph to check against this worker and profile. */
export interface PreflightInput {
  graph: PipelineGraph;
  profile: FactoryProfile;
  /** Types handled inside workflow code (start, exit, conditional, wait.human, parallel, ...); default WORKFLOW_NODE_TYPES. */
  workflowTypes?: readonly string[];
  /** Where the graph came from (ResolvedSpecs.pipelineSource), so lint findings name it. */
  source?: string;
  sourceMap?: SourceMap;
}

/** What a passing preflight reports: lint warnings and the handler types it found. */
export interface PreflightReport {
  warnings: string[];
  handlerTypes: string[];
  /** What preflight let through on purpose, e.g. the providers the twin stands in for. */
  notes?: string[];
}

/** createRun's input: the envelope, graph, first checkpoint and events to seed the run dir with. */
export interface CreateRunInput {
  envelope: RunEnvelope;
  graph: PipelineGraph;
  checkpoint: Checkpoint;
  events: RunEvent[];
  /** Explicit run directory; else `<run_root>/<runId>`. */
  runDir?: string;
  runRoot: string;
}

/** What createRun allocated: the absolute run directory (also recorded as envelope.runDir). */
export interface CreateRunResult {
  runDir: string;
}

/** loadRun's input: the run directory to resume. */
export interface LoadRunInput {
  runDir: string;
}

/** A run directory read back for resume: its envelope, checkpoint and the last event seq on disk. */
export interface LoadedRun {
  envelope: RunEnvelope;
  checkpoint: Checkpoint;
  lastSeq: number;
}

/** What every write to the run directory carries: idempotent by event seq. */
export interface RunDirFlush {
  runDir: string;
  events: RunEvent[];
  checkpoint?: Checkpoint;
  envelope?: RunEnvelope;
  /** Set by a LOCAL stage activity: its events are not yet committed to history (see appendEvents). */
  speculative?: boolean;
}

/** What a flush did: events appended now, and the last seq in events.jsonl afterwards. */
export interface FlushResult {
  appended: number;
  lastSeq: number;
}

/** executeStage's input: one stage attempt, self-contained (the activity may run on any worker). */
export interface StageInput {
  runId: string;
  runDir: string;
  workdir: string;
  node: PipelineNode;
  goal: string;
  pipelineId: string;
  context: Record<string, unknown>;
  provider: FactoryProfile['provider'];
  /** The profile's named providers; nodes pick one with llm_provider (absent in older runs). */
  providers?: FactoryProfile['providers'];
  /** Temporal's maximumAttempts for this stage: on the last attempt a FAIL/RETRY outcome is returned, not thrown. */
  maxAttempts: number;
  /** Default stage timeout (ms) when the node has none. */
  stageTimeoutMs: number;
  /**
   * The workflow's pending run-directory writes (events not yet in events.jsonl, the last checkpoint),
   * made before the handler runs: one activity per stage instead of a flushRun plus a stage. The
   * checkpoint holds the main line's context too, so that context travels twice in this input.
   */
  pendingWrites: Omit<RunDirFlush, 'runDir'>;
  /** The same writes as sent by workflow code of release r1 (runs parked since then still call with it). */
  flush?: RunDirFlush;
  /**
   * Error class names never retried (the profile's policy.retry.non_retryable_error_types); they propagate
   * as non-retryable failures. NON_RETRYABLE_STAGE_ERRORS (activities/errors.ts) always apply.
   */
  nonRetryableErrorTypes?: string[];
  /**
   * Set when the workflow drives retries (Attractor §3.5 loop, one activity per attempt): the attempt
   * number the handler sees, and every outcome is returned, never thrown; RETRY on the last attempt
   * becomes FAIL or PARTIAL_SUCCESS as before. Unset: Temporal's retries drive attempts (old runs).
   */
  attempt?: number;
  /** The profile's plugin modules (absolute paths): handler types the worker did not register come from them. */
  plugins?: string[];
  /** Context fidelity resolved by the workflow (Attractor §5.4); unset on runs from before: compact. */
  fidelity?: string;
}

/** The routed outcome of a stage's last attempt. */
export interface StageResult extends Outcome {
  attempts: number;
  durationMs: number;
  /** false when retrying cannot help (no handler for the type). */
  retryable?: boolean;
  /** A provider asked to wait this long before the next attempt (Retry-After). */
  retryAfterMs?: number;
}
