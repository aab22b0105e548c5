// The run's event journal inside the workflow: the in-memory window the `events` query reads and the
// mark of what events.jsonl already holds. Owned by RunState (which assigns seq numbers).

import type { RunEvent } from '../core/run-model';

/** How many events an execution keeps in memory for the `events` query (older ones: events.jsonl). */
export const EVENT_WINDOW = 2000;

/** How many already-written events continue-as-new carries (a constant: rejected answers never grow the input). */
export const CARRIED_EVENTS = 200;

/** Recent events plus the highest seq written to the run directory. */
export class EventLog {
  constructor(
    private events: RunEvent[] = [],
    /** Highest seq already written to events.jsonl. */
    private flushedSeq = 0,
  ) {}

  append(event: RunEvent): void {
    this.events.push(event);
    if (this.events.length > EVENT_WINDOW * 2) this.events = this.events.filter((e) => e.seq > this.flushedSeq || e.seq > event.seq - EVENT_WINDOW);
  }

  /** Events not yet written to the run directory. */
  pending(): RunEvent[] {
    // seqs ascend in the window: scan back from the end instead of filtering the whole window each stage
    let from = this.events.length;
    while (from > 0 && (this.events[from - 1] as RunEvent).seq > this.flushedSeq) from--;
    return from === this.events.length ? [] : this.events.slice(from);
  }

  /** Everything up to `seq` is in events.jsonl. */
  markFlushed(seq: number): void {
    if (seq > this.flushedSeq) this.flushedSeq = seq;
  }

  /** Events with seq > after, at most `limit` (the `events` query). */
  after(after = 0, limit = 1000): RunEvent[] {
    const out: RunEvent[] = [];
    for (const e of this.events) {
      if (e.seq > after) out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * What continue-as-new carries: the flushed mark, the events not yet written (never dropped) and the
   * last CARRIED_EVENTS for the `events` query; older ones are in events.jsonl.
   */
  carry(): { recentEvents: RunEvent[]; flushedSeq: number } {
    const from = this.events.length - CARRIED_EVENTS;
    return { recentEvents: this.events.filter((e, i) => i >= from || e.seq > this.flushedSeq), flushedSeq: this.flushedSeq };
  }
}
