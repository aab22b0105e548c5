import { allowedDecisions, checkDecision, policyChecks, remediationFor, type PolicyInputs } from '../../core/decision-policy';
import type { EvaluationSummary } from '../../core/evaluation';
import type { GateRecord } from '../../core/run-model';

const evaluation = (over: Partial<EvaluationSummary> = {}): EvaluationSummary => ({
  suite: { id: 's', version: '1.0.0', digest: 'd'.repeat(64) },
  total: 4,
  passed: 4,
  failed: 0,
  errored: 0,
  satisfaction: 1,
  requiredSatisfaction: 1,
  mustPassOk: true,
  passed_bar: true,
  signatures: [],
  ...over,
});

const gate = (over: Partial<GateRecord> = {}): GateRecord => ({
  id: 'review',
  node: 'review',
  prompt: 'Review',
  choices: [{ key: 'A', label: 'Approve', to: 'exit' }],
  openedAt: '2026-01-01T00:00:00.000Z',
  approvers: [],
  quorum: 1,
  allowSelfApproval: true,
  answers: [{ choice: 'exit', by: 'alice', via: 'signal', at: '2026-01-01T00:00:01.000Z' }],
  closed: true,
  selected: 'exit',
  ...over,
});

const inputs = (over: Partial<PolicyInputs> = {}): PolicyInputs => ({
  evaluation: evaluation(),
  goalGatesOk: true,
  gates: [gate()],
  approvers: [],
  dependencies: { llm: 'twin' },
  providerKind: 'twin',
  allowedModes: ['real', 'twin'],
  ...over,
});

const failed = (p: Partial<PolicyInputs>) => policyChecks(inputs(p)).filter((c) => !c.ok).map((c) => c.name);

describe('decision policy checks', () => {
  it('passes every check when evaluation, goal gates, approvers and dependencies are fine', () => {
    expect(failed({})).toEqual([]);
    expect(allowedDecisions(policyChecks(inputs()))).toEqual(['approved', 'rejected']);
  });

  test.each([
    ['no evaluation (no suite) cannot approve', { evaluation: undefined }, ['pass_bar']],
    ['a missed pass bar', { evaluation: evaluation({ passed: 3, failed: 1, satisfaction: 0.75, passed_bar: false }) }, ['pass_bar']],
    ['an unsatisfied goal gate', { goalGatesOk: false }, ['goal_gates']],
    ['a gate answered by someone outside the approvers', { approvers: ['bob'] }, ['gate_approvers']],
    ['a gate closed by its timeout', { gates: [gate({ answers: [{ choice: 'exit', by: 'timeout', via: 'timeout', at: 'x' }] })] }, ['gate_approvers']],
    ['an auto-approved gate when approvers are required', { approvers: ['bob'], gates: [gate({ answers: [{ choice: 'exit', by: 'auto-approve', via: 'auto', at: 'x' }] })] }, ['gate_approvers']],
    ['a twin dependency where the environment requires real', { allowedModes: ['real'] }, ['dependency_policy']],
  ])('fails %s', (_name, over, expected) => {
    expect(failed(over as Partial<PolicyInputs>)).toEqual(expected);
    expect(allowedDecisions(policyChecks(inputs(over as Partial<PolicyInputs>)))).toEqual(['rejected']);
  });
});

describe('checkDecision', () => {
  const ok = policyChecks(inputs());
  const bad = policyChecks(inputs({ evaluation: evaluation({ passed_bar: false, passed: 1, failed: 3, satisfaction: 0.25 }) }));

  test.each([
    ['a non-object', null, ok, /malformed/],
    ['an unknown decision', { decision: 'maybe', by: 'a', reason: 'r' }, ok, /"approved" or "rejected"/],
    ['a missing by', { decision: 'approved', reason: 'r' }, ok, /"by"/],
    ['a missing reason', { decision: 'approved', by: 'a' }, ok, /"reason"/],
    ['approved after a failing evaluation', { decision: 'approved', by: 'a', reason: 'r' }, bad, /approved is not allowed: pass_bar/],
    ['rejected without a remediation path', { decision: 'rejected', by: 'a', reason: 'r' }, bad, /remediation/],
  ])('refuses %s', (_name, input, checks, reason) => {
    const res = checkDecision(input as never, checks, []);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toMatch(reason);
  });

  it('refuses a decision over 16 KiB before any other check and without quoting it when its reason is huge', () => {
    const res = checkDecision({ decision: 'approved', by: 'alice', reason: 'x'.repeat(20_000) }, ok, ['alice']);
    expect(res).toEqual({ ok: false, reason: expect.stringMatching(/^decision too large: 200\d\d characters; a decision is at most 16384/) });
    if (!res.ok) expect(res.reason).not.toContain('xxxxxxxx');
  });

  it('quotes at most 64 characters of a hostile decision value or decider when it refuses them', () => {
    const value = checkDecision({ decision: 'y'.repeat(5000) as never, by: 'a', reason: 'r' }, ok, []);
    const decider = checkDecision({ decision: 'approved', by: 'm'.repeat(5000), reason: 'r' }, ok, ['alice']);
    for (const res of [value, decider]) {
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.reason).toMatch(/…\(500\d chars\)/);
      if (!res.ok) expect(res.reason.length).toBeLessThan(200);
    }
  });

  it('refuses a decider outside the approvers list', () => {
    const res = checkDecision({ decision: 'approved', by: 'mallory', reason: 'r' }, ok, ['alice']);
    expect(res).toEqual({ ok: false, reason: expect.stringMatching(/may not decide/) });
  });

  it('accepts approved when every check passes and rejected with a remediation when they do not', () => {
    expect(checkDecision({ decision: 'approved', by: 'alice', reason: 'green' }, ok, ['alice'])).toMatchObject({ ok: true, decision: 'approved' });
    expect(checkDecision({ decision: 'rejected', by: 'alice', reason: 'red', remediation: 'fix greet' }, bad, [])).toMatchObject({ ok: true, decision: 'rejected', remediation: 'fix greet' });
  });

  it('builds a remediation path from the failing signatures, failed checks and a rerun point', () => {
    const ev = evaluation({ passed_bar: false, signatures: [{ signature: 'sig-aaaaaaaaaaaa', count: 2, kind: 'fail' }] });
    const rem = remediationFor(ev, policyChecks(inputs({ evaluation: ev })), 'implement', 'see notes');
    expect(rem).toEqual({ signatures: ev.signatures, rerun_from: 'implement', failed_checks: ['pass_bar'], notes: 'see notes' });
  });
});
