import type { PipelineGraph, PipelineNode } from '../../core/model';
import type { Outcome } from '../../core/outcome';
import {
  buildIndex,
  checkGoalGates,
  failureRoute,
  findExitNode,
  findStartNode,
  goalGateRetryTarget,
  humanChoices,
  matchHumanChoice,
  maxAttempts,
  nextStep,
  selectEdge,
} from '../../core/routing';
import { edge, graph, node } from './builders';

const S: Outcome = { status: 'success' };
const F: Outcome = { status: 'fail' };

describe('selectEdge', () => {
  const from = (...edges: Parameters<typeof edge>[]) =>
    graph(['a', ...new Set(edges.map(([, to]) => to))], edges.map(([f, t, x]) => edge(f, t, x)));

  // §11.12 edge-selection rows and the §3.3 steps.
  test.each<[string, PipelineGraph, Outcome, Record<string, unknown>, string | undefined]>([
    ['a condition match wins over weight', from(['a', 'heavy', { weight: 10 }], ['a', 'ok', { condition: 'outcome=success' }]), S, {}, 'ok'],
    ['weight breaks ties among unconditional edges', from(['a', 'x', { weight: 1 }], ['a', 'y', { weight: 2 }]), S, {}, 'y'],
    ['the lexical target id is the final tiebreak', from(['a', 'zeta'], ['a', 'alpha'], ['a', 'mid']), S, {}, 'alpha'],
    ['several conditions match: weight then lexical among them', from(['a', 'b', { condition: 'outcome=success' }], ['a', 'c', { condition: 'outcome!=fail', weight: 1 }], ['a', 'd', { weight: 5 }]), S, {}, 'c'],
    ['conditions read the context', from(['a', 'deploy', { condition: 'outcome=success && context.tests_passed=true' }], ['a', 'wait']), S, { tests_passed: true }, 'deploy'],
    ['no condition matches: best unconditional edge', from(['a', 'fix', { condition: 'outcome=fail' }], ['a', 'next']), S, {}, 'next'],
    ['the preferred label matches after normalization', from(['a', 'ship', { label: '[A] Approve' }], ['a', 'fix', { label: '[F] Fix' }]), { status: 'success', preferred_label: ' fix ' }, {}, 'fix'],
    ['the preferred label beats weight', from(['a', 'ship', { label: 'Ship', weight: 9 }], ['a', 'fix', { label: 'Fix' }]), { status: 'success', preferred_label: 'Fix' }, {}, 'fix'],
    ['suggested ids apply in order when no label matches', from(['a', 'x'], ['a', 'y'], ['a', 'z']), { status: 'success', preferred_label: 'nope', suggested_next_ids: ['missing', 'z', 'y'] }, {}, 'z'],
    ['a matching condition beats the preferred label', from(['a', 'ok', { condition: 'outcome=success' }], ['a', 'fix', { label: 'Fix' }]), { status: 'success', preferred_label: 'Fix' }, {}, 'ok'],
    ['only conditional edges and none holds: NONE, never a false condition (§3.3)', from(['a', 'y', { condition: 'outcome=fail' }], ['a', 'x', { condition: 'outcome=retry' }]), S, {}, undefined],
    ['the label step skips conditional edges (§3.3 step 2)', from(['a', 'fix', { label: 'Fix', condition: 'outcome=fail' }], ['a', 'go']), { status: 'success', preferred_label: 'Fix' }, {}, 'go'],
    ['the suggested-ids step skips conditional edges (§3.3 step 3)', from(['a', 'fix', { condition: 'outcome=fail' }], ['a', 'go']), { status: 'success', suggested_next_ids: ['fix'] }, {}, 'go'],
    ['a false condition is not taken even with a label match and no other edge', from(['a', 'fix', { label: 'Fix', condition: 'outcome=fail' }]), { status: 'success', preferred_label: 'Fix' }, {}, undefined],
    ['an invalid condition never matches', from(['a', 'bad', { condition: 'outcome==success', weight: 9 }], ['a', 'good']), S, {}, 'good'],
    ['the node has no outgoing edges', graph(['a'], []), S, {}, undefined],
  ])('picks the expected edge when %s', (_name, g, outcome, context, to) => {
    expect(selectEdge(g, 'a', outcome, context)?.to).toBe(to);
    expect(selectEdge(g, 'a', outcome, context, buildIndex(g))?.to).toBe(to);
  });

  it('keeps declaration order when two edges tie completely', () => {
    const g = graph(['a', 'b'], [edge('a', 'b', { label: 'first' }), edge('a', 'b', { label: 'second' })]);
    expect(selectEdge(g, 'a', S, {})?.label).toBe('first');
  });
});

