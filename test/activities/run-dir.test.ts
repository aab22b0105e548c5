import { appendFile, readdir, readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flushRun, readEvents, repairTailAndReadLastSeq, RUN_FILES } from '../../activities/run-dir';
import { writeJsonAtomic } from '../../activities/atomic-files';
import { checkpoint, envelope, event, events, failureOf, tempDir } from './helpers';

describe('flushRun', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  const seqs = async () => (await readEvents(dir)).map((e) => e.seq);

  it('writes each event once when the same batch is flushed twice', async () => {
    expect(await flushRun({ runDir: dir, events: events(1, 3) })).toEqual({ appended: 3, lastSeq: 3 });
    expect(await flushRun({ runDir: dir, events: events(1, 3) })).toEqual({ appended: 0, lastSeq: 3 });
    expect(await seqs()).toEqual([1, 2, 3]);
  });

  it('appends only the new tail when batches overlap', async () => {
    await flushRun({ runDir: dir, events: events(1, 4) });
    expect(await flushRun({ runDir: dir, events: events(2, 7) })).toEqual({ appended: 3, lastSeq: 7 });
    expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('sorts and de-duplicates a batch when it arrives out of order', async () => {
    await flushRun({ runDir: dir, events: [event(2), event(1), event(2), event(3)] });
    expect(await seqs()).toEqual([1, 2, 3]);
  });

  it('refuses with a retryable EVENT_SEQ_GAP naming the gap when seqs would skip', async () => {
    await flushRun({ runDir: dir, events: events(1, 3) });
    const f = await failureOf(flushRun({ runDir: dir, events: events(6, 8) }));
    expect(f.type).toBe('EVENT_SEQ_GAP');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain('seq 4..5 missing');
    expect(await seqs()).toEqual([1, 2, 3]);
  });

  it('refuses a gap inside one batch when the batch itself is not contiguous', async () => {
    const f = await failureOf(flushRun({ runDir: dir, events: [event(1), event(3)] }));
    expect(f.message).toContain('seq 2 missing');
    expect(await seqs()).toEqual([]);
  });

  it('refuses as RUN_DIR_LOST a batch that does not start at seq 1 when events.jsonl does not exist (it was removed)', async () => {
    const f = await failureOf(flushRun({ runDir: dir, events: events(2, 3) }));
    expect(f.type).toBe('RUN_DIR_LOST');
    expect(f.nonRetryable).toBe(true);
  });

  it('refuses as RUN_DIR_DIVERGED, without appending, when a re-sent event differs from a hand-appended line', async () => {
    await flushRun({ runDir: dir, events: events(1, 3) });
    await appendFile(join(dir, RUN_FILES.events), `${JSON.stringify(event(4, 'gate.answered', { gate: 'review', by: 'FORGED' }))}\n`);
    const real = [...events(1, 3), event(4, 'gate.answered', { gate: 'review', by: 'alice' }), event(5)];
    const f = await failureOf(flushRun({ runDir: dir, events: real }));
    expect(f.type).toBe('RUN_DIR_DIVERGED');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/seq 4 is not the event this run recorded: the file has gate.answered by "FORGED", the run has gate.answered by "alice"/);
    expect(await seqs()).toEqual([1, 2, 3, 4]);
  });

  it('refuses as RUN_DIR_DIVERGED when an earlier line was edited and the batch is re-sent', async () => {
    await flushRun({ runDir: dir, events: events(1, 3) });
    const file = join(dir, RUN_FILES.events);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"seq":2,"type":"stage.started"', '"seq":2,"type":"stage.completed"'));
    const f = await failureOf(flushRun({ runDir: dir, events: events(1, 4) }));
    expect(f.type).toBe('RUN_DIR_DIVERGED');
    expect(f.message).toContain('seq 2 is not the event');
  });

  it('refuses as RUN_DIR_LOST and recreates nothing when the run directory was removed mid-run', async () => {
    await flushRun({ runDir: dir, events: events(1, 3) });
    await rm(dir, { recursive: true });
    const f = await failureOf(flushRun({ runDir: dir, events: events(1, 5), checkpoint: checkpoint() }));
    expect(f.type).toBe('RUN_DIR_LOST');
    expect(f.nonRetryable).toBe(true);
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses as RUN_DIR_LOST when events.jsonl alone was removed mid-run', async () => {
    await flushRun({ runDir: dir, events: events(1, 3) });
    await rm(join(dir, RUN_FILES.events));
    const f = await failureOf(flushRun({ runDir: dir, events: events(4, 5) }));
    expect(f.type).toBe('RUN_DIR_LOST');
  });

  it('serializes concurrent flushes of overlapping batches when they race in one process', async () => {
    await Promise.all([
      flushRun({ runDir: dir, events: events(1, 5) }),
      flushRun({ runDir: dir, events: events(1, 5) }),
      flushRun({ runDir: dir, events: events(1, 6) }),
    ]);
    expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('waits for another process to release the events lock when the lock file is fresh', async () => {
    const lock = join(dir, 'events.jsonl.lock');
    await writeFile(lock, '');
    let done = false;
    const pending = flushRun({ runDir: dir, events: events(1, 2) }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    await rm(lock);
    await pending;
    expect(await seqs()).toEqual([1, 2]);
  });

  it('breaks the events lock when a dead process left it behind', async () => {
    const lock = join(dir, 'events.jsonl.lock');
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await flushRun({ runDir: dir, events: events(1, 1) });
    expect(await seqs()).toEqual([1]);
  });

  it('writes checkpoint.json and run.json whole when given, with no temp files left', async () => {
    await flushRun({ runDir: dir, events: events(1, 1), checkpoint: checkpoint('plan'), envelope: envelope() });
    expect(JSON.parse(await readFile(join(dir, RUN_FILES.checkpoint), 'utf8')).current_node).toBe('plan');
    expect(JSON.parse(await readFile(join(dir, RUN_FILES.envelope), 'utf8')).runId).toBe('run-1');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the previous checkpoint.json and run.json, with no temp files left, when the events are refused', async () => {
    await flushRun({ runDir: dir, events: events(1, 2), checkpoint: checkpoint('plan'), envelope: envelope() });
    const before = await Promise.all([RUN_FILES.checkpoint, RUN_FILES.envelope].map((f) => readFile(join(dir, f), 'utf8')));
    const f = await failureOf(flushRun({ runDir: dir, events: events(5, 6), checkpoint: checkpoint('build'), envelope: envelope('run-2') }));
    expect(f.type).toBe('EVENT_SEQ_GAP');
    const after = await Promise.all([RUN_FILES.checkpoint, RUN_FILES.envelope].map((f) => readFile(join(dir, f), 'utf8')));
    expect(after).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('cuts a torn last line and re-appends that event when a crash left half a line', async () => {
    await flushRun({ runDir: dir, events: events(1, 2) });
    await appendFile(join(dir, RUN_FILES.events), '{"seq":3,"type":"stage.sta');
    expect(await repairTailAndReadLastSeq(join(dir, RUN_FILES.events))).toBe(2);
    await flushRun({ runDir: dir, events: events(1, 4) });
    expect(await seqs()).toEqual([1, 2, 3, 4]);
  });
});

describe('writeJsonAtomic', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it.each(['durable', 'derived'] as const)('replaces the file whole and leaves no temp file when %s', async (durability) => {
    const file = join(dir, 'status.json');
    await writeFile(file, '{"old":true}\n');
    await writeJsonAtomic(file, { outcome: 'success', notes: 'n'.repeat(10_000) }, durability);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ outcome: 'success', notes: 'n'.repeat(10_000) });
    expect((await readdir(dir)).sort()).toEqual(['status.json']);
  });

  it('leaves the old file and no temp file when the directory is gone', async () => {
    await expect(writeJsonAtomic(join(dir, 'gone', 'status.json'), { outcome: 'fail' }, 'derived')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('repairTailAndReadLastSeq (cuts a torn tail)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('returns 0 when the file is missing or empty', async () => {
    expect(await repairTailAndReadLastSeq(join(dir, 'none.jsonl'))).toBe(0);
    await writeFile(join(dir, 'empty.jsonl'), '');
    expect(await repairTailAndReadLastSeq(join(dir, 'empty.jsonl'))).toBe(0);
  });

  it('reads the last seq when the last line is longer than one tail chunk', async () => {
    const file = join(dir, RUN_FILES.events);
    const big = { ...event(2), data: { blob: 'x'.repeat(200_000) } };
    await writeFile(file, `${JSON.stringify(event(1))}\n${JSON.stringify(big)}\n`);
    expect(await repairTailAndReadLastSeq(file)).toBe(2);
  });

  it('cuts a torn last line back to the previous line when the torn part is longer than the first tail read', async () => {
    const file = join(dir, RUN_FILES.events);
    const whole = `${JSON.stringify(event(1))}\n${JSON.stringify({ ...event(2), data: { blob: 'y'.repeat(9_000) } })}\n`;
    await writeFile(file, `${whole}{"seq":3,"type":"stage.started","data":{"blob":"${'z'.repeat(20_000)}`);
    expect(await repairTailAndReadLastSeq(file)).toBe(2);
    expect(await readFile(file, 'utf8')).toBe(whole);
  });

  it('reads the right line when lines end exactly at the edges of the first tail read', async () => {
    const file = join(dir, RUN_FILES.events);
    // every length from "last line fills the tail read" to "tail read starts mid-line" around 4 KiB
    for (let pad = 4_000; pad < 4_200; pad += 7) {
      const last = JSON.stringify({ ...event(8), data: { pad: 'p'.repeat(pad) } });
      await writeFile(file, `${JSON.stringify(event(6))}\n${JSON.stringify(event(7))}\n${last}\n`);
      expect(await repairTailAndReadLastSeq(file)).toBe(8);
      await writeFile(file, `${JSON.stringify(event(6))}\n${last}\n${last.slice(0, 50)}`);
      expect(await repairTailAndReadLastSeq(file)).toBe(8);
      expect((await readFile(file, 'utf8')).endsWith(`${last}\n`)).toBe(true);
    }
  });

  it('reads only the tail when the file is far larger than memory allows (sparse 3 GiB file)', async () => {
    const file = join(dir, RUN_FILES.events);
    await writeFile(file, '');
    await truncate(file, 3 * 1024 ** 3);
    await appendFile(file, `\n${JSON.stringify(event(41))}\n`);
    await expect(readFile(file)).rejects.toThrow(); // a whole-file read is not even possible
    expect(await repairTailAndReadLastSeq(file)).toBe(41);
  });
});
