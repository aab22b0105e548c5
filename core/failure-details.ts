// A domain failure's details[0] read back into the run's failure: shared by core/failures (SDK failures)
// and the CLI's HTTP read (proto JSON, client/http-api.ts), so neither needs the other's decoding.
import { FailureDomain, RECOVERY_RULES, type RunFailure } from './run-model';

/** Every failure domain's name (a failure's `type`). */
export const FAILURE_DOMAINS: ReadonlySet<string> = new Set<string>(Object.values(FailureDomain));

/**
 * The run failure a domain failure carries: its details[0] (`d`, possibly partial or absent), else the
 * failure's own message (failures recorded before details carried `message` keep the full text) and the
 * domain's recovery rule.
 */
export function runFailureFromDetails(domain: FailureDomain, d: Partial<RunFailure> | undefined, failureMessage: string): RunFailure {
  const details = d ?? {};
  const message = typeof details.message === 'string' ? details.message : failureMessage;
  return {
    domain,
    message,
    causes: Array.isArray(details.causes) ? details.causes.map(String) : [message],
    recovery: typeof details.recovery === 'string' ? details.recovery : RECOVERY_RULES[domain],
    ...(typeof details.node === 'string' ? { node: details.node } : {}),
  };
}
