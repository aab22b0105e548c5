// The workflow retry loop's mapping of attempts (workflows/stage-retry.ts), outside a workflow: no-delay
// backoff so no timer is scheduled. An activity rejects with an ActivityFailure around its cause.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { StageResult } from '../../activities/types';
import { runAttempts, type RetryLoopDeps } from '../../workflows/stage-retry';

/** How a normal activity's failure reaches workflow code. */
const activityFailure = (cause: Error) => new ActivityFailure('Activity task failed', 'executeStage', undefined, RetryState.NON_RETRYABLE_FAILURE, undefined, cause);

const ok = (n: number): StageResult => ({ status: 'success', attempts: n, durationMs: 1 });
const failed = (n: number): StageResult => ({ status: 'fail', failure_reason: `boom ${n}`, attempts: n, durationMs: 1 });

function deps(attempt: RetryLoopDeps['attempt'], extra: Partial<RetryLoopDeps> = {}): RetryLoopDeps & { emitted: unknown[]; seen: StageResult[] } {
  const emitted: unknown[] = [];
  const seen: StageResult[] = [];
  return {
    nodeId: 'n',
    maxAttempts: 3,
    backoff: { initial_delay_ms: 0, backoff_factor: 1, max_delay_ms: 0, jitter: false },
    seed: 's',
    attempt,
    emit: (type, data) => void emitted.push({ type, ...data }),
    onResult: (res) => void seen.push(res),
    emitted,
    seen,
    ...extra,
  };
}

describe('runAttempts', () => {
  it('ends the stage as FAIL at the attempt a non-retryable failure came from when attempts remain', async () => {
    const d = deps((n) => (n === 1 ? Promise.resolve(failed(1)) : Promise.reject(activityFailure(ApplicationFailure.nonRetryable('no way', 'DeployRefusedError')))));
    const res = await runAttempts(d);
    expect(res).toEqual({ outcome: { status: 'fail', failure_reason: 'DeployRefusedError: no way' }, attempts: 2 });
    expect(d.emitted).toHaveLength(1);
    expect(d.emitted[0]).toMatchObject({ type: 'stage.retrying', attempt: 1, reason: 'boom 1' });
  });

  it('retries a retryable activity failure as FAIL and passes every result to onResult first when a later attempt succeeds', async () => {
    const d = deps((n) => (n === 1 ? Promise.reject(activityFailure(ApplicationFailure.retryable('flaky', 'Flaky'))) : Promise.resolve(ok(n))));
    const res = await runAttempts(d);
    expect(res).toEqual({ outcome: { status: 'success' }, attempts: 2 });
    expect(d.seen).toEqual([ok(2)]);
    expect(d.emitted[0]).toMatchObject({ attempt: 1, reason: 'Flaky: flaky' });
  });

  it('rejects with the error itself when an attempt fails with something that is not an activity failure', async () => {
    const bug = new TypeError('not an activity failure');
    await expect(runAttempts(deps(() => Promise.reject(bug)))).rejects.toBe(bug);
    await expect(
      runAttempts(
        deps(() => {
          throw bug;
        }),
      ),
    ).rejects.toBe(bug);
  });

  it('stops after maxAttempts when every attempt returns FAIL', async () => {
    const d = deps((n) => Promise.resolve(failed(n)));
    expect(await runAttempts(d)).toEqual({ outcome: { status: 'fail', failure_reason: 'boom 3' }, attempts: 3 });
    expect(d.seen.map((r) => r.attempts)).toEqual([1, 2, 3]);
  });
});
