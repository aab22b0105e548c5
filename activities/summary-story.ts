// The parts of summary.md that tell the run's story in time: each stage's start offset and duration as
// a timeline, and who answered each human gate (or that it timed out, or that a condition overrode the
// answer), read from the run's events.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatElapsed } from '../core/durations';
import type { RunEnvelope, RunEvent } from '../core/run-model';
import { NO_FOLLOW_READ } from './no-follow';

const BAR = 24;
const MAX_EVENTS_BYTES = 64 * 1024 * 1024;

/** `1h02m`, `3m05s`, `12.3s`, `850ms` (core/durations formatElapsed; `factory graph` uses the same). */
export const formatDuration = formatElapsed;

/** The stage timeline: start offset from the run's start, duration, and a bar placed on the run's span. */
export function timelineLines(e: RunEnvelope): string[] {
  const start = Date.parse(e.createdAt);
  const end = Date.parse(e.updatedAt);
  const stages = Object.values(e.stages)
    .filter((st) => st.startedAt !== undefined)
    .map((st) => ({ st, from: Date.parse(st.startedAt as string), to: Date.parse(st.finishedAt ?? e.updatedAt) }))
    .filter((x) => Number.isFinite(x.from) && Number.isFinite(x.to))
    .sort((a, b) => a.from - b.from);
  if (stages.length === 0 || !Number.isFinite(start)) return [];
  const span = Math.max(1, (Number.isFinite(end) ? end : Math.max(...stages.map((x) => x.to))) - start);
  const lines = ['## Timeline', '', `Run took ${formatDuration(span)}.`, '', '| node | starts at | duration | |', '|---|---|---|---|'];
  for (const { st, from, to } of stages) {
    const a = Math.min(BAR - 1, Math.floor(((from - start) / span) * BAR));
    const b = Math.max(a + 1, Math.min(BAR, Math.ceil(((to - start) / span) * BAR)));
    lines.push(`| ${st.node} | +${formatDuration(from - start)} | ${formatDuration(to - from)}${st.finishedAt ? '' : ' (unfinished)'} | \`${'·'.repeat(a)}${'█'.repeat(b - a)}${'·'.repeat(BAR - b)}\` |`);
  }
  return [...lines, ''];
}

/** A value from an answer (a person typed it): one line, no markup, at most 64 characters. */
function clean(v: unknown): string {
  const s = String(v).replace(/[\u0000-\u001f\u007f`*_|<>[\]]/g, ' ').trim();
  return s.length > 64 ? `${s.slice(0, 63)}…` : s;
}

/** Who answered each human gate, how, and what won; timeouts, and a route a condition took over the answer. Empty when the run had no gate. */
export function gateLines(events: readonly RunEvent[]): string[] {
  const rows: string[] = [];
  // who sent each answer, as the Temporal server recorded it (gate.answer_identified, issue 20), by gate and answer number
  const identities = new Map<string, string>();
  for (const ev of events) {
    if (ev.type !== 'gate.answer_identified') continue;
    const d = ev.data as Record<string, unknown>;
    identities.set(`${String(d.gate)}#${String(d.answer)}`, `${clean(d.identity)}${d.identityReason ? ` (${clean(d.identityReason)})` : ''}`);
  }
  for (const ev of events) {
    const d = ev.data as Record<string, unknown>;
    const client = identities.get(`${String(d.gate)}#${String(d.answers)}`);
    const how = [...(d.via ? [clean(d.via)] : []), ...(client !== undefined ? [`Temporal client: ${client}`] : [])];
    if (ev.type === 'gate.answered') rows.push(`- gate ${clean(d.gate)}: answered by **${clean(d.by)}**${how.length ? ` (${how.join('; ')})` : ''}, choice → ${clean(d.choice)}, at ${clean(ev.at)}`);
    else if (ev.type === 'gate.timed_out') rows.push(`- gate ${clean(d.gate)}: timed out at ${clean(ev.at)}${d.defaultChoice ? `; default choice ${clean(d.defaultChoice)}` : ''}`);
    else if (ev.type === 'gate.routed' && d.overridden === true) {
      const condition = (d.edge as { condition?: unknown } | undefined)?.condition;
      rows.push(`- gate ${clean(d.gate ?? d.node)}: **overridden**: ${condition !== undefined ? `condition ${clean(condition)} held, so ` : ''}the run went to ${clean(d.to ?? 'no node')}, not to ${clean(d.selected)} as answered`);
    }
  }
  return rows.length ? ['## Gates', '', ...rows, ''] : [];
}

/** The run's events: events.jsonl (read without following a link) plus those not flushed yet, by seq. */
export function runEvents(runDir: string, pending: readonly RunEvent[]): RunEvent[] {
  const bySeq = new Map<number, RunEvent>();
  for (const ev of readEventsFile(join(runDir, 'events.jsonl'))) bySeq.set(ev.seq, ev);
  for (const ev of pending) bySeq.set(ev.seq, ev);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function readEventsFile(file: string): RunEvent[] {
  let fd: number;
  try {
    fd = openSync(file, NO_FOLLOW_READ);
  } catch {
    return [];
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_EVENTS_BYTES) return [];
    const buf = readFileSync(fd).subarray(0, st.size);
    const out: RunEvent[] = [];
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as RunEvent);
      } catch {
        // a torn last line: the pending events carry it
      }
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
