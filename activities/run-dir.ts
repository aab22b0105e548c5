// The run directory's durable files: events.jsonl (append-only, idempotent by seq), checkpoint.json and
// run.json (replaced atomically). Every write is safe to repeat: activity retries and worker restarts
// re-send the same batch, and nothing is ever written twice.

import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { closeSync, fdatasync, fstatSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { RunEvent } from '../core/run-model';
import { EVENT_SEQ_GAP, RUN_DIR_DIVERGED, RUN_DIR_LOST } from './errors';
import { commitStaged, discardStaged, jsonText, stageFile } from './atomic-files';
import { dropDivergentTail, readLastSeqSync } from './events-tail';
import { signCheckpoint } from './signing';
import type { FlushResult, RunDirFlush } from './types';

/** File names inside a run directory (Attractor §5.6 layout plus ours). */
export const RUN_FILES = {
  events: 'events.jsonl',
  checkpoint: 'checkpoint.json',
  envelope: 'run.json',
  manifest: 'manifest.json',
  status: 'status.json',
} as const;

/** Guards events.jsonl against two worker processes appending the same batch at once. */
const LOCK_FILE = 'events.jsonl.lock';
/** A lock older than this was left by a dead process and is broken. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 20_000;
/** The only file-system waits of a flush run in the thread pool: the fsyncs (see flushRun, atomic-files.ts). */
const fdatasyncAsync = promisify(fdatasync);

/**
 * Persists a workflow's pending writes; call it as often as you like with overlapping batches.
 * checkpoint.json and run.json are written to temp files and fsynced while events.jsonl is appended and
 * fsynced, and replace the old files only once the events are durable: the files on disk never run ahead
 * of events.jsonl, as with writing one after the other, at one fsync wait instead of two or three.
 * The fsyncs are the only calls sent to the thread pool; the other file calls (stat, lock file, the
 * tail read, write, rename: page cache and metadata, microseconds) run synchronously, because in a
 * busy worker each thread-pool round trip waits for a turn of its event loop (measured in BENCHMARKS.md).
 */
export async function flushRun(flush: RunDirFlush): Promise<FlushResult> {
  return serialized(flush.runDir, async () => {
    // never recreate a removed run directory: an empty one would pass for this run's record
    try {
      statSync(flush.runDir);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') throw lost(flush.runDir, 'the run directory');
      throw err;
    }
    const json: [string, unknown][] = [];
    if (flush.checkpoint) json.push([RUN_FILES.checkpoint, signCheckpoint(await runIdOf(flush), flush.checkpoint)]);
    if (flush.envelope) json.push([RUN_FILES.envelope, flush.envelope]);
    const staging = Promise.allSettled(json.map(([name, value]) => stageFile(join(flush.runDir, name), jsonText(value))));
    let result: FlushResult;
    try {
      result = await withLockFile(join(flush.runDir, LOCK_FILE), () => appendEvents(flush.runDir, flush.events, { speculative: flush.speculative ?? inLocalActivity() }));
    } catch (err) {
      await discardStaged(await staging);
      throw err;
    }
    await commitStaged(await staging);
    return result;
  });
}

/** The run a flush belongs to (the checkpoint signature binds to it): from its events or envelope, else run.json. */
async function runIdOf(flush: RunDirFlush): Promise<string> {
  const known = flush.envelope?.runId ?? flush.events[0]?.runId;
  if (known !== undefined) return known;
  const envelope = JSON.parse(await readFile(join(flush.runDir, RUN_FILES.envelope), 'utf8')) as { runId?: unknown };
  if (typeof envelope.runId !== 'string') throw new Error(`${join(flush.runDir, RUN_FILES.envelope)} has no runId: cannot sign the checkpoint`);
  return envelope.runId;
}

/**
 * Appends the events with seq > the file's last seq; refuses (retryable) when that would leave a gap.
 * A re-sent event whose line on disk has other text is RUN_DIR_DIVERGED (edited, forged or written by
 * another execution) — except for a `speculative` flush: a LOCAL stage activity flushes events its
 * workflow task emitted before that task is committed, and a retried task may emit the same seqs with
 * other text; there the workflow's record wins and the file is cut back to the first difference
 * (activities/events-tail.ts).
 */
export async function appendEvents(runDir: string, events: readonly RunEvent[], opts: { speculative?: boolean } = {}): Promise<FlushResult> {
  const file = join(runDir, RUN_FILES.events);
  const batch = dedupeBySeq(events);
  // one descriptor reads the tail and appends (positional writes at the end: only lock holders write); a
  // read-only file (a frozen run) is still read, and only refused when there is something to append
  let writable = true;
  let existing: number | undefined;
  try {
    existing = openSync(file, 'r+');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw err;
    if (code !== 'ENOENT') {
      writable = false;
      existing = openSync(file, 'r');
    }
  }
  let created: number | undefined;
  try {
    if (existing === undefined && (batch[0]?.seq ?? 1) > 1) throw lost(runDir, RUN_FILES.events);
    let { lastSeq, end } = existing !== undefined ? readLastSeqSync(existing, file) : { lastSeq: 0, end: 0 };
    if (opts.speculative) {
      const kept = await dropDivergentTail(file, batch, lastSeq);
      if (kept !== lastSeq && existing !== undefined) end = fstatSync(existing).size;
      lastSeq = kept;
    } else {
      await checkSameAsFile(file, batch.filter((e) => e.seq <= lastSeq));
    }
    const target = () => (existing !== undefined && writable ? existing : (created = openSync(file, 'a')));
    return await appendFresh(target, file, batch, lastSeq, end, runDir);
  } finally {
    if (existing !== undefined) closeSync(existing);
    if (created !== undefined) closeSync(created);
  }
}

/** Writes the events after `lastSeq` at `end` and fdatasyncs them; refuses a gap (EVENT_SEQ_GAP). */
async function appendFresh(target: () => number, file: string, batch: readonly RunEvent[], lastSeq: number, end: number, runDir: string): Promise<FlushResult> {
  const fresh = batch.filter((e) => e.seq > lastSeq);
  if (fresh.length === 0) return { appended: 0, lastSeq };
  let expected = lastSeq + 1;
  for (const e of fresh) {
    if (e.seq !== expected) {
      throw ApplicationFailure.create({
        type: EVENT_SEQ_GAP,
        nonRetryable: false,
        message:
          `${file} ends at seq ${expected - 1} but the next event to write is seq ${e.seq}: ` +
          `seq ${expected}${e.seq - 1 > expected ? `..${e.seq - 1}` : ''} missing; re-send the events from seq ${expected}`,
        details: [{ runDir, lastSeq: expected - 1, nextSeq: e.seq }],
      });
    }
    expected++;
  }
  const text = fresh.map((e) => JSON.stringify(e)).join('\n') + '\n';
  const fd = target();
  writeSync(fd, text, end);
  await fdatasyncAsync(fd);
  return { appended: fresh.length, lastSeq: expected - 1 };
}

/**
 * Checks that events.jsonl holds exactly `events` as its last lines (finalize of a run already frozen:
 * the frozen record must be this run's, not another execution's). Throws RUN_DIR_DIVERGED otherwise.
 */
export async function assertRecorded(runDir: string, events: readonly RunEvent[]): Promise<void> {
  const file = join(runDir, RUN_FILES.events);
  const batch = dedupeBySeq(events);
  const last = batch[batch.length - 1];
  const lastSeq = await repairTailAndReadLastSeq(file);
  if (last && lastSeq !== last.seq) {
    throw ApplicationFailure.create({
      type: RUN_DIR_DIVERGED,
      nonRetryable: true,
      message: `${file} was frozen ending at seq ${lastSeq}, but this run ends at seq ${last.seq} (${summarize(JSON.stringify(last))}): another execution finalized this run directory; the workflow history is the record`,
      details: [{ file, seq: lastSeq }],
    });
  }
  await checkSameAsFile(file, batch);
}

/** A re-sent event must be byte-for-byte the line already written: anything else was not written by this run. */
async function checkSameAsFile(file: string, resent: readonly RunEvent[]): Promise<void> {
  const first = resent[0];
  if (!first) return;
  const want = new Map(resent.map((e) => [e.seq, JSON.stringify(e)]));
  const lines = (await readFile(file, 'utf8')).split('\n');
  for (const line of lines) {
    if (line === '') continue;
    let seq: unknown;
    try {
      seq = (JSON.parse(line) as { seq?: unknown }).seq;
    } catch {
      seq = undefined;
    }
    const expected = typeof seq === 'number' ? want.get(seq) : undefined;
    if (expected === undefined) continue;
    want.delete(seq as number);
    if (expected !== line) {
      throw ApplicationFailure.create({
        type: RUN_DIR_DIVERGED,
        nonRetryable: true,
        message:
          `${file} seq ${String(seq)} is not the event this run recorded: the file has ${summarize(line)}, the run has ${summarize(expected)}; ` +
          `the run directory was edited or written by another execution: the workflow history is the record, events.jsonl is not trusted`,
        details: [{ file, seq }],
      });
    }
  }
  if (want.size > 0) {
    const missing = [...want.keys()].sort((a, b) => a - b);
    throw ApplicationFailure.create({
      type: RUN_DIR_DIVERGED,
      nonRetryable: true,
      message: `${file} has no line for seq ${missing.join(', ')} although it ends past it: lines were removed or reordered; the workflow history is the record`,
      details: [{ file, seq: missing[0] }],
    });
  }
}

/** One event line, shortened for a message (never a raw dump of what someone wrote). */
function summarize(line: string): string {
  try {
    const e = JSON.parse(line) as { type?: unknown; data?: Record<string, unknown> };
    const by = e.data && typeof e.data['by'] === 'string' ? ` by ${JSON.stringify(e.data['by'].slice(0, 40))}` : '';
    return `${typeof e.type === 'string' ? e.type.slice(0, 40) : 'a line'}${by}`;
  } catch {
    return 'a line that is not JSON';
  }
}

function lost(runDir: string, what: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: RUN_DIR_LOST,
    nonRetryable: true,
    message: `${what} of this run (${runDir}) was removed while the run was open; it is not recreated (an empty directory would pass for the run's record): the workflow history keeps the events`,
    details: [{ runDir }],
  });
}

