// Answers delivered after a gate's deadline (issue 24 item 2, the pure half): refused as late when the
// workflow passes its time, so the timeout route is the only one taken.
import { checkAnswer } from '../../core/gate-rules';
import type { GateRecord } from '../../core/run-model';

const gate = (extra: Partial<GateRecord> = {}): GateRecord => ({
  id: 'review',
  node: 'review',
  prompt: 'Ship it?',
  choices: [
    { to: 'ship', label: '[A] Approve', key: 'A' },
    { to: 'revise', label: '[R] Revise', key: 'R' },
  ],
  openedAt: '2024-01-01T00:00:00.000Z',
  approvers: [],
  quorum: 1,
  allowSelfApproval: true,
  answers: [],
  closed: false,
  ...extra,
});

describe('answers after the deadline', () => {
  const due = gate({ deadline: '2026-01-01T00:01:00.000Z' });
  test.each<[string, number | undefined, boolean]>([
    ['before the deadline', Date.parse('2026-01-01T00:00:59.999Z'), true],
    ['at the deadline', Date.parse('2026-01-01T00:01:00.000Z'), false],
    ['30 s after the deadline', Date.parse('2026-01-01T00:01:30.000Z'), false],
    ['with no time given (callers before the patch)', undefined, true],
  ])('judges an approve delivered %s', (_when, now, ok) => {
    const check = checkAnswer([due], 'approve', { by: 'alice' }, undefined, now === undefined ? {} : { now });
    if (ok) expect(check).toMatchObject({ ok: true });
    else expect(check).toMatchObject({ ok: false, reason: 'gate "review" passed its deadline at 2026-01-01T00:01:00.000Z (late answer); its timeout route is taken' });
  });

  it('takes an answer whenever it comes when the gate has no deadline', () => {
    expect(checkAnswer([gate()], 'approve', { by: 'alice' }, undefined, { now: Date.parse('2999-01-01T00:00:00.000Z') })).toMatchObject({ ok: true });
  });
});