describe('nextStep (the one routing step of main line and branches)', () => {
  const g = graph(
    ['start', 'a', 'fixup', 'next', 'retry_here', node('check', { type: 'conditional' }), 'exit'],
    [],
  );
  const on = (edges: ReturnType<typeof edge>[], extra: Partial<PipelineNode> = {}) => ({ g: { ...g, edges }, n: node('a', extra) });

  test.each<[string, ReturnType<typeof edge>[], Partial<PipelineNode>, Outcome, object]>([
    ['a succeeded and its only edge wants a failure', [edge('a', 'fixup', { condition: 'outcome=fail' })], {}, S, { to: undefined, none: 'no_match' }],
    ['a succeeded and an unconditional edge exists', [edge('a', 'fixup', { condition: 'outcome=fail' }), edge('a', 'next')], {}, S, { to: 'next', via: 'edge' }],
    ['a succeeded and has no edges', [], {}, S, { to: undefined, none: 'no_edges' }],
    ['a failed and a fail edge exists', [edge('a', 'fixup', { condition: 'outcome=fail' }), edge('a', 'next')], {}, F, { to: 'fixup', via: 'edge' }],
    ['a failed with only a retry_target', [edge('a', 'next')], { retry_target: 'retry_here' }, F, { to: 'retry_here', via: 'retry_target' }],
    ['a failed and its unconditional edge leads into a conditional node', [edge('a', 'check')], {}, F, { to: 'check', via: 'conditional' }],
    ['a failed and only an unconditional edge to a stage exists', [edge('a', 'next')], {}, F, { to: undefined, none: 'failed' }],
  ])('routes as §3.3/§3.7 say when %s', (_name, edges, extra, outcome, expected) => {
    const { g: gg, n } = on(edges, extra);
    expect(nextStep(gg, n, outcome, {})).toMatchObject(expected);
  });

  it('names the node, the outcome and every unmet condition when no edge applies', () => {
    const { g: gg, n } = on([edge('a', 'fixup', { condition: 'outcome=fail' }), edge('a', 'next', { condition: 'context.x=1' })]);
    const step = nextStep(gg, n, S, {});
    expect(step.to).toBeUndefined();
    if (step.to !== undefined) return;
    expect(step.message).toContain('node "a" ended success');
    expect(step.message).toContain('outcome=fail (-> fixup)');
    expect(step.causes).toEqual(['condition not met at a: outcome=fail (-> fixup)', 'condition not met at a: context.x=1 (-> next)']);
  });
});

describe('goal gates', () => {
  const g = graph(
    ['start', node('impl', { goal_gate: true }), node('review', { goal_gate: true }), 'plan', 'exit'],
    ['start -> plan -> impl -> review -> exit'],
  );

  test.each<[string, Record<string, Outcome['status']>, boolean, string[]]>([
    ['every gate succeeded', { plan: 'fail', impl: 'success', review: 'success' }, true, []],
    ['a gate is only partially successful', { impl: 'partial_success', review: 'success' }, true, []],
    ['a gate failed', { impl: 'success', review: 'fail' }, false, ['review']],
    ['two gates are unsatisfied', { impl: 'retry', review: 'skipped' }, false, ['impl', 'review']],
    ['no gate was visited yet', { plan: 'success' }, true, []],
  ])('blocks or allows the exit as expected when %s', (_name, outcomes, ok, unsatisfied) => {
    const check = checkGoalGates(g, outcomes);
    expect(check.ok).toBe(ok);
    if (!check.ok) {
      expect(check.unsatisfied).toEqual(unsatisfied);
      expect(check.node.id).toBe(unsatisfied[0]);
    }
  });

  it('accepts a Map of outcomes when the workflow keeps one', () => {
    expect(checkGoalGates(g, new Map([['impl', { status: 'fail' as const }]]))).toMatchObject({ ok: false, unsatisfied: ['impl'] });
  });

  const gate = (extra: Partial<PipelineNode>) => node('impl', { goal_gate: true, ...extra });
  test.each<[string, Partial<PipelineNode>, Partial<PipelineGraph>, string | undefined]>([
    ['the node has a retry_target', { retry_target: 'plan', fallback_retry_target: 'start' }, { retry_target: 'start' }, 'plan'],
    ['only the node fallback is set', { fallback_retry_target: 'plan' }, { retry_target: 'start' }, 'plan'],
    ['only the graph retry_target is set', {}, { retry_target: 'plan', fallback_retry_target: 'start' }, 'plan'],
    ['only the graph fallback is set', {}, { fallback_retry_target: 'plan' }, 'plan'],
    ['the node target does not exist', { retry_target: 'gone' }, { retry_target: 'plan' }, 'plan'],
    ['no target is set anywhere', {}, {}, undefined],
  ])('returns the retry target when %s', (_name, nodeExtra, graphExtra, target) => {
    const gg = graph(['start', 'plan', gate(nodeExtra), 'exit'], ['start -> plan -> impl -> exit'], graphExtra);
    expect(goalGateRetryTarget(gg, gate(nodeExtra))).toBe(target);
  });
});

