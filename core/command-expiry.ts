// Operator commands that expire (issue 24 item 2): `factory approve|reject|answer|decide` sends the time it
// stops waiting as `expiresAt`. Temporal keeps an update the server admitted until a worker takes it, even
// after the client gave up; a command that reaches the workflow after its expiry was abandoned and must be
// refused, not applied. Pure: the update validators call it with workflow time (Date.now() in workflow code
// is the workflow task's start time), which validators never replay.

/** The field a command carries: an ISO-8601 instant after which it must not be applied. */
export const EXPIRES_AT_FIELD = 'expiresAt';

/** Why a command is stale at `nowMs` (undefined while it is fresh, or when it carries no expiry: older clients, signals). */
export function commandExpired(input: unknown, nowMs: number): string | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  const raw = (input as Record<string, unknown>)[EXPIRES_AT_FIELD];
  if (raw === undefined) return undefined;
  const at = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(at)) return `malformed command: "${EXPIRES_AT_FIELD}" must be an ISO-8601 time`;
  if (nowMs <= at) return undefined;
  return `stale command: it expired at ${new Date(at).toISOString()} (the client that sent it stopped waiting for a worker); nothing was applied, send it again`;
}
