// The few error classes the pipeline worker throws. A thrown class's name becomes the Temporal
// failure `type`, so the non-retryable ones can be listed in a retry policy's nonRetryableErrorTypes.

import { ApplicationFailure } from '@temporalio/common';
import { FailureDomain, RECOVERY_RULES } from '../core/run-model';

/** Failure `type` of every boot-phase failure (SPEC §4). */
export const BOOT_FAILURE = FailureDomain.boot;

export { EVENT_SEQ_GAP, NON_RETRYABLE_STAGE_ERRORS, RUN_DIR_DIVERGED, RUN_DIR_LOST, StageFailureType } from '../core/stage-failures';

/** A provider that is down, rate-limited or unreachable: retry later (HTTP 429, 5xx, network, timeout). */
export class ProviderUnavailableError extends Error {
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
export class ProviderRejectedError extends Error {
  override readonly name = 'ProviderRejectedError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A stage that cannot run as configured (bad fixture, missing command): retrying cannot help. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

/** The details object every BOOT_FAILURE carries (ApplicationFailure.details[0]). */
export interface BootFailureDetails {
  domain: typeof BOOT_FAILURE;
  causes: string[];
  recovery: string;
}

/** One non-retryable BOOT_FAILURE naming every cause at once and ending with the recovery rule. */
export function bootFailure(phase: string, causes: readonly string[]): ApplicationFailure {
  const recovery = RECOVERY_RULES.BOOT_FAILURE;
  const list = causes.map((c) => `  - ${c}`).join('\n');
  const n = causes.length;
  const message = `${BOOT_FAILURE}: ${phase} failed with ${n} problem${n === 1 ? '' : 's'}:\n${list}\nrecovery: ${recovery}`;
  const details: BootFailureDetails = { domain: BOOT_FAILURE, causes: [...causes], recovery };
  return ApplicationFailure.create({ type: BOOT_FAILURE, nonRetryable: true, message, details: [details] });
}

/** Throws a BOOT_FAILURE when any cause was collected; otherwise returns. */
export function throwIfCauses(phase: string, causes: readonly string[]): void {
  if (causes.length > 0) throw bootFailure(phase, causes);
}

/** The message of anything thrown, without a stack. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
