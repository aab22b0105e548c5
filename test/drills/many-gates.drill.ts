// Drill: 200 runs wait at a gate at once on one worker, are all approved, and all complete; every
// run's events are gapless and equal to its events.jsonl, and every follower returns. Workflow tasks
// time out after 1 s (FACTORY_DRILL_TASK_TIMEOUT): under this load many are retried. (When boot and
// short stages were local activities, that is where workflow time differed between a run and its replay.)
import { followEvents } from '../../client/progress';
import type { RunEvent } from '../../core/run-model';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const RUNS = Number(process.env.FACTORY_DRILL_RUNS ?? 200);
const TASK_TIMEOUT = (process.env.FACTORY_DRILL_TASK_TIMEOUT ?? '1s') as '1s';
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

/** The seqs whose event differs between the replayed record and the file, with both sides (for the report). */
function differing(replayed: readonly RunEvent[], disk: readonly RunEvent[]): { seq: number; replayed?: RunEvent; disk?: RunEvent }[] {
  const n = Math.max(replayed.length, disk.length);
  const out: { seq: number; replayed?: RunEvent; disk?: RunEvent }[] = [];
  for (let i = 0; i < n; i++) {
    const a = replayed[i];
    const b = disk[i];
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ seq: i + 1, ...(a ? { replayed: a } : {}), ...(b ? { disk: b } : {}) });
  }
  return out;
}

it(`completes ${RUNS} gated runs approved at once with gapless records equal to their events.jsonl when workflow tasks time out after ${TASK_TIMEOUT}`, async () => {
  const ws = workspace(gated);
  const started = Date.now();
  const handles = await pool(Array.from({ length: RUNS }, (_, i) => i), 20, () => env.start(ws, {}, undefined, { workflowTaskTimeout: TASK_TIMEOUT }));
  await pool(handles, 20, (h) => eventually(async () => (await h.query(statusQuery)).status === 'awaiting_human', 600_000, 500));
  const parked = Date.now();
  const followers = handles.map((h) => followEvents(h, () => undefined, { intervalMs: 1000 }));
  await pool(handles, 20, (h) => h.signal(approveSignal, { gate: 'review', by: 'drill' }));
  const results = await Promise.all(handles.map((h) => h.result()));
  await Promise.all(followers);
  console.log(`many-gates drill: ${RUNS} runs parked in ${parked - started} ms, approved and completed in ${Date.now() - parked} ms`);
  expect(results.map((r) => r.outcome)).toEqual(handles.map(() => 'succeeded'));
  await pool(handles, 10, async (h) => {
    const events = await allEvents(h); // a completed run answers from a replay of its history
    expectGapless(events);
    const disk = readEvents(results[handles.indexOf(h)]?.runDir as string);
    expect({ run: h.workflowId, differing: differing(events, disk) }).toEqual({ run: h.workflowId, differing: [] });
    expect(disk).toEqual(events);
  });
});
