// Drill: 200 runs wait at a gate at once on one worker, are all approved, and all complete; every
// run's events are gapless and equal to its events.jsonl, and every follower returns.
import { followEvents } from '../../client/progress';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const RUNS = Number(process.env.FACTORY_DRILL_RUNS ?? 200);
const gated = pipelineYaml('many', ['{ id: review, type: wait.human }'], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }', '{ from: review, to: exit, label: "[R] Reject" }']);

/** Runs fn over items with at most `n` in flight. */
async function pool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  }));
  return out;
}

it(`completes ${RUNS} gated runs approved at once with gapless records equal to their events.jsonl`, async () => {
  const ws = workspace(gated);
  const started = Date.now();
  const handles = await pool(Array.from({ length: RUNS }, (_, i) => i), 20, () => env.start(ws));
  await pool(handles, 20, (h) => eventually(async () => (await h.query(statusQuery)).status === 'awaiting_human', 600_000, 500));
  const parked = Date.now();
  const followers = handles.map((h) => followEvents(h, () => undefined, { intervalMs: 1000 }));
  await pool(handles, 20, (h) => h.signal(approveSignal, { gate: 'review', by: 'drill' }));
  const results = await Promise.all(handles.map((h) => h.result()));
  await Promise.all(followers);
  console.log(`many-gates drill: ${RUNS} runs parked in ${parked - started} ms, approved and completed in ${Date.now() - parked} ms`);
  expect(results.map((r) => r.outcome)).toEqual(handles.map(() => 'succeeded'));
  await pool(handles, 10, async (h) => {
    const events = await allEvents(h);
    expectGapless(events);
    expect(readEvents(results[handles.indexOf(h)]?.runDir as string)).toEqual(events);
  });
});
