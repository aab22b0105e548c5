// The executeStage call for one stage: a local activity when core/activity-mode.ts places the stage
// local (still an activity in history, retried by the same policy), else a normal one with heartbeats.
// Runs recorded before local stages existed replay on the old path (patch LOCAL_STAGES_PATCH).

import { ActivityFailure, TemporalFailure, proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { PipelineActivityContract as PipelineActivities } from '../core/contracts';
import type { StageInput, StageResult } from '../core/contracts';
import { ActivityMode, stageActivityMode } from '../core/activity-mode';
import type { PipelineNode } from '../core/model';
import type { BootResult } from './types';
import { askPatch } from './early-patches';

/** Histories without this marker ran every stage as a normal activity; they keep doing so on replay. */
export const LOCAL_STAGES_PATCH = 'factory-stage-local-activities';

/** The mode a stage runs in for this run: the rule's placement, local only once the patch is in. Call once per stage visit, before scheduling it. */
export function stageMode(node: PipelineNode, boot: BootResult, patches?: { has(id: string): boolean }): ActivityMode {
  const { profile } = boot.profile;
  const placement = stageActivityMode(node, { stageTimeoutMs: profile.policy.stage_timeout_ms, providerKind: profile.provider.kind });
  return placement.mode === ActivityMode.local && askPatch(patches, LOCAL_STAGES_PATCH) ? ActivityMode.local : ActivityMode.remote;
}

/**
 * executeStage for a stage in `mode`, in parts: `run` is the SDK's function as it is; for a local
 * activity each result must go to `settle` and each failure through `mapFailure` (see wrapLocal).
 * The retry loop applies both in its one `.then` per attempt (workflows/stage-retry.ts).
 */
export interface StageExecutor {
  run(input: StageInput): Promise<StageResult>;
  settle?: (result: StageResult) => void;
  mapFailure?: (err: unknown) => unknown;
}

/** The executeStage parts for a stage in `mode`, with its timeout and retry policy. */
export function stageExecutorParts(
  mode: ActivityMode,
  opts: { timeoutMs: number; heartbeatMs: number; retry: RetryPolicy; settle?: (result: unknown) => void },
): StageExecutor {
  if (mode === ActivityMode.local) {
    const run = proxyLocalActivities<PipelineActivities>({ startToCloseTimeout: opts.timeoutMs + 30_000, retry: opts.retry }).executeStage;
    return { run, ...(opts.settle ? { settle: opts.settle } : {}), mapFailure: (err) => asActivityFailure(err, 'executeStage') };
  }
  return { run: proxyActivities<PipelineActivities>({ startToCloseTimeout: opts.timeoutMs + 30_000, heartbeatTimeout: opts.heartbeatMs, retry: opts.retry }).executeStage };
}

/**
 * A local activity's failure reaches workflow code unwrapped (an ApplicationFailure, a TimeoutFailure),
 * where a normal activity's comes as an ActivityFailure around it: wrap it the same way, so every
 * caller handles both placements with one `instanceof ActivityFailure`.
 */
export function asActivityFailure(err: unknown, activityType: string): unknown {
  if (!(err instanceof TemporalFailure) || err instanceof ActivityFailure) return err;
  return new ActivityFailure('Local activity failed', activityType, undefined, RetryState.NON_RETRYABLE_FAILURE, undefined, err);
}

/**
 * A local activity function whose failures come out as ActivityFailure (asActivityFailure); `settle`
 * gets each result first (the run's RecordClock takes the activity's recorded finish time from it).
 * A plain function adding one `.then` to the SDK's promise, not an async wrapper: the SDK's promise hook
 * captures a source-mapped stack for every promise workflow code creates (BENCHMARKS.md, workflow-side pass).
 */
export function wrapLocal<A extends unknown[], R>(activityType: string, fn: (...args: A) => Promise<R>, settle?: (result: R) => void): (...args: A) => Promise<R> {
  const failed = (err: unknown): never => {
    throw asActivityFailure(err, activityType);
  };
  const settled = settle
    ? (result: R): R => {
        settle(result);
        return result;
      }
    : undefined;
  return (...args: A) => {
    let pending: Promise<R>;
    try {
      pending = fn(...args);
    } catch (err) {
      return Promise.reject(asActivityFailure(err, activityType));
    }
    return pending.then(settled, failed);
  };
}
