// Speculative events: a LOCAL stage activity flushes the events its workflow task emitted before that
// task is committed to history. If the worker dies mid-stage, the task is retried (by another worker)
// and the same seqs may come back different (another workflow time, a signal that arrived meanwhile).
// The workflow's record wins: events.jsonl is cut back to the first seq whose text differs, and the
// flush re-appends from there. Equal overlaps (retries, parallel branches' overlapping batches) cut nothing.
// Also the tail read every flush starts with (readLastSeqSync): the last seq, cutting a torn last line.

import { fstatSync, readSync, truncateSync } from 'node:fs';
import { open, truncate, type FileHandle } from 'node:fs/promises';
import type { RunEvent } from '../core/run-model';

const CHUNK = 64 * 1024;
/** The first read of a tail: enough for the last line in the usual case (an event is a few hundred bytes). */
const PEEK = 4096;
const NEWLINE = 0x0a;

/**
 * Cuts `file` back before the first event of `events` (sorted, deduped) whose seq is on disk with other
 * text; returns the file's last seq afterwards. `lastSeq` is the file's last seq now; a batch that
 * starts after it costs nothing.
 */
export async function dropDivergentTail(file: string, events: readonly RunEvent[], lastSeq: number): Promise<number> {
  const first = events[0];
  if (!first || first.seq > lastSeq) return lastSeq;
  const fh = await open(file, 'r');
  let cut: { offset: number; seq: number } | undefined;
  try {
    const lines = await linesFrom(fh, first.seq);
    const wanted = new Map(events.map((e) => [e.seq, JSON.stringify(e)]));
    for (const line of lines) {
      const text = wanted.get(line.seq);
      if (text !== undefined && text !== line.text) {
        cut = { offset: line.offset, seq: line.seq };
        break;
      }
    }
  } finally {
    await fh.close();
  }
  if (!cut) return lastSeq;
  await truncate(file, cut.offset);
  return cut.seq - 1;
}

interface Line {
  seq: number;
  text: string;
  offset: number;
}

/** The complete lines at the end of the file whose seq is ≥ `seq`, in file order (read backwards in chunks). */
async function linesFrom(fh: FileHandle, seq: number): Promise<Line[]> {
  const size = (await fh.stat()).size;
  let start = size;
  let tail = Buffer.alloc(0);
  for (;;) {
    const from = Math.max(0, start - CHUNK);
    const buf = Buffer.alloc(start - from);
    await fh.read(buf, 0, buf.length, from);
    tail = Buffer.concat([buf, tail]);
    start = from;
    const lines = parseLines(tail, start);
    if (start === 0 || (lines.length > 0 && (lines[0] as Line).seq < seq)) return lines.filter((l) => l.seq >= seq);
  }
}

/** The complete lines of `buf` (read from file offset `base`); a partial first line is skipped unless base is 0. */
function parseLines(buf: Buffer, base: number): Line[] {
  const out: Line[] = [];
  let pos = base === 0 ? 0 : buf.indexOf(NEWLINE) + 1;
  if (base !== 0 && pos === 0) return out;
  for (;;) {
    const nl = buf.indexOf(NEWLINE, pos);
    if (nl < 0) return out;
    const text = buf.subarray(pos, nl).toString('utf8');
    if (text !== '') out.push({ seq: (JSON.parse(text) as { seq: number }).seq, text, offset: base + pos });
    pos = nl + 1;
  }
}

/**
 * The seq of the last complete line of events.jsonl open as `fd`, and the file's size afterwards; 0
 * when empty. A torn last line (a crash mid-append) is cut off: its event is re-sent with the next
 * flush. Reads only the tail: one small read in the usual case, 64 KiB chunks for a longer last line.
 * Synchronous: a few small reads of a file just written (page cache), no thread-pool round trip.
 */
export function readLastSeqSync(fd: number, file: string): { lastSeq: number; end: number } {
  let end = fstatSync(fd).size;
  if (end === 0) return { lastSeq: 0, end };
  const tailStart = Math.max(0, end - PEEK);
  const tail = Buffer.alloc(end - tailStart);
  readSync(fd, tail, 0, tail.length, tailStart);
  if (tail[tail.length - 1] !== NEWLINE) {
    const i = tail.lastIndexOf(NEWLINE);
    end = (i >= 0 || tailStart === 0 ? tailStart + i : lastNewlineBeforeSync(fd, tailStart)) + 1;
    truncateSync(file, end);
    if (end === 0) return { lastSeq: 0, end };
  }
  const before = end - 1 - tailStart;
  const i = before > 0 ? tail.lastIndexOf(NEWLINE, before - 1) : -1;
  let line: string;
  if (i >= 0 || tailStart === 0) {
    line = tail.subarray(i + 1, before).toString('utf8');
  } else {
    const start = lastNewlineBeforeSync(fd, end - 1) + 1;
    const buf = Buffer.alloc(end - 1 - start);
    readSync(fd, buf, 0, buf.length, start);
    line = buf.toString('utf8');
  }
  let seq: unknown;
  try {
    seq = (JSON.parse(line) as { seq?: unknown }).seq;
  } catch {
    seq = undefined;
  }
  if (typeof seq !== 'number' || !Number.isInteger(seq)) {
    throw new Error(`${file}: the last line is not an event with an integer seq (${JSON.stringify(line.slice(0, 80))}); repair or remove that line`);
  }
  return { lastSeq: seq, end };
}

/** Offset of the last '\n' strictly before `end`, or -1; reads backwards in chunks. */
function lastNewlineBeforeSync(fd: number, end: number): number {
  let pos = end;
  while (pos > 0) {
    const size = Math.min(CHUNK, pos);
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, pos - size);
    const i = buf.lastIndexOf(NEWLINE);
    if (i >= 0) return pos - size + i;
    pos -= size;
  }
  return -1;
}
