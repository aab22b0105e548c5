// Maps a failed run to what the CLI prints and exits with (SPEC §4: domain, cause, recovery; §6 exit codes).
import type { WorkflowFailedError } from '@temporalio/client';
import { decodeFailure } from '../core/failures';
import { FailureDomain, RECOVERY_RULES, type RunFailure } from '../core/run-model';
import { ExitCode } from './context';

/** The run failure carried by a failed workflow (type = domain, details[0] = RunFailure; core/failures decodes). */
export function failureOf(err: WorkflowFailedError): RunFailure {
  const decoded = decodeFailure(err);
  if (decoded) {
    const { summary: _s, ...failure } = decoded;
    return failure;
  }
  const message = err.cause?.message ?? err.message;
  return { domain: FailureDomain.exec, message, causes: [message], recovery: RECOVERY_RULES.EXEC_FAILURE };
}

/** The failure as the CLI prints it: domain, message, recovery. */
export function failureText(failure: RunFailure): string {
  return `${failure.domain}: ${failure.message}\nrecovery: ${failure.recovery}`;
}

/** BOOT_FAILURE is bad input (2); every other failed or rejected run is 1. */
export function exitCodeForFailure(domain: FailureDomain): ExitCode {
  return domain === FailureDomain.boot ? ExitCode.usage : ExitCode.failed;
}
