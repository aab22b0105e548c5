// The two ways a client call that waits on a worker ends without an answer, in a module of their own so
// the light `status` path (HTTP, no Temporal SDK) throws the same classes cli.ts maps to exit codes.
import { parseDuration } from '../core/durations';

/** How long a command waits for a worker to take an update or answer a query, unless FACTORY_WORKER_TIMEOUT says otherwise. */
export const DEFAULT_WORKER_WAIT_MS = 30_000;

/** The wait from FACTORY_WORKER_TIMEOUT (`30s`, `2m`, `500ms`), else the default; a bad value is an error naming it. */
export function workerWaitMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.FACTORY_WORKER_TIMEOUT;
  if (raw === undefined || raw === '') return DEFAULT_WORKER_WAIT_MS;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) throw new Error(`FACTORY_WORKER_TIMEOUT must be a duration like 30s or 2m, got ${JSON.stringify(raw)}`);
  return ms;
}

/** A command waited its full deadline and no worker answered: exit ExitCode.noWorker; nothing was applied. */
export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
}

/** The Temporal server could not be reached (refused, gone mid-call): exit ExitCode.unavailable. */
export class ServerUnavailableError extends Error {
  override readonly name = 'ServerUnavailableError';
}

/** What a NoWorkerError says: what was waited for, on which task queue, how long, and what to do. */
export function noWorkerMessage(what: string, queue: string | undefined, waited: string): string {
  return `no pipeline worker answered ${what} on task queue ${queue ?? '(unknown)'} within ${waited}; start one (\`factory worker\`) or check the address`;
}
