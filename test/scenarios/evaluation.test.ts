// summarize(): per-scenario results → the EvaluationSummary the pipeline side sees (pass bar,
// must-pass, clusters with counts).
import { summarize, UNKNOWN_MUST_PASS_SIGNATURE, type ScenarioResult, type SuitePlan } from '../../core/evaluation';

const plan = (over: Partial<SuitePlan> = {}): SuitePlan => ({
  id: 's',
  version: '1.0.0',
  digest: 'd',
  count: 4,
  satisfaction: 1,
  mustPassIdx: [],
  unknownMustPass: 0,
  maxTimeoutMs: 1000,
  ...over,
});
const P: ScenarioResult = { status: 'pass' };
const F = (signature = 'sig-aaaaaaaaaaaa'): ScenarioResult => ({ status: 'fail', signature });
const E = (signature = 'sig-eeeeeeeeeeee'): ScenarioResult => ({ status: 'error', signature });

describe('summarize', () => {
  test.each([
    ['all pass', plan(), [P, P, P, P], undefined, { passed: 4, satisfaction: 1, passed_bar: true, mustPassOk: true }],
    ['one fails under a full bar', plan(), [P, P, P, F()], undefined, { failed: 1, satisfaction: 0.75, passed_bar: false }],
    ['one fails under a 0.75 suite bar', plan({ satisfaction: 0.75 }), [P, P, P, F()], undefined, { passed_bar: true, requiredSatisfaction: 0.75 }],
    ['the profile bar is stricter', plan({ satisfaction: 0.5 }), [P, P, P, F()], { satisfaction: 0.9 }, { passed_bar: false, requiredSatisfaction: 0.9 }],
    ['the suite bar is stricter', plan({ satisfaction: 0.9 }), [P, P, P, F()], { satisfaction: 0.5 }, { passed_bar: false, requiredSatisfaction: 0.9 }],
    ['a must-pass scenario fails', plan({ satisfaction: 0.5, mustPassIdx: [3] }), [P, P, P, F()], undefined, { mustPassOk: false, passed_bar: false }],
    ['must-pass scenarios pass', plan({ satisfaction: 0.5, mustPassIdx: [0, 1] }), [P, P, F(), F()], undefined, { mustPassOk: true, passed_bar: true }],
    ['one errors', plan({ satisfaction: 0.5 }), [P, P, P, E()], undefined, { errored: 1, passed_bar: false }],
    ['the suite is empty', plan({ count: 0, satisfaction: 0 }), [], undefined, { total: 0, satisfaction: 0, passed_bar: false }],
    ['a profile must-pass id is unknown', plan({ satisfaction: 0.5, unknownMustPass: 2 }), [P, P, P, P], undefined, { mustPassOk: false, passed_bar: false }],
    ['7 of 10 pass a 0.7 bar', plan({ count: 10, satisfaction: 0.7 }), [P, P, P, P, P, P, P, F(), F(), F()], undefined, { passed_bar: true }],
  ] as const)('computes the pass bar when %s', (_what, p, results, bar, expected) => {
    expect(summarize(p, results, bar)).toMatchObject(expected);
  });

  it('clusters identical signatures with counts, sorted by count then id, when scenarios fail alike', () => {
    const s = summarize(plan({ count: 6 }), [F('sig-bbbbbbbbbbbb'), F('sig-aaaaaaaaaaaa'), F('sig-bbbbbbbbbbbb'), E('sig-cccccccccccc'), F('sig-bbbbbbbbbbbb'), P]);
    expect(s.signatures).toEqual([
      { signature: 'sig-bbbbbbbbbbbb', count: 3, kind: 'fail' },
      { signature: 'sig-aaaaaaaaaaaa', count: 1, kind: 'fail' },
      { signature: 'sig-cccccccccccc', count: 1, kind: 'error' },
    ]);
  });

  it('lists unknown profile must-pass ids as one cluster when the profile names ids the suite lacks', () => {
    expect(summarize(plan({ unknownMustPass: 2 }), [P, P, P, P]).signatures).toEqual([{ signature: UNKNOWN_MUST_PASS_SIGNATURE, count: 2, kind: 'fail' }]);
  });
});
