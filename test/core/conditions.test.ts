import { conditionErrors, evaluateCondition, parseCondition, resolveKey } from '../../core/conditions';
import type { Outcome } from '../../core/outcome';

const ok: Outcome = { status: 'success' };

describe('parseCondition', () => {
  test.each([
    ['outcome=success', [{ key: 'outcome', op: '=', value: 'success', column: 1 }]],
    ['  outcome != fail ', [{ key: 'outcome', op: '!=', value: 'fail', column: 3 }]],
    ['context.a.b=1 && preferred_label="Fix it"', [
      { key: 'context.a.b', op: '=', value: '1', column: 1 },
      { key: 'preferred_label', op: '=', value: 'Fix it', column: 18 },
    ]],
    ['tests_passed', [{ key: 'tests_passed', op: 'truthy', value: '', column: 1 }]],
    ['context.msg="a \\"q\\" && \\\\ b"', [{ key: 'context.msg', op: '=', value: 'a "q" && \\ b', column: 1 }]],
    ['context.x=""', [{ key: 'context.x', op: '=', value: '', column: 1 }]],
    ['preferred_label=Fix it now', [{ key: 'preferred_label', op: '=', value: 'Fix it now', column: 1 }]],
    ['human.gate-x.selected=A', [{ key: 'human.gate-x.selected', op: '=', value: 'A', column: 1 }]],
    ['', []],
    ['   ', []],
  ])('returns the clauses when the condition is %j', (text, clauses) => {
    expect(parseCondition(text)).toEqual({ ok: true, clauses });
  });
});

describe('conditionErrors', () => {
  test.each([
    ['outcome=success &&', /empty clause: '&&' is not followed/, 17],
    ['&& outcome=success', /empty clause: '&&' has no clause before/, 1],
    ['a=1 && && b=2', /empty clause/, 5],
    ['=success', /empty key/, 1],
    ['context.a b=1', /bad key 'context.a b': a space/, 10],
    ['context.a$=1', /'\$' is not allowed/, 10],
    ['context.=1', /expected dot-separated names/, 1],
    ['1abc=2', /expected dot-separated names/, 1],
    ['outcome==success', /unsupported operator '==': the condition language only has =, != and &&/, 8],
    ['outcome=success || outcome=fail', /unsupported operator '\|\|'/, 17],
    ['!context.done', /unsupported operator '!'/, 1],
    ['context.n<3', /unsupported operator '<'/, 10],
    ['context.n>=3', /unsupported operator '>='/, 10],
    ['context.n!==3', /unsupported operator '!=='/, 10],
    ['a=1 & b=2', /unexpected '&'/, 5],
    ['outcome=succes', /'succes', which is not a stage status/, 9],
    ['outcome!=SUCCESS', /statuses are lower-case/, 10],
    ['context.x="abc', /unterminated quoted value/, 11],
    ['context.x="abc && outcome=success', /unterminated quoted value/, 11],
    ['context.x="a" b', /unexpected text after the quoted value/, 15],
    ['context.x="a\\qb"', /unknown escape '\\q'/, 13],
    ['context.x=', /missing value after '='/, 10],
    ['context.x = a=b', /unexpected '=' in value/, 14],
    ['context.x"a"', /expected '=' or '!=' before the quoted value/, 10],
  ])('reports an error when the condition is %j', (text, message, column) => {
    const errors = conditionErrors(text);
    expect(errors).toEqual(expect.arrayContaining([{ message: expect.stringMatching(message), column }]));
  });

  it('reports every error when several clauses are wrong', () => {
    expect(conditionErrors('outcome=nope && a==b && ').map((e) => e.column)).toEqual([9, 18, 22]);
  });

  it('returns no errors when the condition is valid', () => {
    expect(conditionErrors('outcome=success && context.tests_passed=true')).toEqual([]);
  });
});

describe('evaluateCondition', () => {
  const ctx = { 'context.tests_passed': true, loop_state: 'running', count: 3, flag: 'false', zero: 0, obj: { a: 1 } };
  test.each(([
    // §11.9 rows
    ['outcome=success', ok, true],
    ['outcome=success', { status: 'fail' }, false],
    ['outcome!=success', { status: 'fail' }, true],
    ['outcome=success && context.tests_passed=true', ok, true],
    ['outcome=success && context.tests_passed=false', ok, false],
    ['preferred_label=Fix', { status: 'success', preferred_label: 'Fix' }, true],
    ['preferred_label=Fix', ok, false],
    ['context.missing=x', ok, false],
    ['context.missing=""', ok, true],
    ['context.missing!=x', ok, true],
    ['', { status: 'fail' }, true],
    // lookup with and without the context. prefix; bare paths
    ['context.loop_state!=exhausted', ok, true],
    ['context.loop_state=running', ok, true],
    ['loop_state=running', ok, true],
    ['count=3', ok, true],
    ['obj={"a":1}', ok, false],
    ['context.obj="{\\"a\\":1}"', ok, true],
    // exact, case-sensitive
    ['loop_state=Running', ok, false],
    // truthiness
    ['loop_state', ok, true],
    ['missing', ok, false],
    ['flag', ok, false],
    ['zero', ok, false],
    ['outcome', ok, true],
    // invalid conditions never hold
    ['outcome==success', ok, false],
  ] as [string, Outcome, boolean][]).map(([text, outcome, expected]) => ({ text, outcome, expected, status: outcome.status })))(
    'returns $expected when the condition is $text and the outcome is $status',
    ({ text, outcome, expected }) => {
      expect(evaluateCondition(text, outcome, ctx)).toBe(expected);
    },
  );

  it('falls back to the unprefixed key when the prefixed one is null', () => {
    expect(resolveKey('context.x', ok, { 'context.x': null, x: 'y' })).toBe('y');
  });

  it('does not read inherited properties when the key names one', () => {
    expect(resolveKey('constructor', ok, {})).toBe('');
  });
});
