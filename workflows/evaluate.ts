// Seed step 7, Scenario Evaluation: a child workflow on the isolated scenario task queue. Its activities
// get only (suite ref, expected digest, scenario index, candidate, provider) and load bodies themselves,
// so not even this workflow's history holds scenario text. Returns counts, pass bar and signatures.

import { type ApplicationFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { ScenarioActivityContract as ScenarioActivities } from '../core/contracts';
import { decodeFailure, domainFailure, errorMessage, listedMessage, NON_RETRYABLE_SCENARIO_ERRORS } from '../core/failures';
import { FailureDomain } from '../core/run-model';
import {
  type EvaluateInput,
  type EvaluationSummary,
  type ScenarioResult,
  type SuitePlan,
  summarize,
} from '../core/evaluation';
import { failureSignature } from '../core/signatures';

/** Scenarios run at once when the input does not say. */
export const DEFAULT_MAX_PARALLEL = 4;
/** Attempts per scenario for infrastructure errors (a failed check is a result and never retried). */
export const SCENARIO_MAX_ATTEMPTS = 3;
const NON_RETRYABLE = [...NON_RETRYABLE_SCENARIO_ERRORS];
/** Slack on top of the longest scenario timeout (process kill grace, suite load, candidate checks). */
const ATTEMPT_SLACK_MS = 60_000;

const planActs = proxyActivities<ScenarioActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Evaluates a suite against a candidate; throws EVAL_FAILURE on digest mismatch, empty suite or any errored scenario. */
export async function evaluateSuite(input: EvaluateInput): Promise<EvaluationSummary> {
  let plan: SuitePlan;
  try {
    plan = await planActs.suitePlan({ suite: input.suite, expectedDigest: input.expectedDigest, mustPass: input.passBar?.must_pass ?? [] });
  } catch (err) {
    throw asEvalFailure(err) ?? err;
  }
  if (plan.count === 0) throw evalFailure([`suite ${plan.id}@${plan.version} has no scenarios: an empty suite can never approve`]);

  const runActs = proxyActivities<ScenarioActivities>({
    startToCloseTimeout: plan.maxTimeoutMs + ATTEMPT_SLACK_MS,
    heartbeatTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: SCENARIO_MAX_ATTEMPTS, nonRetryableErrorTypes: NON_RETRYABLE },
  });
  const results: ScenarioResult[] = new Array<ScenarioResult>(plan.count);
  const evalCauses: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < plan.count && evalCauses.length === 0) {
      const index = next++;
      try {
        results[index] = await runActs.runScenario({
          suite: input.suite,
          expectedDigest: input.expectedDigest,
          index,
          candidate: input.candidate,
          provider: input.provider,
        });
      } catch (err) {
        if (isCancellation(err)) throw err;
        const decoded = decodeFailure(err);
        if (decoded?.domain === FailureDomain.eval) evalCauses.push(...decoded.causes);
        else results[index] = { status: 'error', signature: failureSignature('error', 'infrastructure', errorMessage(err)) };
      }
    }
  };
  const lanes = Math.max(1, Math.min(input.maxParallel ?? DEFAULT_MAX_PARALLEL, plan.count));
  await Promise.all(Array.from({ length: lanes }, () => lane()));
  if (evalCauses.length) throw evalFailure([...new Set(evalCauses)]);

  const summary = summarize(plan, results, input.passBar);
  if (summary.errored > 0) {
    const errors = summary.signatures.filter((s) => s.kind === 'error').map((s) => `${s.signature} x${s.count}`);
    throw evalFailure(
      [`${summary.errored} of ${summary.total} scenarios errored (infrastructure failure after ${SCENARIO_MAX_ATTEMPTS} attempts; signatures ${errors.join(', ')}); see the scenario worker's log`],
      summary,
    );
  }
  return summary;
}

/** The workflow's own EVAL_FAILURE (non-retryable, causes and optional summary in details[0]). */
function evalFailure(causes: string[], summary?: EvaluationSummary): ApplicationFailure {
  return domainFailure(FailureDomain.eval, listedMessage('evaluation', causes), causes, summary ? { summary } : {});
}

/** An activity's EVAL_FAILURE re-raised as this workflow's, or undefined for other errors. */
function asEvalFailure(err: unknown): ApplicationFailure | undefined {
  const decoded = decodeFailure(err);
  return decoded?.domain === FailureDomain.eval ? evalFailure(decoded.causes) : undefined;
}
