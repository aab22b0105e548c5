// Speculative events: a LOCAL stage activity flushes the events its workflow task emitted before that
// task is committed to history. If the worker dies mid-stage, the task is retried (by another worker)
// and the same seqs may come back different (another workflow time, a signal that arrived meanwhile).
// The workflow's record wins: events.jsonl is cut back to the first seq whose text differs, and the
// flush re-appends from there. Equal overlaps (retries, parallel branches' overlapping batches) cut nothing.

import { open, truncate, type FileHandle } from 'node:fs/promises';
import type { RunEvent } from '../core/run-model';

const CHUNK = 64 * 1024;
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