describe('failureRoute', () => {
  const build = (extra: Partial<PipelineNode>, ...edges: ReturnType<typeof edge>[]) => {
    const n = node('impl', extra);
    return { g: graph(['start', n, 'plan', 'fix', 'alt', 'exit'], ['start -> impl', ...edges]), n };
  };

  test.each<[string, Partial<PipelineNode>, ReturnType<typeof edge>[], object | undefined]>([
    ['a fail edge exists', { retry_target: 'plan' }, [edge('impl', 'exit', { condition: 'outcome=success' }), edge('impl', 'fix', { condition: 'outcome=fail' })], { via: 'edge', to: 'fix' }],
    ['an outcome!=success edge exists', {}, [edge('impl', 'alt', { condition: 'outcome!=success' })], { via: 'edge', to: 'alt' }],
    ['there is no fail edge but a retry_target', { retry_target: 'plan', fallback_retry_target: 'alt' }, [edge('impl', 'exit')], { via: 'retry_target', to: 'plan' }],
    ['only a fallback exists', { retry_target: 'missing', fallback_retry_target: 'alt' }, [edge('impl', 'exit', { condition: 'outcome=success' })], { via: 'fallback_retry_target', to: 'alt' }],
    ['nothing routes the failure', {}, [edge('impl', 'exit'), edge('impl', 'fix', { condition: 'outcome=success' })], undefined],
  ])('routes the failure when %s', (_name, extra, edges, expected) => {
    const { g, n } = build(extra, ...edges);
    const route = failureRoute(g, n, { status: 'fail', failure_reason: 'x' }, {});
    if (expected === undefined) expect(route).toBeUndefined();
    else expect(route).toMatchObject(expected);
  });
});

describe('start and exit', () => {
  test.each<[string, PipelineGraph, string | undefined, string | undefined]>([
    ['types mark them', graph([node('begin', { type: 'start' }), node('done', { type: 'exit' })], []), 'begin', 'done'],
    ['only the ids say so', graph([node('Start', { type: 'codergen' }), node('end', { type: 'codergen' })], []), 'Start', 'end'],
    ['nothing marks them', graph(['plan'], []), undefined, undefined],
  ])('finds start and exit when %s', (_name, g, start, exit) => {
    expect(findStartNode(g)?.id).toBe(start);
    expect(findExitNode(g)?.id).toBe(exit);
  });

  test.each([
    [{ max_retries: 3 }, { default_max_retries: 1 }, 4],
    [{}, { default_max_retries: 2 }, 3],
    [{}, {}, 1],
    [{ max_retries: 0 }, { default_max_retries: 5 }, 1],
    [{ max_retries: -2 }, {}, 1],
  ])('allows %j / %j → %d attempts when computing the retry ceiling', (n, gx, attempts) => {
    expect(maxAttempts(graph([], [], gx), node('x', n))).toBe(attempts);
  });

  it('falls back to the profile attempts when neither node nor graph sets retries', () => {
    expect(maxAttempts(graph([], []), node('x', {}), 4)).toBe(4);
    expect(maxAttempts(graph([], [], { default_max_retries: 0 }), node('x', {}), 4)).toBe(1);
  });
});

describe('human choices', () => {
  const g = graph(
    [node('gate', { type: 'wait.human' }), 'ship_it', 'fixes', 'later'],
    [edge('gate', 'ship_it', { label: '[A] Approve' }), edge('gate', 'fixes', { label: 'F) Fix' }), edge('gate', 'later')],
  );

  it('lists one choice per outgoing edge when the gate opens', () => {
    expect(humanChoices(g, 'gate')).toEqual([
      { key: 'A', label: '[A] Approve', to: 'ship_it' },
      { key: 'F', label: 'F) Fix', to: 'fixes' },
      { key: 'L', label: 'later', to: 'later' },
    ]);
  });

  test.each([
    ['ship_it', 'ship_it'],
    ['approve', 'ship_it'],
    ['[A] Approve', 'ship_it'],
    ['a', 'ship_it'],
    ['[f]', 'fixes'],
    ['Later', 'later'],
    ['x', undefined],
    ['', undefined],
  ])('matches the answer %j to %j', (answer, to) => {
    expect(matchHumanChoice(humanChoices(g, 'gate'), answer)?.to).toBe(to);
  });
});
