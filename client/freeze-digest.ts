// Where `factory verify` finds the freeze digest it checks a run directory against: the result of the
// run's finalizeRun activity, as the Temporal server recorded it in the workflow history. The run
// directory cannot vouch for itself (whoever rewrites a file can rewrite its manifest); the history can.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

/** The freezeDigest the run's own finalizeRun returned, from the history of `workflowId` (latest run); undefined when it never finalized. */
export async function recordedFreezeDigest(client: Client, workflowId: string): Promise<string | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const finalizeIds = new Set<string>();
  let digest: string | undefined;
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'finalizeRun' && e.eventId != null) finalizeIds.add(String(e.eventId));
    const done = e.activityTaskCompletedEventAttributes;
    if (done && finalizeIds.has(String(done.scheduledEventId))) {
      const payload = done.result?.payloads?.[0];
      const value = payload ? (defaultPayloadConverter.fromPayload(payload) as { freezeDigest?: unknown }) : undefined;
      if (typeof value?.freezeDigest === 'string') digest = value.freezeDigest;
    }
  }
  return digest;
}
