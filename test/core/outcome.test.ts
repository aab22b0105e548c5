import { failure, isStageStatus, isSuccess, outcomeOf } from '../../core/outcome';

describe('isSuccess', () => {
  test.each([
    ['success', true],
    ['partial_success', true],
    ['retry', false],
    ['fail', false],
    ['skipped', false],
  ] as const)('returns %s → %s for a status and for an outcome', (status, expected) => {
    expect(isSuccess(status)).toBe(expected);
    expect(isSuccess(outcomeOf(status))).toBe(expected);
  });
});

describe('isStageStatus', () => {
  test.each([
    ['success', true],
    ['partial_success', true],
    ['SUCCESS', false],
    ['done', false],
    [1, false],
    [undefined, false],
  ])('returns %j → %s when checking untrusted input', (value, expected) => {
    expect(isStageStatus(value)).toBe(expected);
  });
});

describe('failure', () => {
  it('builds a fail outcome with the reason when a handler catches an error', () => {
    expect(failure('boom')).toEqual({ status: 'fail', failure_reason: 'boom' });
  });
});
