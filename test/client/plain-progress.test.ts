// Progress off a terminal: plain lines only when something changed (a retry, scenarios done, a long
// stage), and the decision's progress line offering `factory decide` with the evidence.
import { comeBackLines } from '../../client/follow';
import { PlainProgress, STILL_RUNNING_EVERY_MS } from '../../client/plain-progress';
import { formatEvent } from '../../client/progress';
import { duration, formatPending, progressBar, type PendingView } from '../../client/run-monitor';
import type { RunEvent } from '../../core/run-model';

let seq = 0;
const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const ev = (type: RunEvent['type'], data: Record<string, unknown> = {}, at = T0): RunEvent => ({ seq: ++seq, type, runId: 'run-x', at: new Date(at).toISOString(), data });
const retry = (attempt: number): PendingView => ({ activityId: '5', type: 'executeStage', state: 'scheduled', attempt, maximumAttempts: 4, lastFailure: 'exit code 3', nextRetryAt: T0 + 10_000 });

describe('PlainProgress', () => {
  it('prints a retry once per attempt when describe keeps reporting the same attempt', () => {
    const p = new PlainProgress();
    expect(p.onSnapshot({ pending: [retry(2)] }, T0)).toEqual(['↻ executeStage (activity 5): attempt 2/4, last failure: exit code 3, next retry in 10s — retrying']);
    expect(p.onSnapshot({ pending: [retry(2)] }, T0 + 2000)).toEqual([]);
    expect(p.onSnapshot({ pending: [retry(3)] }, T0)).toHaveLength(1);
    expect(p.onSnapshot({ pending: [{ ...retry(1), lastFailure: undefined }] }, T0)).toEqual([]);
  });

  it('names the stage that is retrying when exactly one stage is running', () => {
    const p = new PlainProgress();
    p.onEvent(ev('stage.started', { node: 'build', type: 'tool' }), T0);
    expect(p.onSnapshot({ pending: [retry(2)] }, T0)).toEqual(['↻ stage build is retrying: executeStage (activity 5): attempt 2/4, last failure: exit code 3, next retry in 10s — retrying']);
  });

  it('prints scenarios done over the suite size only when the count moves while evaluating', () => {
    const p = new PlainProgress();
    expect(p.onSnapshot({ pending: [], evaluation: { done: 1, scheduled: 4 } }, T0)).toEqual([]); // not evaluating yet
    p.onEvent(ev('run.evaluating', { scenarios: 6 }), T0);
    expect(p.onSnapshot({ pending: [], evaluation: { done: 0, scheduled: 4 } }, T0)).toEqual([]);
    expect(p.onSnapshot({ pending: [], evaluation: { done: 2, scheduled: 4 } }, T0)).toEqual(['holdout: 2/6 scenarios done']);
    expect(p.onSnapshot({ pending: [], evaluation: { done: 2, scheduled: 6 } }, T0)).toEqual([]);
    p.onEvent(ev('evaluation.completed', { total: 6 }), T0);
    expect(p.onSnapshot({ pending: [], evaluation: { done: 6, scheduled: 6 } }, T0)).toEqual([]);
  });

  it('says a stage is still running once a minute with its elapsed time, and stops when it completes', () => {
    const p = new PlainProgress();
    p.onEvent(ev('stage.started', { node: 'build', type: 'tool' }), T0);
    expect(p.tick(T0 + STILL_RUNNING_EVERY_MS - 1)).toEqual([]);
    expect(p.tick(T0 + STILL_RUNNING_EVERY_MS)).toEqual(['… build still running (1m00s)']);
    expect(p.tick(T0 + STILL_RUNNING_EVERY_MS + 30_000)).toEqual([]);
    expect(p.tick(T0 + 2 * STILL_RUNNING_EVERY_MS + 5000)).toEqual(['… build still running (2m05s)']);
    p.onEvent(ev('stage.completed', { node: 'build', status: 'success' }), T0);
    expect(p.tick(T0 + 10 * STILL_RUNNING_EVERY_MS)).toEqual([]);
  });
});

describe('run-monitor formatting', () => {
  it.each([
    [0, 8, '[--------------------] 0/8'],
    [3, 8, '[########------------] 3/8'],
    [8, 8, '[####################] 8/8'],
    [9, 8, '[####################] 9/8'],
    [2, 0, '2 done'],
  ])('draws %i of %i as %s', (done, total, bar) => {
    expect(progressBar(done, total)).toBe(bar);
  });

  it.each([
    [0, '0s'],
    [59_400, '59s'],
    [60_000, '1m00s'],
    [3_725_000, '62m05s'],
  ])('writes %i ms as %s', (ms, text) => expect(duration(ms)).toBe(text));

  it('keeps the first line of a long failure and says running when no retry is scheduled', () => {
    const p: PendingView = { activityId: '9', type: 'runScenario', state: 'started', attempt: 1, maximumAttempts: 0 };
    expect(formatPending(p, T0)).toBe('runScenario (activity 9): attempt 1, running');
    expect(formatPending({ ...p, attempt: 2, lastFailure: `boom\n${'x'.repeat(500)}` }, T0)).toBe('runScenario (activity 9): attempt 2, last failure: boom, running — retrying');
  });
});

