// Maps a failed run to what the CLI prints and exits with (SPEC §4: domain, cause, recovery; §6 exit codes).
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { FailureDomain, RECOVERY_RULES, type RunFailure } from '../core/run-model';
import { ExitCode } from './context';

const DOMAINS = new Set<string>(Object.values(FailureDomain));

/** The run failure carried by a failed workflow (type = domain, details[0] = RunFailure). */
export function failureOf(err: WorkflowFailedError): RunFailure {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type && DOMAINS.has(cause.type)) {
    const details = cause.details?.[0] as Partial<RunFailure> | undefined;
    const domain = cause.type as FailureDomain;
    return {
      domain,
      message: cause.message,
      causes: details?.causes ?? [cause.message],
      recovery: details?.recovery ?? RECOVERY_RULES[domain],
      ...(details?.node ? { node: details.node } : {}),
    };
  }
  const message = cause?.message ?? err.message;
  return { domain: FailureDomain.exec, message, causes: [message], recovery: RECOVERY_RULES.EXEC_FAILURE };
}

/** BOOT_FAILURE is bad input (2); every other failed or rejected run is 1. */
export function exitCodeForFailure(domain: FailureDomain): ExitCode {
  return domain === FailureDomain.boot ? ExitCode.usage : ExitCode.failed;
}
