// Client calls that wait on a pipeline worker (updates, queries) get a deadline and, when it passes, a
// message that says what they waited for; a lost Temporal server is told apart from a missing worker.
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError, type WorkflowHandle } from '@temporalio/client';
import { EXPIRES_AT_FIELD } from '../core/command-expiry';
import { formatDuration } from '../core/durations';
import { DEFAULT_WORKER_WAIT_MS, NoWorkerError, noWorkerMessage, ServerUnavailableError, workerWaitMs } from './worker-errors';

export { DEFAULT_WORKER_WAIT_MS, NoWorkerError, ServerUnavailableError, workerWaitMs };

/** gRPC status of a client error (a ServiceError's cause carries it). */
function grpcCode(err: unknown): number | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'number' ? cause.code : undefined;
}

/** Whether the error says the server itself is unreachable (connection refused or lost), not that a call timed out. */
export function isServerUnavailable(err: unknown): boolean {
  return err instanceof ServerUnavailableError || (err instanceof ServiceError && grpcCode(err) === 14);
}

/** After a call failed: whether the server still answers a describe (a lost server fails it, unreachable or timed out). */
export async function serverLost(handle: WorkflowHandle): Promise<boolean> {
  return handle.client.connection
    .withDeadline(Date.now() + 5000, () => handle.describe())
    .then(
      () => false,
      (err: unknown) => isServerUnavailable(err) || isDeadline(err),
    );
}

/** Whether a call ended because its deadline passed (or it was cancelled by it). */
function isDeadline(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const code = grpcCode(err);
  return err instanceof ServiceError && (code === 4 || code === 1);
}

/**
 * Runs `call` (an update or query on `handle`'s workflow) with a deadline `ms` from now. Past it: a NoWorkerError
 * naming the task queue the workflow waits on and what was waited for; a lost server: ServerUnavailableError.
 */
export async function withWorkerDeadline<T>(handle: WorkflowHandle, what: string, ms: number, call: () => Promise<T>): Promise<T> {
  const connection = handle.client.connection;
  try {
    return await connection.withDeadline(Date.now() + ms, call);
  } catch (err) {
    if (isServerUnavailable(err)) throw new ServerUnavailableError(`lost the Temporal server while waiting for ${what} (${errorText(err)})`);
    if (!isDeadline(err)) throw err;
    if (await serverLost(handle)) throw new ServerUnavailableError(`lost the Temporal server while waiting for ${what}`);
    const queue = await connection
      .withDeadline(Date.now() + 5000, () => handle.describe())
      .then((d) => d.taskQueue, () => undefined);
    throw new NoWorkerError(noWorkerMessage(what, queue, formatDuration(ms)));
  }
}

function errorText(err: unknown): string {
  const e = err as { cause?: { details?: unknown }; message?: unknown };
  return String(e.cause?.details ?? e.message ?? err);
}

/**
 * An update's argument stamped with when this client stops waiting: a worker that takes it later finds it
 * stale and refuses it (core/command-expiry), so a command the operator gave up on is never applied.
 */
export function expiringArgs<T extends object>(input: T, waitMs: number, now = Date.now()): T {
  return { ...input, [EXPIRES_AT_FIELD]: new Date(now + waitMs).toISOString() };
}
