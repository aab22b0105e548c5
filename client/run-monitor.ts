// What the server knows beyond the run's events: pending activities (attempt, last failure, next
// retry) from describe, and holdout progress (scenarios done) from the evaluation child's history.
// Read-only; used by `factory status`, the live view and the plain progress lines.
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { RunEvent } from '../core/run-model';
import { WORKFLOW_TYPES } from '../core/temporal-names';
import { agentProgressOf, type AgentProgress } from './agent-progress';

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

/** One look at a run: what is pending and, while evaluating, how many scenarios are done. */
export interface MonitorSnapshot {
  pending: PendingView[];
  /** Agent turns and tool calls of running stages (their throttled heartbeats). */
  agents?: AgentProgress[];
  evaluation?: { done: number; scheduled: number };
}

const STATES: Record<number, PendingView['state']> = { 1: 'scheduled', 2: 'started', 3: 'cancel_requested', 4: 'paused' };
/** The scenario activity of the evaluation child workflow (workflows/evaluate.ts). */
const SCENARIO_ACTIVITY = 'runScenario';

/** Pending activities of a described workflow. */
export function pendingActivities(desc: WorkflowExecutionDescription): PendingView[] {
  return (desc.raw.pendingActivities ?? []).map((p) => {
    const next = optionalTsToMs(p.nextAttemptScheduleTime);
    const started = optionalTsToMs(p.lastStartedTime);
    return {
      activityId: p.activityId ?? '?',
      type: p.activityType?.name ?? '?',
      state: STATES[Number(p.state ?? 0)] ?? 'unknown',
      attempt: p.attempt ?? 1,
      maximumAttempts: p.maximumAttempts ?? 0,
      ...(p.lastFailure?.message ? { lastFailure: p.lastFailure.message } : {}),
      ...(next ? { nextRetryAt: next } : {}),
      ...(started ? { lastStartedAt: started } : {}),
    };
  });
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

/** Describes the run (and its evaluation child while one is pending); undefined when the server cannot say. */
export async function snapshot(client: Client, workflowId: string): Promise<MonitorSnapshot | undefined> {
  let desc: WorkflowExecutionDescription;
  try {
    desc = await client.workflow.getHandle(workflowId).describe();
  } catch {
    return undefined;
  }
  const pending = pendingActivities(desc);
  const agents = agentProgressOf(desc);
  const child = (desc.raw.pendingChildren ?? []).find((c) => c.workflowTypeName === WORKFLOW_TYPES.evaluate && c.workflowId);
  if (!child?.workflowId) return { pending, agents };
  const evaluation = await scenarioProgress(client, child.workflowId).catch(() => undefined);
  const childPending = await client.workflow
    .getHandle(child.workflowId)
    .describe()
    .then(pendingActivities, () => []);
  // holdout isolation: a scenario attempt's failure text stays on the scenario side; attempts and timing only
  const scenarioRetries = childPending.filter(isRetrying).map(({ lastFailure: _hidden, ...p }) => p);
  return { pending: [...pending, ...scenarioRetries], agents, ...(evaluation ? { evaluation } : {}) };
}

/** Scenario activities scheduled and finished (completed, failed or timed out after their retries) in the child's history. */
export async function scenarioProgress(client: Client, childWorkflowId: string): Promise<{ done: number; scheduled: number }> {
  const history = await client.workflow.getHandle(childWorkflowId).fetchHistory();
  const scenarioIds = new Set<string>();
  let done = 0;
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === SCENARIO_ACTIVITY) scenarioIds.add(String(e.eventId));
    const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (closed && scenarioIds.has(String(closed.scheduledEventId))) done += 1;
  }
  return { done, scheduled: scenarioIds.size };
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
