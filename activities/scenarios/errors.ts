// Scenario-side errors. What a thrown error says reaches the evaluate workflow's history, so every
// message here is built from scenario KIND and index, candidate and provider facts — never from a
// scenario's body (commands, URLs, paths, expectations, rubrics). Details go to the worker's log.

import { ApplicationFailure } from '@temporalio/common';
import { EVAL_FAILURE, evalFailureParts } from '../../core/evaluation';

/** Infrastructure trouble (spawn failure, connection refused, provider 5xx/429): retried by Temporal. */
export class ScenarioInfraError extends Error {
  override readonly name = 'ScenarioInfraError';
}

/** A scenario that cannot run as configured (provider refused the request, bad provider config): not retried. */
export class ScenarioConfigError extends Error {
  override readonly name = 'ScenarioConfigError';
}

/** Failure types the evaluate workflow never retries. */
export const NON_RETRYABLE_SCENARIO_ERRORS = [EVAL_FAILURE, 'ScenarioConfigError'] as const;

/** A suite that cannot be used (not found, does not load, digest differs); callers map it to a domain. */
export class SuiteUnavailableError extends Error {
  override readonly name = 'SuiteUnavailableError';
  constructor(readonly causes: string[]) {
    super(causes.join('; '));
  }
}

/** One non-retryable EVAL_FAILURE naming every cause. */
export function evalFailure(causes: readonly string[]): ApplicationFailure {
  const { message, details } = evalFailureParts(causes);
  return ApplicationFailure.create({ type: EVAL_FAILURE, nonRetryable: true, message, details: [details] });
}
