// core/failures.ts, the one codec of failure domains: what domainFailure builds, decodeFailure reads back
// through every wrapper a failure travels in — by type and details, never by the message text.
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { ScenarioConfigError, StageConfigError } from '../../activities/errors';
import { RECOVERY_RULES } from '../../core/run-model';
import { decodeFailure, domainFailure, finalizeFailureOf, listedMessage, NON_RETRYABLE_SCENARIO_ERRORS, NON_RETRYABLE_STAGE_ERRORS } from '../../core/failures';

const built = domainFailure('EXEC_FAILURE', 'stage "a" failed and has no failure route: boom', ['boom'], { node: 'a' });
const expected = { domain: 'EXEC_FAILURE', message: 'stage "a" failed and has no failure route: boom', causes: ['boom'], recovery: RECOVERY_RULES.EXEC_FAILURE, node: 'a' };

describe('domainFailure', () => {
  it('builds a typed, non-retryable failure whose message names domain and recovery when a run fails', () => {
    expect(built).toMatchObject({ type: 'EXEC_FAILURE', nonRetryable: true });
    expect(built.message).toBe(`EXEC_FAILURE: stage "a" failed and has no failure route: boom\nrecovery: ${RECOVERY_RULES.EXEC_FAILURE}`);
    expect(built.details?.[0]).toMatchObject(expected);
  });

  it('lists every cause, one per line, when a failure has several', () => {
    expect(listedMessage('preflight', ['a', 'b'])).toBe('preflight failed with 2 problems:\n  - a\n  - b');
  });
});

describe('decodeFailure', () => {
  const activity = (cause: Error) => new ActivityFailure('activity failed', 'executeStage', '1', RetryState.NON_RETRYABLE_FAILURE, undefined, cause);
  const child = (cause: Error) => new ChildWorkflowFailure('default', { workflowId: 'c', runId: 'r' }, 'evaluateSuite', RetryState.NON_RETRYABLE_FAILURE, cause);

  test.each<[string, unknown]>([
    ['the failure is thrown as is', built],
    ['an activity threw it', activity(built)],
    ['a child workflow failed with it', child(built)],
    ['a client waited on the workflow', new WorkflowFailedError('workflow failed', built, RetryState.NON_RETRYABLE_FAILURE)],
  ])('reads domain, message, causes and node from type and details when %s', (_name, err) => {
    expect(decodeFailure(err)).toEqual(expected);
  });

  it('ignores the message text when details say otherwise', () => {
    const lying = ApplicationFailure.create({ type: 'BOOT_FAILURE', message: 'EVAL_FAILURE: not what it says', details: [{ message: 'profile missing', causes: ['x'] }] });
    expect(decodeFailure(lying)).toMatchObject({ domain: 'BOOT_FAILURE', message: 'profile missing', causes: ['x'] });
  });

  it('keeps the whole message when a failure recorded before details carried one is decoded', () => {
    const legacy = ApplicationFailure.create({ type: 'BOOT_FAILURE', message: 'BOOT_FAILURE: old text', details: [{ domain: 'BOOT_FAILURE', causes: ['c'], recovery: 'r' }] });
    expect(decodeFailure(legacy)).toEqual({ domain: 'BOOT_FAILURE', message: 'BOOT_FAILURE: old text', causes: ['c'], recovery: 'r' });
  });

  test.each<[string, unknown]>([
    ['the type is not a failure domain', activity(ApplicationFailure.create({ type: 'STAGE_FAILED', message: 'EXEC_FAILURE: x' }))],
    ['a plain error mentions a domain', new Error('BOOT_FAILURE: looks like one')],
    ['a value that is not an error is thrown', 'BOOT_FAILURE'],
  ])('finds no domain failure when %s', (_name, err) => {
    expect(decodeFailure(err)).toBeUndefined();
  });
});

describe('non-retryable failure types', () => {
  it('names the activity error classes as Temporal will type them when they are thrown', () => {
    expect(NON_RETRYABLE_STAGE_ERRORS).toContain(new StageConfigError('x').name);
    expect(NON_RETRYABLE_SCENARIO_ERRORS).toContain(new ScenarioConfigError('x').name);
    expect(NON_RETRYABLE_SCENARIO_ERRORS).toContain('EVAL_FAILURE');
  });
});

describe('finalizeFailureOf', () => {
  const activityFailure = (cause: Error) => new ActivityFailure('activity failed', 'finalizeRun', '7', RetryState.NON_RETRYABLE_FAILURE, undefined, cause);

  it('names a failed freeze FINALIZE_FAILURE with its own recovery, not EXEC_FAILURE with stage advice, when the frozen directory diverged', () => {
    const diverged = ApplicationFailure.create({ type: 'RUN_DIR_DIVERGED', nonRetryable: true, message: '/runs/r is frozen but no longer matches its freeze manifest (modified plan/status.json)' });
    const f = finalizeFailureOf(activityFailure(diverged), '/runs/r');
    expect(f).toEqual({
      domain: 'FINALIZE_FAILURE',
      message: 'the run directory /runs/r could not be frozen',
      causes: ['RUN_DIR_DIVERGED: /runs/r is frozen but no longer matches its freeze manifest (modified plan/status.json)'],
      recovery: RECOVERY_RULES.FINALIZE_FAILURE,
    });
    expect(f.recovery).not.toMatch(/fix the stage/);
    expect(f.recovery).toMatch(/factory verify/);
  });

  it('round-trips through domainFailure and decodeFailure when the workflow fails with it', () => {
    const f = finalizeFailureOf(new Error('ENOSPC: no space left on device, write'), '/runs/r');
    const decoded = decodeFailure(domainFailure(f.domain, f.message, f.causes));
    expect(decoded).toMatchObject({ domain: 'FINALIZE_FAILURE', causes: ['ENOSPC: no space left on device, write'], recovery: RECOVERY_RULES.FINALIZE_FAILURE });
  });
});
