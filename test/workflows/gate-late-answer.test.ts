// Issue 24 item 2: an answer that arrives after a gate's deadline never wins, even when no worker was up at
// the deadline and the signal and the fired timer reach the workflow in one activation (signals run first).
import { createActivities } from '../../activities';
import { createDefaultHandlers } from '../../activities/handlers';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { answerGateUpdate, approveSignal, gatesQuery, statusQuery } from '../../workflows/messages';
import { createTestWorker } from '../helpers/temporal';
import { allEvents, eventually, pipelineYaml, settle, sleep, startedNodes, startRun, testProfileYaml, typesOf, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();

const gated = pipelineYaml(
  'late',
  ['{ id: review, type: wait.human, prompt: "Ship it?" }', '{ id: ship, type: tool, tool_command: "echo shipped" }', '{ id: escalate, type: tool, tool_command: "echo escalated" }'],
  [
    '{ from: start, to: review }',
    '{ from: review, to: ship, label: "[A] Approve" }',
    '{ from: review, to: escalate, condition: "outcome=fail" }',
    '{ from: ship, to: exit }',
    '{ from: escalate, to: exit }',
  ],
);

describe('a gate answer after the deadline', () => {
  it('is refused and recorded, and the timeout route is taken once, when the answer is signalled (or sent by update) while no worker runs', async () => {
    const ws = workspace(gated, {
      profile: testProfileYaml().replace('human_gate: { timeout: 1h, on_timeout: default_choice, allow_self_approval: true }', 'human_gate: { timeout: 4s, on_timeout: fail, allow_self_approval: true }'),
    });
    const activities = createActivities({ handlers: createDefaultHandlers(), registryRoot: ws.dir, heartbeatIntervalMs: 200 });
    const first = await createTestWorker({ connection: env.nativeConnection, workflowBundle: env.workflowBundle, activities });
    const handle = await startRun(env.client, first.taskQueue, ws, { registryRoot: ws.dir });
    // the gate is open; then no worker runs past its deadline
    const deadline = await first.worker.runUntil(
      eventually(async () => {
        const s = await handle.query(statusQuery);
        if (s.status !== 'awaiting_human') return undefined;
        const gate = (await handle.query(gatesQuery)).find((g) => g.id === 'review');
        return gate?.deadline;
      }, 60_000),
    );
    expect(deadline).toBeDefined();
    while (Date.now() <= Date.parse(deadline as string) + 1000) await sleep(250);
    await handle.signal(approveSignal, { by: 'alice', comment: 'late' });
    // the same late answer by update: admitted only to be refused and recorded; the caller gets the reason
    const update = handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'bob' }] }).then(
      () => undefined,
      (err: unknown) => err,
    );

    const second = await createTestWorker({ connection: env.nativeConnection, workflowBundle: env.workflowBundle, activities, taskQueue: first.taskQueue });
    const settled = await second.worker.runUntil(async () => {
      const refusedUpdate = await update;
      expect(refusedUpdate).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((refusedUpdate as WorkflowUpdateFailedError).cause?.message)).toMatch(/passed its deadline .*\(late answer\)/);
      const s = await settle(handle);
      // queries need a worker: read the events before this one stops
      return { s, events: await allEvents(handle) };
    });

    const { s, events } = settled;
    expect(s.ok).toBe(true);
    expect(startedNodes(events)).toEqual(['start', 'review', 'escalate']);
    const types = typesOf(events);
    expect(types.filter((t) => t === 'gate.timed_out')).toHaveLength(1);
    expect(types).not.toContain('gate.answered');
    expect(types).not.toContain('run.resumed');
    const refused = events.filter((e) => e.type === 'gate.answer_rejected');
    expect(refused).toHaveLength(2);
    expect(refused.find((e) => e.data['via'] === 'signal')?.data).toMatchObject({ kind: 'approve', gate: 'review', by: 'alice', late: true });
    expect(refused.find((e) => e.data['via'] === 'update')?.data).toMatchObject({ kind: 'approve', gate: 'review', by: 'bob', late: true });
    expect(String(refused[0]?.data['reason'])).toContain('deadline');
    expect(events.filter((e) => e.type === 'gate.closed')).toHaveLength(1);
    expect(events.find((e) => e.type === 'gate.closed')?.data).toMatchObject({ gate: 'review', via: 'timeout' });
  }, 180_000);
});
