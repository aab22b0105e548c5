// Failures on the wire, one codec for every side (workflow, activities, client): a failure domain travels
// as an ApplicationFailure whose `type` is the domain and whose details[0] is a DomainFailureDetails
// (message without the domain prefix, every cause, the recovery rule). Decoding reads type and
// details, never the message text. Also the failure type names retry policies list.

import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';
import type { EvaluationSummary } from './evaluation';
import { FAILURE_DOMAINS, runFailureFromDetails } from './failure-details';
import { FailureDomain, RECOVERY_RULES, type RunFailure } from './run-model';

/** details[0] of every domain failure; `summary` only on an EVAL_FAILURE after every scenario ran. */
export interface DomainFailureDetails extends RunFailure {
  summary?: EvaluationSummary;
}

/** details[0] of a non-retryable stage failure: where it stopped. */
export interface StageFailureDetails {
  node: string;
  attempt: number;
}

/** Retryable failures executeStage throws for a FAIL / RETRY outcome while attempts remain. */
export const StageFailureType = { failed: 'STAGE_FAILED', retry: 'STAGE_RETRY' } as const;
export type StageFailureType = (typeof StageFailureType)[keyof typeof StageFailureType];

/** Error class names executeStage never retries: put them in the stage activity's nonRetryableErrorTypes. */
export const NON_RETRYABLE_STAGE_ERRORS: readonly string[] = ['ProviderRejectedError', 'StageConfigError'];

/** Failure types the evaluate workflow never retries (retrying cannot fix them). */
export const NON_RETRYABLE_SCENARIO_ERRORS: readonly string[] = [FailureDomain.eval, 'ScenarioConfigError', FailureDomain.boot];

/** Retryable failure flushRun throws when events would leave a hole in events.jsonl. */
export const EVENT_SEQ_GAP = 'EVENT_SEQ_GAP';

/** Non-retryable: the run directory no longer agrees with the run's own record (a line was edited or forged, another execution wrote it). */
export const RUN_DIR_DIVERGED = 'RUN_DIR_DIVERGED';

/** Non-retryable: the run directory (or its events.jsonl) was removed while the run was open; nothing is recreated. */
export const RUN_DIR_LOST = 'RUN_DIR_LOST';

const DOMAINS = FAILURE_DOMAINS;

/** "<what> failed with N problems:\n  - cause…" — the message of a failure that lists every cause. */
export function listedMessage(what: string, causes: readonly string[]): string {
  const n = causes.length;
  return `${what} failed with ${n} problem${n === 1 ? '' : 's'}:\n${causes.map((c) => `  - ${c}`).join('\n')}`;
}

/** The one constructor of a domain failure: non-retryable, typed, "<DOMAIN>: <message>\nrecovery: <rule>". */
export function domainFailure(
  domain: FailureDomain,
  message: string,
  causes: readonly string[],
  extra: { node?: string; summary?: EvaluationSummary } = {},
): ApplicationFailure {
  const recovery = RECOVERY_RULES[domain];
  const details: DomainFailureDetails = { domain, message, causes: [...causes], recovery, ...extra };
  return ApplicationFailure.create({ type: domain, nonRetryable: true, message: `${domain}: ${message}\nrecovery: ${recovery}`, details: [details] });
}

/**
 * The domain failure inside anything thrown (an ActivityFailure, a ChildWorkflowFailure, a workflow's
 * own ApplicationFailure, or a client's WorkflowFailedError), or undefined when none carries one.
 */
export function decodeFailure(err: unknown): DomainFailureDetails | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ApplicationFailure && e.type && DOMAINS.has(e.type)) return detailsOf(e, e.type as FailureDomain);
    if (!(e instanceof ActivityFailure || e instanceof ChildWorkflowFailure || e.name === 'WorkflowFailedError')) return undefined;
  }
  return undefined;
}

function detailsOf(failure: ApplicationFailure, domain: FailureDomain): DomainFailureDetails {
  const d = (failure.details?.[0] ?? {}) as Partial<DomainFailureDetails>;
  // failures recorded before details carried `message` (runs in flight across an upgrade) keep the full text
  return { ...runFailureFromDetails(domain, d, failure.message), ...(d.summary ? { summary: d.summary } : {}) };
}

/**
 * A failed freeze as the run's failure (issue 24 item 6): whatever finalizeRun threw after its retries (a
 * diverged or removed run directory, a full disk), as FINALIZE_FAILURE with its own recovery text, never
 * an EXEC_FAILURE with advice to fix a stage. Workflow code calls it where finalize fails.
 */
export function finalizeFailureOf(err: unknown, runDir: string): RunFailure {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type ? `${err.cause.type}: ${err.cause.message}` : errorMessage(err);
  return {
    domain: FailureDomain.finalize,
    message: `the run directory ${runDir} could not be frozen`,
    causes: [cause],
    recovery: RECOVERY_RULES[FailureDomain.finalize],
  };
}

/** Any thrown value's message, without a stack (for causes that are not domain failures). */
export function errorMessage(err: unknown): string {
  if (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) return err.cause?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}
