// Replay-stable record times: a local activity that outlasts the workflow task timeout makes the SDK
// "heartbeat" the task, so the original execution sees its result in a later task (a later workflow time)
// than a replay does. Events stamped with the workflow time then differed between events.jsonl (the
// original) and the events query of a replay (the 200-gate drill showed it under load). After a local
// activity, records carry the activity's own finish time until the workflow's time moves on.
import { join } from 'node:path';
import { approveSignal, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import type { RunInput } from '../../workflows/types';
import type { WorkflowHandle } from '@temporalio/client';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, sleep, useRunEnv, workspace, type Workspace } from '../helpers/runs';
import { uniqueId } from '../helpers/temporal';

const env = useRunEnv();

beforeAll(() => {
  env.register('test.slow', {
    async execute() {
      await sleep(1_800); // past 80% of the 1 s workflow task timeout: the SDK heartbeats the task
      return { status: 'success', context_updates: { slow: 'done' } };
    },
  });
});

/** A run whose workflow tasks time out after 1 s (so a slow local activity spans task heartbeats). */
async function startShortTasks(ws: Workspace): Promise<WorkflowHandle<typeof runPipeline>> {
  const runId = uniqueId('clock');
  const input: RunInput = { runId, pipeline: { file: ws.pipeline }, profile: { file: ws.profile }, runRoot: join(ws.dir, 'runs'), startedBy: 'tester', registryRoot: ws.dir };
  return env.client.workflow.start('runPipeline', { taskQueue: env.taskQueue, workflowId: runId, workflowTaskTimeout: '1s', args: [input] }) as Promise<WorkflowHandle<typeof runPipeline>>;
}

describe('record times', () => {
  it('keeps the events query of a replayed run equal to events.jsonl when a local stage outlasts the workflow task timeout', async () => {
    const ws = workspace(
      pipelineYaml(
        'clock',
        ['{ id: slow, type: test.slow, activity: local }', '{ id: review, type: wait.human, human: { timeout: 1h } }', '{ id: after, type: test.slow, activity: local }'],
        ['{ from: start, to: slow }', '{ from: slow, to: review }', '{ from: review, to: after, label: "[A] Approve" }', '{ from: after, to: exit }'],
      ),
    );
    const handle = await startShortTasks(ws);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human', 60_000, 200);
    await handle.signal(approveSignal, { gate: 'review', by: 'alice' });
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');

    // the slow local stages really spanned task heartbeats: more completed workflow tasks than markers alone need
    const history = await handle.fetchHistory();
    const types = (history.events ?? []).map((e) => String(e.eventType));
    const heartbeats = types.filter((t, i) => t === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED' || t === '7').length;
    expect(heartbeats).toBeGreaterThanOrEqual(6);

    // a completed workflow answers queries by replaying its history from the start
    const replayed = await allEvents(handle);
    expectGapless(replayed);
    expect(replayed).toEqual(readEvents(result.runDir as string));
    // the gate's deadline (derived from the time it opened, right after a slow local stage) is the same too
    const opened = replayed.find((e) => e.type === 'run.awaiting_human');
    expect(opened?.data['deadline']).toEqual(expect.any(String));
  }, 120_000);
});
