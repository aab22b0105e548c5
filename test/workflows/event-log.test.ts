// What continue-as-new carries of the event journal (workflows/event-log.ts): a bounded tail for the
// events query plus every event not yet in events.jsonl, whatever the number of events before.
import type { RunEvent } from '../../core/run-model';
import { CARRIED_EVENTS, EventLog } from '../../workflows/event-log';

const ev = (seq: number): RunEvent => ({ seq, type: 'gate.answer_rejected', runId: 'r', at: '2026-12-01T00:00:00.000Z', data: {} });

function logOf(n: number, flushed: number): EventLog {
  const log = new EventLog();
  for (let seq = 1; seq <= n; seq++) log.append(ev(seq));
  log.markFlushed(flushed);
  return log;
}

describe('EventLog.carry', () => {
  it('carries the same number of events whether 1,000 or 3,000 written events came before when everything is flushed', () => {
    const small = logOf(1000, 1000).carry();
    const large = logOf(3000, 3000).carry();
    expect(small.recentEvents).toHaveLength(CARRIED_EVENTS);
    expect(large.recentEvents).toHaveLength(CARRIED_EVENTS);
    expect(large.recentEvents[0]?.seq).toBe(3000 - CARRIED_EVENTS + 1);
    expect(large.flushedSeq).toBe(3000);
  });

  it('carries every unwritten event, even beyond the tail, when more than the tail is pending', () => {
    const carried = logOf(1000, 500).carry();
    expect(carried.recentEvents.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 501 + i));
    expect(carried.flushedSeq).toBe(500);
  });
});

describe('EventLog.pending', () => {
  it('returns exactly the events after the flushed mark, in seq order, when the window holds thousands of written ones', () => {
    expect(logOf(4000, 3997).pending().map((e) => e.seq)).toEqual([3998, 3999, 4000]);
    expect(logOf(4000, 4000).pending()).toEqual([]);
    expect(logOf(3, 0).pending().map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('returns the unwritten events a continue-as-new carried, and none of the written tail, when restored from a carry', () => {
    const carried = logOf(1000, 990).carry();
    const restored = new EventLog(carried.recentEvents, carried.flushedSeq);
    restored.append(ev(1001));
    expect(restored.pending().map((e) => e.seq)).toEqual([991, 992, 993, 994, 995, 996, 997, 998, 999, 1000, 1001]);
  });
});
