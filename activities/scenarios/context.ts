// The bits of the Temporal activity context scenario code uses, tolerant of being called outside an
// activity (unit tests, the bench): logging, cancellation and a liveness heartbeat.

import { asyncLocalStorage } from '@temporalio/activity';

/** How often a running scenario heartbeats (the evaluate workflow's heartbeat timeout is longer). */
export const HEARTBEAT_EVERY_MS = 2000;

/** Logs on the scenario worker (never returned to the pipeline side); nothing outside an activity. */
export function scenarioLog(level: 'info' | 'warn' | 'error', message: string, meta: Record<string, unknown> = {}): void {
  asyncLocalStorage.getStore()?.log[level](message, meta);
}

/** The activity's cancellation signal, or one that never fires outside an activity. */
export function cancellationSignal(): AbortSignal {
  return asyncLocalStorage.getStore()?.cancellationSignal ?? new AbortController().signal;
}

/** Heartbeats every HEARTBEAT_EVERY_MS until the returned stop function is called. */
export function keepAlive(): () => void {
  const ctx = asyncLocalStorage.getStore();
  if (!ctx) return () => undefined;
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
