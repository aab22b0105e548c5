// RecordClock (workflows/record-clock.ts): after a local activity, records carry its recorded finish
// time until the workflow's time moves on; otherwise workflow time. Date is the workflow's clock in a
// workflow; here jest's fake timers stand in for it.
import { RecordClock } from '../../workflows/record-clock';

const T = Date.parse('2026-12-01T02:00:00.000Z');

beforeEach(() => jest.useFakeTimers({ now: T }));
afterEach(() => jest.useRealTimers());

describe('RecordClock', () => {
  it('gives workflow time when no local activity result arrived', () => {
    expect(new RecordClock().now().toISOString()).toBe('2026-12-01T02:00:00.000Z');
  });

  it('gives the local activity finish time while the workflow time is the one its result arrived at', () => {
    const clock = new RecordClock();
    clock.settle({ ok: true, finishedAt: '2026-12-01T01:59:58.500Z' });
    expect(clock.now().toISOString()).toBe('2026-12-01T01:59:58.500Z');
    expect(clock.now().toISOString()).toBe('2026-12-01T01:59:58.500Z');
  });

  it('returns to workflow time once the workflow time moved on (a later activation)', () => {
    const clock = new RecordClock();
    clock.settle({ finishedAt: '2026-12-01T01:59:58.500Z' });
    jest.setSystemTime(T + 1);
    expect(clock.now().toISOString()).toBe('2026-12-01T02:00:00.001Z');
    jest.setSystemTime(T); // the pin is gone for good, even if the time came back
    expect(clock.now().toISOString()).toBe('2026-12-01T02:00:00.000Z');
  });

  it('ignores results without a usable finishedAt (recorded by a release before it existed)', () => {
    const clock = new RecordClock();
    for (const r of [undefined, null, 'text', {}, { finishedAt: 42 }, { finishedAt: 'not a time' }]) clock.settle(r);
    expect(clock.now().toISOString()).toBe('2026-12-01T02:00:00.000Z');
  });

  it('takes the latest local activity when two results arrive at the same workflow time', () => {
    const clock = new RecordClock();
    clock.settle({ finishedAt: '2026-12-01T01:59:58.500Z' });
    clock.settle({ finishedAt: '2026-12-01T01:59:59.250Z' });
    expect(clock.now().toISOString()).toBe('2026-12-01T01:59:59.250Z');
  });
});
