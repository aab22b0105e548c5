// events.jsonl after a local stage's uncommitted workflow task: the workflow's record replaces what the
// dead attempt wrote, from the first differing seq on; equal overlaps (retries, parallel batches) cut nothing.
// Only a speculative flush (a local stage's) is cut back; any other divergence is RUN_DIR_DIVERGED.
import { flushRun, readEvents } from '../../activities/run-dir';
import type { RunEvent } from '../../core/run-model';
import { event, events, tempDir } from './helpers';

/** The same seq with another workflow time: what a retried workflow task emits. */
function later(e: RunEvent): RunEvent {
  return { ...e, at: '2030-01-01T00:00:00.000Z' };
}

describe('divergent events on disk', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('factory-tail-')));
  afterEach(() => cleanup());

  it('keeps the file as it is when an overlapping batch has the same text', async () => {
    await flushRun({ runDir: dir, events: events(1, 6) });
    const r = await flushRun({ runDir: dir, events: events(1, 4) });
    expect(r).toEqual({ appended: 0, lastSeq: 6 });
    expect(await readEvents(dir)).toEqual(events(1, 6));
  });

  it('replaces the events from the first differing seq when a retried task re-sends them changed', async () => {
    await flushRun({ runDir: dir, events: events(1, 6) });
    const retried = [...events(1, 3), ...events(4, 5).map(later)];
    const r = await flushRun({ runDir: dir, events: retried, speculative: true });
    expect(r).toEqual({ appended: 2, lastSeq: 5 });
    expect(await readEvents(dir)).toEqual(retried);
  });

  it('replaces a divergent tail that starts more than one read chunk back when the file is large', async () => {
    const big = (seq: number) => event(seq, 'stage.started', { pad: 'x'.repeat(300) });
    const first = Array.from({ length: 600 }, (_, i) => big(i + 1));
    await flushRun({ runDir: dir, events: first });
    const retried = [...first.slice(0, 100), ...first.slice(100, 500).map(later)];
    await flushRun({ runDir: dir, events: retried.slice(50), speculative: true });
    expect(await readEvents(dir)).toEqual(retried);
  });

  it('refuses RUN_DIR_DIVERGED instead of cutting when the flush is not from a local stage', async () => {
    await flushRun({ runDir: dir, events: events(1, 6) });
    const retried = [...events(1, 3), ...events(4, 5).map(later)];
    await expect(flushRun({ runDir: dir, events: retried })).rejects.toMatchObject({ type: 'RUN_DIR_DIVERGED' });
    expect(await readEvents(dir)).toEqual(events(1, 6));
  });

  it('appends after the last seq as before when the batch does not overlap the file', async () => {
    await flushRun({ runDir: dir, events: events(1, 2) });
    expect(await flushRun({ runDir: dir, events: events(3, 4) })).toEqual({ appended: 2, lastSeq: 4 });
    expect(await readEvents(dir)).toEqual(events(1, 4));
  });
});