describe('formatEvent for the decision', () => {
  it('offers factory decide for each allowed decision with the checks as evidence, not factory approve and empty choices', () => {
    const text = formatEvent(
      ev('run.awaiting_human', {
        gate: 'decision',
        kind: 'decision',
        allowed: ['approved', 'rejected'],
        checks: [{ name: 'pass_bar', ok: true, detail: '4/4 passed (satisfaction 1.000, required 0.9), must-pass ok, 0 errored' }],
      }),
      { runId: 'run-x' },
    ) as string;
    expect(text.split('\n').slice(1)).toEqual([
      '    ✓ pass_bar: 4/4 passed (satisfaction 1.000, required 0.9), must-pass ok, 0 errored',
      '    decide:  factory decide run-x --decision approved --reason "…"',
      '    decide:  factory decide run-x --decision rejected --reason "…" --remediation "…"',
    ]);
    expect(text).not.toContain('factory approve');
    expect(text).not.toContain('choices:');
  });

  it('lists the failure signatures under the holdout counts when evaluation completes', () => {
    const clusters = Array.from({ length: 7 }, (_, i) => ({ signature: `sig${i}`, count: i + 1, kind: 'fail' }));
    const text = formatEvent(ev('evaluation.completed', { total: 10, passed: 3, failed: 7, errored: 0, passed_bar: false, clusters }), { runId: 'run-x' }) as string;
    expect(text).toMatch(/holdout: 3\/10 passed, 7 failed, 0 errored; pass bar not met\n {4}signatures: sig0 x1 \(fail\), sig1 x2 \(fail\), .*sig4 x5 \(fail\), \+2 more$/);
  });
});

describe('comeBackLines', () => {
  it('names factory watch with the address when the run lives on a server that outlives this process', () => {
    expect(comeBackLines('run-x', { kind: 'interrupted', gate: 'review' }, { address: '10.0.0.5:7233' })).toEqual([
      'stopped following run run-x at gate review; the run is not cancelled and stays parked there.',
      '  come back with: factory watch run-x --address 10.0.0.5:7233',
    ]);
  });

  it('names factory worker and factory watch when the run stays on the local server but its in-process worker stopped', () => {
    expect(comeBackLines('run-x', { kind: 'interrupted', runDir: '/tmp/runs/run-x' }, { embedded: true })).toEqual([
      'stopped following run run-x; nothing was cancelled: it stays parked on the local server, but its worker stopped with this process.',
      '  come back with: factory worker (in another terminal), then factory watch run-x',
    ]);
  });
});

describe('formatEvent for continue-as-new', () => {
  it('names the gate that stays open when the run continued as new while waiting at it', () => {
    expect(formatEvent(ev('run.continued_as_new', { next: 'review', gate: 'review', historyLength: 4100 }), { runId: 'run-x' })).toMatch(/continued as new while waiting at gate review \(still open\) \(history 4100 events\)$/);
    expect(formatEvent(ev('run.continued_as_new', { next: 'build', historyLength: 4100 }), { runId: 'run-x' })).toMatch(/continued as new \(history 4100 events\)$/);
  });
});

describe('formatEvent for routing (issue 22)', () => {
  it('says when a condition on a gate\'s edges overrode the answer, and nothing when the answer was followed', () => {
    const routed = (overridden: boolean, to: string, edge: Record<string, unknown>) => ev('gate.routed', { gate: 'review', node: 'review', selected: 'ship', to, via: 'edge', edge, overridden });
    expect(formatEvent(routed(true, 'hold', { from: 'review', to: 'hold', label: 'Hold', condition: 'context.freeze=yes' }), { runId: 'run-x' })).toMatch(
      /gate review: condition "context\.freeze=yes" held, so the run goes to hold, not to ship as answered$/,
    );
    expect(formatEvent(routed(false, 'ship', { from: 'review', to: 'ship', label: 'Ship' }), { runId: 'run-x' })).toBeUndefined();
  });

  it('names the dead end the pipeline completed at and why', () => {
    expect(formatEvent(ev('run.dead_end', { node: 'report', status: 'success', reason: 'node "report" has no outgoing edge to follow' }), { runId: 'run-x' })).toMatch(
      /■ dead end at report: node "report" has no outgoing edge to follow; the pipeline completes here \(Attractor §3\.2\)$/,
    );
  });
});
