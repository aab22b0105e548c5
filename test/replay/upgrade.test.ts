// Upgrades never break runs parked at gates (docs/upgrading.md): a run parks at a human gate on an
// unversioned release's workflow bundle (r1–r3 in test/fixtures/bundles/, r4 in workers/legacy/), that
// worker stops, the first versioned pipeline worker starts on the same task queue (it pins the run to the
// legacy version and drains it on r4's frozen bundle), the gate is approved, and the run completes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDefaultHandlers } from '../../activities/handlers';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { createPipelineWorker } from '../../workers/pipeline';
import { LEGACY_BUILD_ID } from '../../workers/legacy';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { RELEASES as releases, releaseBundle, releaseDir, useUpgradeEnv } from './upgrade-env';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, scriptHandler, startRun, testActivities, workspace } from '../helpers/runs';

const env = useUpgradeEnv();

/** Rejects with the failure message of the first WorkflowTaskFailed event in the history (polls). */
async function firstTaskFailure(
  handle: { fetchHistory(): Promise<{ events?: ({ workflowTaskFailedEventAttributes?: { failure?: { message?: string | null } | null } | null } | null)[] | null }> },
  done: { settled: boolean },
): Promise<void> {
  while (!done.settled) {
    const history = await handle.fetchHistory();
    const failed = history.events?.find((e) => e?.workflowTaskFailedEventAttributes);
    if (failed) throw new Error(`workflow task failed on the new worker: ${failed.workflowTaskFailedEventAttributes?.failure?.message ?? '?'}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const gated = pipelineYaml(
  'upgrade',
  ['{ id: build, type: test.script }', '{ id: review, type: wait.human, prompt: "Ship it?" }', '{ id: ship, type: test.script }'],
  ['{ from: start, to: build }', '{ from: build, to: review }', '{ from: review, to: ship, label: "[A] Approve" }', '{ from: review, to: exit, label: "[R] Reject" }', '{ from: ship, to: exit }'],
);

describe('upgrade of a worker while a run waits at a gate', () => {
  it('has every unversioned release bundle committed when the repository is cloned', () => {
    expect(releases).toEqual(expect.arrayContaining(['r1-48b29ba', 'r4-dd51da6']));
    for (const r of releases) expect(JSON.parse(readFileSync(join(releaseDir(r), 'VERSION.json'), 'utf8'))).toMatchObject({ commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  test.each(releases)('completes on the legacy version when the run was parked at a gate by release %s', async (release) => {
    const script = scriptHandler();
    const ws = workspace(gated);
    const taskQueue = uniqueId('upgrade');

    const old = await env.worker(releaseBundle(release), taskQueue, testActivities(ws, { 'test.script': script.handler }));
    const handle = await old.runUntil(async () => {
      const h = await startRun(env.client, taskQueue, ws);
      await eventually(async () => {
        const s = await h.query(statusQuery);
        return s.status === 'awaiting_human' && s.openGates.includes('review');
      }, 30_000);
      return h;
    });
    expect(old.getState()).toBe('STOPPED');

    const handlers = createDefaultHandlers();
    handlers.register('test.script', script.handler);
    const next = await createPipelineWorker({ connection: env.native, namespace: testTemporalEnv().namespace, taskQueue, registryRoot: ws.dir, handlers, workflowBundle: env.current });
    expect(next.drainingLegacy).toBe(true);
    const running = next.run();
    try {
      await next.ready();
      const described = await handle.describe();
      expect(described.raw.workflowExecutionInfo?.versioningInfo?.versioningOverride?.pinned?.version?.buildId).toBe(LEGACY_BUILD_ID);
      await handle.signal(approveSignal, { gate: 'review', by: 'upgrader' });
      // a nondeterminism error fails workflow tasks forever: fail the test at the first one instead
      const done = { settled: false };
      const result = await Promise.race([handle.result(), firstTaskFailure(handle, done).then(() => handle.result())]).finally(() => (done.settled = true));
      const events = await allEvents(handle);
      expect(result.outcome).toBe('succeeded');
      expect(script.calls.map((c) => c.node)).toEqual(['build', 'ship']);
      expectGapless(events);
      expect(readEvents(result.runDir as string)).toEqual(events);
      expect(events.find((e) => e.type === 'gate.answered')?.data).toMatchObject({ gate: 'review', by: 'upgrader' });

      // a run started now runs on this release's code, pinned to its version
      const fresh = await startRun(env.client, taskQueue, ws);
      await eventually(async () => (await fresh.query(statusQuery)).status === 'awaiting_human', 30_000);
      expect((await fresh.describe()).raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId).toBe(next.version.buildId);
      await fresh.terminate('test done');
    } finally {
      next.shutdown();
      await running;
    }
  }, 180_000);
});
