// Pure gate rules (core/gates): malformed answers name the field and its problem; votes count per choice.
import { applyAnswer, checkAnswer, quorumUnreachable, votesFor, type AnswerInput } from '../../core/gate-rules';
import { QuestionType } from '../../core/questions';
import type { GateAnswer, GateRecord } from '../../core/run-model';

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

describe('checkAnswer', () => {
  test.each<[string, unknown, RegExp]>([
    ['by is missing', {}, /"by" \(who answers\) is required/],
    ['by is blank', { by: '  ' }, /"by" \(who answers\) is required/],
    ['by is a number', { by: 123 }, /"by" must be a string .*not number/],
    ['by is an object', { by: { name: 'x' } }, /"by" must be a string .*not object/],
    ['by is an array', { by: ['a'] }, /"by" must be a string .*not an array/],
  ])('refuses naming the field and its problem when %s', (_name, input, reason) => {
    const check = checkAnswer([gate()], 'approve', input as AnswerInput, undefined);
    expect(check).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });
});

describe('votesFor', () => {
  it('counts one approve of a 2-of-3 quorum as 1/2 for that choice when another approver rejected', () => {
    let g = gate({ approvers: ['a', 'b', 'c'], quorum: 2 });
    g = applyAnswer(g, { choice: 'ship', by: 'a', at: 't', via: 'update' });
    g = applyAnswer(g, { choice: 'revise', by: 'b', at: 't', via: 'update' });
    expect(g.closed).toBe(false);
    expect([votesFor(g, 'ship'), votesFor(g, 'revise')]).toEqual([1, 1]);
    g = applyAnswer(g, { choice: 'ship', by: 'c', at: 't', via: 'update' });
    expect(g).toMatchObject({ closed: true, selected: 'ship' });
    expect(votesFor(g, 'ship')).toBe(2);
  });
});

describe('checkAnswer bounds', () => {
  it('refuses an answer over the size limit without quoting it when a comment is 1.5 MB', () => {
    const comment = 'x'.repeat(1_500_000);
    const check = checkAnswer([gate()], 'approve', { by: 'alice', comment }, undefined);
    expect(check).toMatchObject({ ok: false, reason: expect.stringMatching(/^answer too large: 15000\d\d characters; an answer is at most 16384/) });
    expect((check as { reason: string }).reason.length).toBeLessThan(200);
  });

  test.each<[string, AnswerInput, 'approve' | 'answer']>([
    ['an unknown choice', { by: 'alice', choice: 'y'.repeat(10_000) }, 'answer'],
    ['an unknown gate', { by: 'alice', gate: 'g'.repeat(10_000) }, 'approve'],
    ['a disallowed approver', { by: 'b'.repeat(10_000) }, 'approve'],
  ])('quotes at most 64 characters of the input when refusing %s', (_name, input, kind) => {
    const check = checkAnswer([gate({ approvers: ['alice'] })], kind, input, undefined);
    expect(check.ok).toBe(false);
    expect((check as { reason: string }).reason.length).toBeLessThan(300);
    expect((check as { reason: string }).reason).toMatch(/…\(10000 chars\)/);
  });
});

describe('quorumUnreachable', () => {
  const vote = (by: string, choice: string): GateAnswer => ({ choice, by, at: 't', via: 'update' });
  const yesNo = [
    { key: 'Y', label: 'Yes', to: 'ship', value: 'YES' },
    { key: 'N', label: 'No (decline)', to: '', value: 'NO' },
  ] as GateRecord['choices'];
  test.each<[string, Partial<GateRecord>, string | undefined, QuorumCase]>([
    ['quorum 2 of [a,b] after one approve and one reject', { approvers: ['a', 'b'], quorum: 2, answers: [vote('a', 'ship'), vote('b', 'revise')] }, undefined, { votes: { ship: 1, revise: 1 }, eligible: [] }],
    ['quorum 2 of [a,b,c] after one approve and one reject', { approvers: ['a', 'b', 'c'], quorum: 2, answers: [vote('a', 'ship'), vote('b', 'revise')] }, undefined, 'reachable'],
    ['quorum 3 of [a,b,c] after one reject (all three may still reject)', { approvers: ['a', 'b', 'c'], quorum: 3, answers: [vote('a', 'revise')] }, undefined, 'reachable'],
    ['quorum 3 of [a,b,c] after one approve and one reject', { approvers: ['a', 'b', 'c'], quorum: 3, answers: [vote('a', 'revise'), vote('b', 'ship')] }, undefined, { votes: { revise: 1, ship: 1 }, eligible: ['c'] }],
    ['the starter is the only other approver and may not self-approve', { approvers: ['a', 'me'], quorum: 2, allowSelfApproval: false, answers: [vote('a', 'ship')] }, 'me', { votes: { ship: 1 }, eligible: [] }],
    ['the starter is the other approver and may self-approve', { approvers: ['a', 'me'], quorum: 2, allowSelfApproval: true, answers: [vote('a', 'ship')] }, 'me', 'reachable'],
    ['the only approver started the run and self-approval is off, before any answer', { approvers: ['me'], allowSelfApproval: false }, 'me', { votes: {}, eligible: [] }],
    ['fewer approvers than the quorum, before any answer', { approvers: ['a', 'b'], quorum: 3 }, undefined, { votes: {}, eligible: ['a', 'b'] }],
    ['duplicate names in the approver list count once', { approvers: ['a', 'a'], quorum: 2 }, undefined, { votes: {}, eligible: ['a'] }],
    ['the approver list is open (anyone may answer)', { approvers: [], quorum: 5, answers: [vote('a', 'ship'), vote('b', 'revise')] }, undefined, 'reachable'],
    ['the gate is already closed', { approvers: ['a', 'b'], quorum: 2, answers: [vote('a', 'ship'), vote('b', 'revise')], closed: true }, undefined, 'reachable'],
    ['a yes/no gate split 1–1 with quorum 2 of [a,b]', { question: QuestionType.confirmation, choices: yesNo, approvers: ['a', 'b'], quorum: 2, answers: [vote('a', 'ship'), vote('b', '')] }, undefined, { votes: { ship: 1, '': 1 }, eligible: [] }],
    ['a freeform gate with two replies of a quorum of 2', { question: QuestionType.freeform, choices: [], approvers: ['a', 'b'], quorum: 2, answers: [vote('a', '')] }, undefined, 'reachable'],
    ['a freeform gate whose approvers are fewer than its quorum', { question: QuestionType.freeform, choices: [], approvers: ['a'], quorum: 2, answers: [vote('a', '')] }, undefined, { votes: { '': 1 }, eligible: [] }],
  ])('reports %s', (_name, extra, startedBy, expected) => {
    const result = quorumUnreachable(gate(extra), startedBy);
    if (expected === 'reachable') expect(result).toBeUndefined();
    else expect(result).toEqual({ ...expected, quorum: extra.quorum ?? 1 });
  });
});

type QuorumCase = 'reachable' | { votes: Record<string, number>; eligible: string[] };
