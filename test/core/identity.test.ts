// Approver identities (issue 24 item 4): one person cannot count twice by changing case, width or by
// padding a name with invisible characters, and cannot approve her own run by spelling her name differently.
import { checkDecision, policyChecks, type PolicyCheck } from '../../core/decision-policy';
import { applyAnswer, checkAnswer, quorumUnreachable } from '../../core/gate-rules';
import { normalizeIdentity } from '../../core/identity';
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

describe('normalizeIdentity', () => {
  test.each<[string, string]>([
    ['alice', 'alice'],
    ['Alice', 'alice'],
    ['  ALICE ', 'alice'],
    ['\uff41\uff4c\uff49\uff43\uff45', 'alice'], // fullwidth ａｌｉｃｅ
    ['\uff21lice', 'alice'], // fullwidth capital A
    ['Stra\u00dfe', 'strasse'],
    ['e\u0301ve', '\u00e9ve'], // combining accent composes
    ['alice\u00a0smith', 'alice smith'], // no-break space is a space
  ])('folds %j to %j', (name, want) => {
    expect(normalizeIdentity(name)).toEqual({ ok: true, name: want });
  });

  test.each<[string, string]>([
    ['alice\u200b', '200B'], // zero-width space
    ['al\u200dice', '200D'], // zero-width joiner
    ['\u2066alice', '2066'], // bidi isolate
    ['alice\u00ad', '00AD'], // soft hyphen
    ['\ufeffalice', 'FEFF'], // byte-order mark
    ['alice\u001b[2J', '001B'], // escape: clear screen
    ['ali\u0000ce', '0000'],
    ['alice\u2028', '2028'],
    ['\u3164', '1160'], // Hangul filler (looks blank; NFKC maps it to another invisible filler)
  ])('refuses %j naming U+%s', (name, cp) => {
    expect(normalizeIdentity(name)).toEqual({ ok: false, reason: expect.stringContaining(`U+${cp}`) });
  });
});

describe('quorum with look-alike names', () => {
  it('counts alice, Alice and fullwidth alice as one approver and refuses alice+U+200B when the quorum is 3', () => {
    let g = gate({ quorum: 3 });
    const first = checkAnswer([g], 'approve', { by: 'alice' }, undefined);
    expect(first).toMatchObject({ ok: true, by: 'alice' });
    if (!first.ok) return;
    g = applyAnswer(g, { choice: first.choice.to, by: first.by, at: 't', via: 'update' });
    for (const by of ['Alice', '\uff41\uff4c\uff49\uff43\uff45', ' alice ']) {
      expect(checkAnswer([g], 'approve', { by }, undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/^duplicate answer: "alice" already answered/) });
    }
    expect(checkAnswer([g], 'approve', { by: 'alice\u200b' }, undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed answer: "by" .*U\+200B/) });
  });

  it('matches a configured approver list whatever the case or width either side uses', () => {
    const g = gate({ approvers: ['Alice', 'bob'] });
    expect(checkAnswer([g], 'approve', { by: '\uff41lice' }, undefined)).toMatchObject({ ok: true, by: 'alice' });
    expect(checkAnswer([g], 'approve', { by: 'BOB' }, undefined)).toMatchObject({ ok: true, by: 'bob' });
    expect(checkAnswer([g], 'approve', { by: 'mallory' }, undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/may not answer/) });
  });

  it('sees the quorum unreachable when the only approvers left are the starter under another spelling', () => {
    const g = gate({ approvers: ['alice', 'bob'], quorum: 2, allowSelfApproval: false, answers: [{ choice: 'ship', by: 'bob', at: 't', via: 'update' }] });
    expect(quorumUnreachable(g, 'ALICE')).toMatchObject({ eligible: [] });
  });
});

describe('self-approval with look-alike names', () => {
  test.each(['alice', 'Alice', ' ALICE', '\uff41\uff4c\uff49\uff43\uff45'])('refuses the starter answering her own gate as %j', (by) => {
    const g = gate({ allowSelfApproval: false });
    expect(checkAnswer([g], 'approve', { by }, 'Alice')).toMatchObject({ ok: false, reason: expect.stringMatching(/^self-approval is not allowed/) });
  });

  const checks: PolicyCheck[] = [{ name: 'pass_bar', ok: true, detail: 'ok' }];
  const decide = { decision: 'approved', reason: 'fine' };

  test.each(['alice', 'Alice', '\uff41lice'])('refuses the starter deciding her own run as %j when self-approval is off', (by) => {
    expect(checkDecision({ ...decide, by }, checks, [], { startedBy: 'alice', allowSelfApproval: false })).toMatchObject({ ok: false, reason: expect.stringMatching(/^self-approval is not allowed/) });
  });

  it('lets the starter decide when self-approval is allowed, recording the normalised name', () => {
    expect(checkDecision({ ...decide, by: 'Alice' }, checks, [], { startedBy: 'alice', allowSelfApproval: true })).toMatchObject({ ok: true, by: 'alice' });
  });

  it('refuses a decision by a name with a zero-width space and matches approvers case-blind', () => {
    expect(checkDecision({ ...decide, by: 'bob\u200b' }, checks, ['bob'])).toMatchObject({ ok: false, reason: expect.stringMatching(/U\+200B/) });
    expect(checkDecision({ ...decide, by: 'BOB' }, checks, ['bob'])).toMatchObject({ ok: true, by: 'bob' });
  });

  it('accepts a gate answer recorded under an approver list spelled differently', () => {
    const closed = gate({ approvers: ['Alice'], closed: true, selected: 'ship', answers: [{ choice: 'ship', by: 'alice', at: 't', via: 'update' }] });
    const check = policyChecks({ goalGatesOk: true, gates: [closed], approvers: ['ALICE'], dependencies: {}, providerKind: 'twin', allowedModes: ['twin'] }).find((c) => c.name === 'gate_approvers');
    expect(check).toMatchObject({ ok: true });
  });
});
