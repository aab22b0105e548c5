// Upgrades never break runs parked at gates (docs/upgrading.md): a run parks at a human gate on the
// PREVIOUS release's workflow bundle (test/fixtures/bundles/, built from git by scripts/build-release-bundle.ts),
// that worker is replaced by one running the current bundle, the gate is approved, and the run completes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { uniqueId } from '../helpers/temporal';
import { BUNDLES, RELEASES as releases, releaseBundle, useUpgradeEnv, type AnyBundle } from './upgrade-env';
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
  it('has the previous release bundle committed when the repository is cloned', () => {
    expect(releases.length).toBeGreaterThan(0);
    for (const r of releases) expect(JSON.parse(readFileSync(join(BUNDLES, r, 'VERSION.json'), 'utf8'))).toMatchObject({ commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  test.each(releases)('completes on the current worker when the run was parked at a gate by release %s', async (release) => {
    const script = scriptHandler();
    const ws = workspace(gated);
    const activities = testActivities(ws, { 'test.script': script.handler });
    const taskQueue = uniqueId('upgrade');
    const worker = (bundle: AnyBundle) => env.worker(bundle, taskQueue, activities);

    const old = await worker(releaseBundle(release));
    const handle = await old.runUntil(async () => {
      const h = await startRun(env.client, taskQueue, ws);
      await eventually(async () => {
        const s = await h.query(statusQuery);
        return s.status === 'awaiting_human' && s.openGates.includes('review');
      }, 30_000);
      return h;
    });
    expect(old.getState()).toBe('STOPPED');

    const next = await worker(env.current);
    const [result, events] = await next.runUntil(async () => {
      await handle.signal(approveSignal, { gate: 'review', by: 'upgrader' });
      // a nondeterminism error fails workflow tasks forever: fail the test at the first one instead
      const done = { settled: false };
      const r = await Promise.race([handle.result(), firstTaskFailure(handle, done).then(() => handle.result())]).finally(() => (done.settled = true));
      return [r, await allEvents(handle)] as const;
    });
    expect(result.outcome).toBe('succeeded');
    expect(script.calls.map((c) => c.node)).toEqual(['build', 'ship']);
    expectGapless(events);
    expect(readEvents(result.runDir as string)).toEqual(events);
    expect(events.find((e) => e.type === 'gate.answered')?.data).toMatchObject({ gate: 'review', by: 'upgrader' });
  }, 120_000);
});
