// The errors module of the activity side (pipeline and scenario workers): one base class per failure
// domain, a few concrete classes under them, and the builders of typed domain failures. A thrown
// class's `name` becomes the Temporal failure `type`, so the non-retryable ones can be listed in a
// retry policy's nonRetryableErrorTypes (core/failures.ts names them for workflow code).
// Scenario-side messages are built from scenario KIND and index, candidate and provider facts, never
// from a scenario's body (commands, URLs, paths, expectations, rubrics): they reach workflow history.

import type { ApplicationFailure } from '@temporalio/common';
import { domainFailure, listedMessage } from '../core/failures';
import { FailureDomain } from '../core/run-model';
import type { TokenUsage } from '../core/usage';

/** Failure `type` of every boot-phase failure (SPEC §4). */
export const BOOT_FAILURE = FailureDomain.boot;

export { errorMessage, EVENT_SEQ_GAP, NON_RETRYABLE_SCENARIO_ERRORS, NON_RETRYABLE_STAGE_ERRORS, RUN_DIR_DIVERGED, RUN_DIR_LOST, StageFailureType } from '../core/failures';

/** Base of what a stage activity throws: the run sees it as a failed stage (EXEC_FAILURE domain). */
export class StageError extends Error {
  readonly domain = FailureDomain.exec;
}

/** A provider that is down, rate-limited or unreachable: retry later (HTTP 429, 5xx, network, timeout). */
export class ProviderUnavailableError extends StageError {
  override readonly name = 'ProviderUnavailableError';
  constructor(
    message: string,
    readonly status?: number,
    /** From a Retry-After header: executeStage passes it to Temporal as nextRetryDelay. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A provider that refused the request (HTTP 400, 401, 403, ...): retrying cannot help; fix the profile. */
export class ProviderRejectedError extends StageError {
  override readonly name = 'ProviderRejectedError';
  constructor(
    message: string,
    readonly status?: number,
    /** What the refused call was billed (a content-filter refusal answers, and is billed). */
    readonly usage?: TokenUsage,
  ) {
    super(message);
  }
}

/** A stage that cannot run as configured (bad fixture, missing command): retrying cannot help. */
export class StageConfigError extends StageError {
  override readonly name = 'StageConfigError';
}

/** Base of what a scenario activity throws (EVAL_FAILURE domain once the evaluate workflow gives up). */
export class ScenarioError extends Error {
  readonly domain = FailureDomain.eval;
}

/** Infrastructure trouble (spawn failure, connection refused, provider 5xx/429): retried by Temporal. */
export class ScenarioInfraError extends ScenarioError {
  override readonly name = 'ScenarioInfraError';
}

/** A scenario that cannot run as configured (provider refused the request, bad provider config): not retried. */
export class ScenarioConfigError extends ScenarioError {
  override readonly name = 'ScenarioConfigError';
}

/** A suite that cannot be used (not found, does not load, digest differs); callers map it to a domain. */
export class SuiteUnavailableError extends ScenarioError {
  override readonly name = 'SuiteUnavailableError';
  constructor(readonly causes: string[]) {
    super(causes.join('; '));
  }
}

/** One non-retryable BOOT_FAILURE naming every cause at once and ending with the recovery rule. */
export function bootFailure(phase: string, causes: readonly string[]): ApplicationFailure {
  return domainFailure(FailureDomain.boot, listedMessage(phase, causes), causes);
}

/** Throws a BOOT_FAILURE when any cause was collected; otherwise returns. */
export function throwIfCauses(phase: string, causes: readonly string[]): void {
  if (causes.length > 0) throw bootFailure(phase, causes);
}

/** One non-retryable EVAL_FAILURE naming every cause. */
export function evalFailure(causes: readonly string[]): ApplicationFailure {
  return domainFailure(FailureDomain.eval, listedMessage('evaluation', causes), causes);
}
