// Attractor §3.5 execute_with_retry in workflow code: one executeStage activity per attempt, a durable
// timer between attempts with the §3.6 backoff (core/retry.ts, jitter from a hash: replay-safe), and a
// `stage.retrying` event per retry naming the attempt, the reason and the next delay.

import { ActivityFailure, ApplicationFailure, isCancellation, sleep } from '@temporalio/workflow';
import type { StageResult } from '../core/contracts';
import type { SnapshotRecord } from '../core/workspace';
import type { Outcome } from '../core/outcome';
import { delayForAttempt, shouldRetry, type BackoffConfig } from '../core/retry';
import { EventType } from '../core/run-model';

/** What the loop needs from the engine: one attempt as an activity, and the event log. */
export interface RetryLoopDeps {
  nodeId: string;
  maxAttempts: number;
  backoff: BackoffConfig;
  /** Seeds the jitter: run, node and visit, so each visit's delays differ but replays agree. */
  seed: string;
  branch?: string;
  /** Attempt `n`: the executeStage activity; `afterLost`: the attempt before it ended without a result (a lost worker). */
  attempt(n: number, afterLost: boolean): Promise<StageResult>;
  /** Called with each attempt's result (the events it carried are then written). */
  onResult?(res: StageResult): void;
  emit(type: EventType, data: Record<string, unknown>): void;
}

/** The last attempt's outcome and how many attempts ran. */
export interface AttemptsResult {
  outcome: Outcome;
  attempts: number;
  /** The workspace snapshot the last attempt ended with (runs with a workspace). */
  snapshot?: SnapshotRecord;
}

/**
 * Runs attempts until one succeeds, retrying is pointless (a non-retryable failure), or attempts run
 * out; returns the last outcome. Only errors that are not an activity's failure reject.
 */
export async function runAttempts(deps: RetryLoopDeps): Promise<AttemptsResult> {
  let lost = false;
  for (let n = 1; ; n++) {
    let res: StageResult;
    try {
      res = await deps.attempt(n, lost);
      deps.onResult?.(res);
      lost = false;
    } catch (err) {
      res = lostAttempt(err, n);
      lost = true;
    }
    const { attempts: _a, durationMs: _d, retryable, retryAfterMs, snapshot, ...outcome } = res;
    if (!shouldRetry(outcome.status, n, deps.maxAttempts, retryable !== false)) return { outcome, attempts: n, ...(snapshot ? { snapshot } : {}) };
    const delayMs = Math.max(delayForAttempt(n, deps.backoff, deps.seed), retryAfterMs ?? 0);
    deps.emit(EventType.stageRetrying, {
      node: deps.nodeId,
      attempt: n,
      max_attempts: deps.maxAttempts,
      status: outcome.status,
      reason: outcome.failure_reason || `returned ${outcome.status}`,
      next_delay_ms: delayMs,
      ...(deps.branch ? { branch: deps.branch } : {}),
    });
    if (delayMs > 0) await sleep(delayMs, { summary: `retry backoff: stage ${deps.nodeId} attempt ${n + 1}` });
  }
}

/**
 * A failed attempt. An activity that failed without an outcome after Temporal's own retries (a lost
 * worker: heartbeat or start-to-close timeout) is a FAIL this loop may retry (§3.5 "exception → retry");
 * a non-retryable failure (the profile's non_retryable_error_types) is a FAIL that ends the stage at
 * this attempt ("<type>: <message>"). Anything that is not an activity's failure propagates.
 */
function lostAttempt(err: unknown, n: number): StageResult {
  // a cancelled run: the stage was stopped, not lost; the run ends (pipeline-run.ts cancelled)
  if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    return { status: 'fail', failure_reason: `${cause.type ?? 'Error'}: ${cause.message}`, attempts: n, durationMs: 0, ...(cause.nonRetryable ? { retryable: false } : {}) };
  }
  return { status: 'fail', failure_reason: `activity ${cause?.message ?? err.message}`, attempts: n, durationMs: 0 };
}
