// The pipeline worker's activities, bound to a handler registry, a registry root and an environment.
// Workflows use `import type` and `ReturnType<typeof createActivities>`; the worker registers the object.

import type { PipelineActivityContract } from '../core/contracts';
import { NON_RETRYABLE_STAGE_ERRORS } from './errors';
import { answerIdentity } from './answer-identity';
import { finalizeRun, persistDecision } from './finalize';
import type { HandlerRegistry } from './handler-registry';
import { preflight } from './preflight';
import { resolveProfile } from './profile';
import { flushRun } from './run-dir';
import { notifyGatesOpened } from './gate-webhook';
import { Context } from '@temporalio/activity';
import { steerChild } from './steer';
import { createRun, loadRun } from './run-create';
import { resolveSpecs } from './specs';
import { createExecuteStage } from './stage';
import { publishApproved, publishCandidate } from './workspace/publish';
import { workspaceChange } from './workspace/snapshot';
import { resumeWorkspace } from './workspace/resume';
import { mergeChildWorkspace } from './workspace/child';
import { releaseWorkspace } from './workspace/workspace';
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
 * The result with the activity's own finish time. The current workflow code no longer reads it; the legacy
 * version (workers/legacy.ts: r4's bundle, which runs boot and short stages as LOCAL activities) stamps the
 * records it makes right after one with it. Remove it with the legacy version.
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
    flushRun: async (input: RunDirFlush): Promise<FlushResult> => {
      const result = await flushRun(input);
      // a gate it opened is announced to the profile's webhook, detached: the activity never waits for it
      const warn = activityWarn();
      void notifyGatesOpened(input, result, { registryRoot, warn });
      return result;
    },
    /** Manager loop steer: an instruction into the child run's active stage (`<stage>/steer/`). */
    steerChild,
    /** Decision gate: decision.json written once (DECISION_FAILURE if a different one exists). */
    persistDecision,
    /** Finalize: last events, summary.md/json, sha256 freeze manifest, read-only files. */
    finalizeRun,
    /** One attempt of one stage through the handler registry. */
    executeStage: (input: StageInput): Promise<StageResult> => finished(executeStage(input)),
    /** Before evaluation: the final snapshot pushed to the candidate remote (EVAL_FAILURE naming the commit when it cannot be). */
    publishCandidate,
    /** On approval, when environment.workspace.publish_branch is set: the approved commit pushed as a branch. */
    publishApproved,
    /** After finalize: the run's workspace removed or kept (environment.workspace.keep). */
    releaseWorkspace,
    /** After a gate answer or a decision was accepted: the Temporal client identity its history event records. */
    answerIdentity,
    /** A human gate opens: what the run changed so far (files, +/- lines, the head commit). */
    workspaceChange,
    /** `factory run --resume`: the run's workspace reused, or made again at the head its checkpoint names. */
    resumeWorkspace,
    /** stack.manager_loop: a succeeded child's commit brought into the parent's workspace (fast-forward or merge; conflicts named). */
    mergeChildWorkspace,
  };
}

/** The pipeline worker's activity object type (workflows proxy core/contracts' PipelineActivityContract). */
export type PipelineActivities = ReturnType<typeof createActivities>;
/** Compile-time proof that the worker implements the contract workflows call: fails tsc when they drift. */
export type ImplementsContract = PipelineActivities extends PipelineActivityContract ? true : never;
const implementsContract: ImplementsContract = true;
void implementsContract;

/** Re-exports for workers: the error types to list as non-retryable, the registry and its handlers. */
export { NON_RETRYABLE_STAGE_ERRORS };
export { HandlerRegistry } from './handler-registry';
export type { Handler, StageContext } from './handler-registry';
export { createDefaultHandlers } from './handlers';

/** The running activity's logger (warn), else stderr: a detached delivery outlives its activity. */
function activityWarn(): (message: string) => void {
  try {
    const log = Context.current().log;
    return (message) => log.warn(message);
  } catch {
    return (message) => void process.stderr.write(`${message}\n`);
  }
}
