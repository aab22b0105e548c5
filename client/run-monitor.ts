// What the server knows beyond the run's events: pending activities (attempt, last failure, next
// retry) from describe, and holdout progress (scenarios done) from the evaluation child's history.
// Read-only; used by `factory status`, the live view and the plain progress lines.
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { WORKFLOW_TYPES } from '../core/temporal-names';
import { agentProgressOf, type AgentProgress } from './agent-progress';
import { isRetrying, type PendingView } from './pending';

export { duration, formatPending, formatStageRetry, isRetrying, pendingLines, progressBar, retryingStages, type PendingView, type StageRetry } from './pending';

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
