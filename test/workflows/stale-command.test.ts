// A command the operator abandoned is never applied (issue 24 item 2): `factory approve` with no worker
// gives up after FACTORY_WORKER_TIMEOUT (exit 75); when a worker comes back, the update Temporal kept
// admitted reaches the workflow after its expiresAt and is refused as stale, so the gate stays open.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ExitCode } from '../../client/context';
import { answerGateUpdate, eventsQuery, gatesQuery, statusQuery } from '../../workflows/messages';
import { eventually, pipelineYaml, startRun, testActivities, useRunEnv, workspace } from '../helpers/runs';
import { createTestWorker, testTemporalEnv, uniqueId } from '../helpers/temporal';
import { runCli } from '../client/run-cli';

const env = useRunEnv();
const gated = pipelineYaml('stale', ['{ id: review, type: wait.human }'], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }']);

describe('stale operator commands', () => {
  it('refuses an update whose expiresAt has passed before its validator runs, leaving the gate open', async () => {
    const ws = workspace(gated);
    const handle = await env.start(ws);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human');
    const stale = handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'alice', expiresAt: '2020-01-01T00:00:00.000Z' } as never] });
    await expect(stale).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(stale.catch((e: WorkflowUpdateFailedError) => Promise.reject(new Error(e.cause?.message)))).rejects.toThrow(/^stale command: it expired at 2020-01-01T00:00:00.000Z/);
    expect((await handle.query(gatesQuery)).find((g) => g.id === 'review')).toMatchObject({ closed: false, answers: [] });
    const fresh = await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'alice', expiresAt: new Date(Date.now() + 600_000).toISOString() } as never] });
    expect(fresh).toMatchObject({ closed: true });
    expect((await handle.result()).outcome).toBe('succeeded');
  });

  it('never applies an approve the CLI gave up on when the worker comes back later', async () => {
    const ws = workspace(gated);
    const taskQueue = uniqueId('stale');
    const activities = testActivities(ws);
    const first = await createTestWorker({ connection: env.nativeConnection, workflowBundle: env.workflowBundle, activities, taskQueue });
    const handle = await first.worker.runUntil(async () => {
      const h = await startRun(env.client, taskQueue, ws, { registryRoot: ws.dir });
      await eventually(async () => (await h.query(statusQuery)).status === 'awaiting_human');
      return h;
    });

    const r = await runCli(['approve', handle.workflowId, '--by', 'alice', '--address', testTemporalEnv().address], ws.dir, { FACTORY_WORKER_TIMEOUT: '1s' });
    expect(r.code).toBe(ExitCode.noWorker);

    const second = await createTestWorker({ connection: env.nativeConnection, workflowBundle: env.workflowBundle, activities, taskQueue });
    await second.worker.runUntil(async () => {
      // the admitted update (if the server kept it) is delivered with the next workflow task and refused
      const gate = async () => (await handle.query(gatesQuery)).find((g) => g.id === 'review');
      expect(await gate()).toMatchObject({ closed: false, answers: [] });
      await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'bob' }] });
      const result = await handle.result();
      expect(result.outcome).toBe('succeeded');
      const answered = (await handle.query(eventsQuery, { after: 0, limit: 1000 })).filter((e) => e.type === 'gate.answered').map((e) => e.data['by']);
      expect(answered).toEqual(['bob']);
    });
  });
});
