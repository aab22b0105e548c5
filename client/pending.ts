// What `factory status`, the live view and the progress lines say about pending activities and stages
// between retry attempts: plain data and formatting, no Temporal SDK (the light `status` path loads this).
import type { RunEvent } from '../core/run-model';

/** One pending activity, as describe shows it. */
export interface PendingView {
  activityId: string;
  type: string;
  state: 'scheduled' | 'started' | 'cancel_requested' | 'paused' | 'unknown';
  attempt: number;
  /** 0 = unlimited. */
  maximumAttempts: number;
  lastFailure?: string;
  /** Epoch ms of the next attempt, when the activity is waiting to be retried. */
  nextRetryAt?: number;
  lastStartedAt?: number;
}

/** True when an activity has failed at least once and waits for (or runs) another attempt. */
export function isRetrying(p: PendingView): boolean {
  return p.attempt > 1 || p.lastFailure !== undefined;
}

/** `executeStage (activity 7): attempt 3/5, last failure: boom, next retry in 4s`. */
export function formatPending(p: PendingView, now: number): string {
  const attempts = `attempt ${p.attempt}${p.maximumAttempts ? `/${p.maximumAttempts}` : ''}`;
  const failure = p.lastFailure ? `, last failure: ${oneLine(p.lastFailure)}` : '';
  const next = p.nextRetryAt && p.nextRetryAt > now ? `, next retry in ${duration(p.nextRetryAt - now)}` : p.state === 'started' ? ', running' : `, ${p.state}`;
  return `${p.type} (activity ${p.activityId}): ${attempts}${failure}${next}${isRetrying(p) ? ' — retrying' : ''}`;
}

/** A stage between attempts of the workflow's retry loop (a `stage.retrying` event not yet followed by its end). */
export interface StageRetry {
  node: string;
  attempt: number;
  maxAttempts: number;
  reason: string;
  /** Epoch ms when the next attempt starts (event time + next_delay_ms). */
  nextAt: number;
}

/** Stages whose last event is `stage.retrying`, from a run's recent events. */
export function retryingStages(events: readonly RunEvent[]): StageRetry[] {
  const open = new Map<string, StageRetry>();
  for (const e of events) {
    const node = String(e.data['node'] ?? '');
    if (e.type === 'stage.retrying') {
      open.set(node, {
        node,
        attempt: Number(e.data['attempt'] ?? 0),
        maxAttempts: Number(e.data['max_attempts'] ?? 0),
        reason: String(e.data['reason'] ?? ''),
        nextAt: (Date.parse(e.at) || 0) + Number(e.data['next_delay_ms'] ?? 0),
      });
    } else if (e.type === 'stage.completed' || e.type === 'stage.failed' || e.type === 'run.completed' || e.type === 'run.failed') {
      if (e.type.startsWith('run.')) open.clear();
      else open.delete(node);
    }
  }
  return [...open.values()];
}

/** `stage build is retrying: attempt 1 of 3 failed (exit code 3); next attempt in 4m59s`. */
export function formatStageRetry(r: StageRetry, now: number): string {
  const next = r.nextAt > now ? `next attempt in ${duration(r.nextAt - now)}` : 'next attempt due now';
  return `stage ${r.node} is retrying: attempt ${r.attempt} of ${r.maxAttempts} failed (${oneLine(r.reason)}); ${next}`;
}

/**
 * What is stuck, for `factory status`: each pending activity with attempt, last failure and next retry,
 * and a line naming the current stage when its activity is retrying.
 */
export function pendingLines(env: { currentNode?: string; stages?: Record<string, { status?: string }> }, pending: readonly PendingView[], now: number): string[] {
  if (pending.length === 0) return [];
  const lines = ['  pending activities:', ...pending.map((p) => `    ${formatPending(p, now)}`)];
  const stage = pending.find((p) => p.type === 'executeStage' && isRetrying(p));
  if (stage && env.currentNode) lines.push(`  stage ${env.currentNode} is retrying: attempt ${stage.attempt}${stage.maximumAttempts ? ` of ${stage.maximumAttempts}` : ''}`);
  return lines;
}

/** `1m05s`, `42s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** `[######--------------] 3/10`; an unknown total shows the count only. */
export function progressBar(done: number, total: number, width = 20): string {
  if (!(total > 0)) return `${done} done`;
  const filled = Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