/**
 * The seq of the last complete line of events.jsonl, reading only the file's tail; 0 when absent or empty.
 * A torn last line (a crash mid-append) is cut off: its event will be re-sent with the next flush.
 */
export async function repairTailAndReadLastSeq(file: string): Promise<number> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    return readLastSeqSync(fd, file).lastSeq;
  } finally {
    closeSync(fd);
  }
}

/** Every event in events.jsonl, in file order (tests, CLI, finalize); torn last lines are skipped. */
export async function readEvents(runDir: string): Promise<RunEvent[]> {
  let text: string;
  try {
    text = await readFile(join(runDir, RUN_FILES.events), 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  return lines.filter((l) => l !== '').map((l) => JSON.parse(l) as RunEvent);
}

function dedupeBySeq(events: readonly RunEvent[]): RunEvent[] {
  const bySeq = new Map<number, RunEvent>();
  for (const e of events) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Runs fn holding an O_EXCL lock file (cross-process); breaks locks older than STALE_LOCK_MS. */
async function withLockFile<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        // released meanwhile: try again at once
      }
      if (age > STALE_LOCK_MS) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} is held by another writer for over ${LOCK_WAIT_MS}ms`);
      else await new Promise((r) => setTimeout(r, wait));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

const queues = new Map<string, Promise<unknown>>();

/** Runs fn after every earlier write to the same run directory in this process has finished. */
async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const settled = next.catch(() => undefined);
  queues.set(key, settled);
  try {
    return await next;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

/** True inside a LOCAL activity (boot phases, short stages): what it flushes is not yet committed to history. */
function inLocalActivity(): boolean {
  try {
    return Context.current().info.isLocal;
  } catch {
    return false; // not in an activity (tests, the CLI)
  }
}
