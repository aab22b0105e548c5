// The errors module of the workflow side: what workflow code throws to end a run in a failure domain
// (one class per domain under RunFailedError), and how anything that ended a run becomes the run's
// failure and the workflow's typed ApplicationFailure. Decoding is core/failures.ts's, by type and details.

import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { decodeFailure, domainFailure, errorMessage } from '../core/failures';
import { type EventType, FailureDomain, type RunFailure } from '../core/run-model';

/** Thrown inside workflow code to end the run in a failure domain; caught by the run workflow. */
export abstract class RunFailedError extends Error {
  abstract readonly domain: FailureDomain;
  constructor(
    message: string,
    readonly causes: string[],
    readonly node?: string,
  ) {
    super(message);
  }
}

/** Boot could not complete (a spec, the profile or the suite manifest). */
export class BootFailedError extends RunFailedError {
  readonly domain = FailureDomain.boot;
  override readonly name = 'BootFailedError';
}

/** Traversal cannot go on: no route, an unsatisfied goal gate, an unknown node. */
export class ExecFailedError extends RunFailedError {
  readonly domain = FailureDomain.exec;
  override readonly name = 'ExecFailedError';
}

/** The holdout evaluation did not produce a result. */
export class EvalFailedError extends RunFailedError {
  readonly domain = FailureDomain.eval;
  override readonly name = 'EvalFailedError';
}

/**
 * finalizeRun gave up after the run's work ended (issue 24 item 6): FINALIZE_FAILURE with its own recovery
 * text (core/failures finalizeFailureOf), never an EXEC_FAILURE with advice to fix a stage.
 */
export class FinalizeFailedError extends RunFailedError {
  readonly domain = FailureDomain.finalize;
  override readonly name = 'FinalizeFailedError';
  constructor(
    message: string,
    causes: string[],
    node?: string,
    /** Puts an event in the seq the freeze's provisional run.completed held (RunState.provisional). */
    readonly fill?: (type: EventType, data: Record<string, unknown>) => void,
  ) {
    super(message, causes, node);
  }
}

/** Maps what ended the run to its failure, or undefined for errors that are not ours (they fail the task). */
export function runFailureOf(err: unknown): Omit<RunFailure, 'recovery'> | undefined {
  if (err instanceof RunFailedError) return { domain: err.domain, message: err.message, causes: err.causes, ...(err.node ? { node: err.node } : {}) };
  const decoded = decodeFailure(err);
  if (decoded) return { domain: decoded.domain, message: decoded.message, causes: decoded.causes, ...(decoded.node ? { node: decoded.node } : {}) };
  if (err instanceof ActivityFailure) {
    const message = errorMessage(err);
    return { domain: FailureDomain.exec, message, causes: [message] };
  }
  return undefined;
}

/** The run workflow's own failure: typed by domain, details = the envelope's RunFailure. */
export function workflowFailure(failure: RunFailure): ApplicationFailure {
  return domainFailure(failure.domain, failure.message, failure.causes, failure.node !== undefined ? { node: failure.node } : {});
}
