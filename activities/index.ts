// The pipeline worker's activities, bound to a handler registry, a registry root and an environment.
// Workflows use `import type` and `ReturnType<typeof createActivities>`; the worker registers the object.

import { NON_RETRYABLE_STAGE_ERRORS } from './errors';
import { finalizeRun, persistDecision } from './finalize';
import type { HandlerRegistry } from './handler-registry';
import { preflight } from './preflight';
import { resolveProfile } from './profile';
import { flushRun } from './run-dir';
import { steerChild } from './steer';
import { createRun, loadRun } from './run-create';
import { resolveSpecs } from './specs';
import { createExecuteStage } from './stage';
import type {
  CreateRunInput,
  CreateRunResult,
  FlushResult,
  LoadedRun,
  LoadRunInput,
  PreflightInput,
  PreflightReport,
  ResolvedProfile,
  ResolvedSpecs,
  ResolveProfileInput,
  ResolveSpecsInput,
  RunDirFlush,
  StageInput,
  StageResult,
} from './types';

/**
 * The result with the activity's own finish time: activities that may run LOCAL report it, and the run
 * workflow stamps the records it makes right after them with it (replay-stable: workflows/record-clock.ts).
 */
async function finished<T extends object>(result: Promise<T>): Promise<T & { finishedAt: string }> {
  return { ...(await result), finishedAt: new Date().toISOString() };
}

/** What a pipeline worker binds its activities to. */
export interface ActivityDeps {
  handlers: HandlerRegistry;
  /** Project root holding specs/ and scenarios/; relative spec files, run_root and workdir resolve against it. */
  registryRoot: string;
  /** Where env vars are checked and child processes inherit from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** executeStage heartbeat period (default 1s; Temporal throttles what reaches the server). */
  heartbeatIntervalMs?: number;
}

/** Builds every activity the run workflow calls; pass the result to Worker.create({ activities }). */
export function createActivities(deps: ActivityDeps) {
  const env = deps.env ?? process.env;
  const { handlers, registryRoot } = deps;
  const executeStage = createExecuteStage({ handlers, env, ...(deps.heartbeatIntervalMs ? { heartbeatIntervalMs: deps.heartbeatIntervalMs } : {}) }) as (input: StageInput) => Promise<StageResult>;
  return {
    /** Boot 1: FactoryProfile resolve; BOOT_FAILURE lists every missing key, env var and contract. */
    resolveProfile: (input: ResolveProfileInput): Promise<ResolvedProfile> => finished(resolveProfile(input, { registryRoot, env })),
    /** Boot 2: pipeline + suite manifest, digests and compatibility. */
    resolveSpecs: (input: ResolveSpecsInput): Promise<ResolvedSpecs> => finished(resolveSpecs(input, { registryRoot, handlerTypes: () => handlers.types() })),
    /** Boot 3: lint, handler coverage, dependency policy. */
    preflight: (input: PreflightInput): Promise<PreflightReport> => finished(preflight(input, { handlers })),
    /** Boot 4: run directory with run.json, manifest.json, checkpoint.json, events.jsonl. */
    createRun: (input: CreateRunInput): Promise<CreateRunResult> => finished(createRun(input)),
    /** Resume: read a run directory back. */
    loadRun: (input: LoadRunInput): Promise<LoadedRun> => finished(loadRun(input)),
    /** Idempotent persistence of events (by seq), checkpoint and envelope. */
    flushRun: (input: RunDirFlush): Promise<FlushResult> => flushRun(input),
    /** Manager loop steer: an instruction into the child run's active stage (`<stage>/steer/`). */
    steerChild,
    /** Decision gate: decision.json written once (DECISION_FAILURE if a different one exists). */
    persistDecision,
    /** Finalize: last events, summary.md/json, sha256 freeze manifest, read-only files. */
    finalizeRun,
    /** One attempt of one stage through the handler registry. */
    executeStage: (input: StageInput): Promise<StageResult> => finished(executeStage(input)),
  };
}

/** The pipeline worker's activity object type (what proxyActivities is typed with). */
export type PipelineActivities = ReturnType<typeof createActivities>;

/** Re-exports for workers: the error types to list as non-retryable, the registry and its handlers. */
export { NON_RETRYABLE_STAGE_ERRORS };
export { HandlerRegistry } from './handler-registry';
export type { Handler, StageContext } from './handler-registry';
export { createDefaultHandlers } from './handlers';
