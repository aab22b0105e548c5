// Traversal through the run workflow (Attractor §3.2–3.4, §4.7–4.9): goal gates and their retry_target
// detour, conditional routing on outcome and on context, parallel fan-out/fan-in with join policies.
import { join } from 'node:path';
import type { Checkpoint } from '../../core/run-model';
import { runQuery } from '../../workflows/messages';
import { allEvents, pipelineYaml, readJson, scriptHandler, settle, startedNodes, typesOf, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.script', script.handler));

const S = (id: string, attrs = '') => `{ id: ${id}, type: test.script${attrs ? `, attrs: { ${attrs} }` : ''} }`;
const E = (from: string, to: string, condition?: string, extra = '') =>
  `{ from: ${from}, to: ${to}${condition ? `, condition: "${condition}"` : ''}${extra ? `, ${extra}` : ''} }`;

async function run(yaml: string) {
  const ws = workspace(yaml);
  const handle = await env.start(ws);
  const settled = await settle(handle);
  const events = await allEvents(handle);
  const envelope = await handle.query(runQuery);
  const cp = readJson<Checkpoint>(join(envelope.runDir as string, 'checkpoint.json'));
  return { handle, settled, events, envelope, cp, runId: envelope.runId };
}

describe('goal gates', () => {
  it('exits without a detour when every goal gate succeeded', async () => {
    const r = await run(pipelineYaml('gg-pass', [S('impl').replace('type: test.script', 'type: test.script, goal_gate: true')], [E('start', 'impl'), E('impl', 'exit')]));
    expect(r.settled.ok).toBe(true);
    expect(typesOf(r.events)).not.toContain('goal_gate.unsatisfied');
    expect(r.cp.completed_nodes).toEqual(['start', 'impl', 'exit']);
  });

  it('detours to retry_target with goal_gate.unsatisfied, then exits when the gate passes on the second visit', async () => {
    const r = await run(
      pipelineYaml(
        'gg-detour',
        [S('plan'), `{ id: impl, type: test.script, goal_gate: true, retry_target: plan, attrs: { outcomes: "fail,success" } }`, S('note')],
        [E('start', 'plan'), E('plan', 'impl'), E('impl', 'exit', 'outcome=success'), E('impl', 'note', 'outcome=fail'), E('note', 'exit')],
      ),
    );
    expect(r.settled.ok).toBe(true);
    expect(startedNodes(r.events)).toEqual(['start', 'plan', 'impl', 'note', 'plan', 'impl']);
    const detour = r.events.find((e) => e.type === 'goal_gate.unsatisfied');
    expect(detour?.data).toEqual({ node: 'impl', status: 'fail', unsatisfied: ['impl'], retryTarget: 'plan' });
    // the detour happens at the exit: after note, before the second plan
    const types = typesOf(r.events);
    expect(types.indexOf('goal_gate.unsatisfied')).toBeGreaterThan(r.events.findIndex((e) => e.type === 'stage.started' && e.data['node'] === 'note'));
    expect(r.cp.node_outcomes['impl']).toBe('success');
    expect(r.cp.completed_nodes).toEqual(['start', 'plan', 'impl', 'note', 'plan', 'impl', 'exit']);
    expect(r.envelope.stages['impl']).toMatchObject({ executions: 2, status: 'success' });
  });

  it('uses the graph-level retry_target when the goal gate node has none', async () => {
    const r = await run(
      pipelineYaml(
        'gg-graph-target',
        [S('plan'), `{ id: impl, type: test.script, goal_gate: true, attrs: { outcomes: "fail,success" } }`, S('note')],
        [E('start', 'plan'), E('plan', 'impl'), E('impl', 'exit', 'outcome=success'), E('impl', 'note', 'outcome=fail'), E('note', 'exit')],
        'retry_target: plan',
      ),
    );
    expect(r.settled.ok).toBe(true);
    expect(r.events.find((e) => e.type === 'goal_gate.unsatisfied')?.data['retryTarget']).toBe('plan');
  });

  it('fails the run with EXEC_FAILURE when a goal gate is unsatisfied and no retry target exists', async () => {
    const r = await run(
      pipelineYaml(
        'gg-fail',
        [`{ id: impl, type: test.script, goal_gate: true, attrs: { outcomes: fail } }`, S('note')],
        [E('start', 'impl'), E('impl', 'exit', 'outcome=success'), E('impl', 'note', 'outcome=fail'), E('note', 'exit')],
      ),
    );
    if (r.settled.ok) throw new Error('expected EXEC_FAILURE');
    expect(r.settled.failure.type).toBe('EXEC_FAILURE');
    expect(r.settled.failure.message).toContain('goal gate impl (fail) is unsatisfied and no retry target is set');
    expect(typesOf(r.events).slice(-3)).toEqual(['goal_gate.unsatisfied', 'run.failed', 'run.completed']);
    expect(r.envelope.failure).toMatchObject({ domain: 'EXEC_FAILURE', node: 'impl' });
  });

  it('names every unsatisfied goal gate with its status when several fail and no retry target exists', async () => {
    const r = await run(
      pipelineYaml(
        'gg-many',
        [`{ id: impl, type: test.script, goal_gate: true, attrs: { outcomes: fail } }`, `{ id: docs, type: test.script, goal_gate: true, attrs: { outcomes: fail } }`, S('ok')],
        [E('start', 'impl'), E('impl', 'docs', 'outcome=fail'), E('impl', 'exit', 'outcome=success'), E('docs', 'ok', 'outcome=fail'), E('docs', 'exit', 'outcome=success'), E('ok', 'exit')],
      ),
    );
    if (r.settled.ok) throw new Error('expected EXEC_FAILURE');
    expect(r.settled.failure.message).toContain('goal gates impl (fail), docs (fail) are unsatisfied and no retry target is set');
    expect(r.events.find((e) => e.type === 'goal_gate.unsatisfied')?.data['unsatisfied']).toEqual(['impl', 'docs']);
  });
});

describe('conditional routing', () => {
  const onOutcome = (cmd: string) =>
    pipelineYaml(
      'cond-outcome',
      [`{ id: work, type: tool, tool_command: "${cmd}" }`, '{ id: gate, type: conditional }', S('on_ok'), S('on_fail')],
      [E('start', 'work'), E('work', 'gate'), E('gate', 'on_ok', 'outcome=success'), E('gate', 'on_fail', 'outcome=fail'), E('on_ok', 'exit'), E('on_fail', 'exit')],
    );

  test.each([
    ['success', 'exit 0', 'on_ok'],
    ['fail', 'exit 1', 'on_fail'],
  ])('routes a conditional node on the outcome it passes through when the stage before ends %s', async (_s, cmd, target) => {
    const r = await run(onOutcome(cmd));
    expect(r.settled.ok).toBe(true);
    expect(startedNodes(r.events)).toEqual(['start', 'work', 'gate', target]);
    // conditional nodes run in workflow code: no stage directory, no activity
    expect(r.events.find((e) => e.type === 'stage.completed' && e.data['node'] === 'gate')?.data['status']).toBe(_s);
  });

  const onContext = pipelineYaml(
    'cond-context',
    [S('pick', 'set: "$SET"'), '{ id: gate, type: conditional }', S('path_a'), S('path_b'), S('path_other')],
    [
      E('start', 'pick'),
      E('pick', 'gate'),
      E('gate', 'path_a', 'context.lane=a'),
      E('gate', 'path_b', 'context.lane=b && outcome=success'),
      E('gate', 'path_other', 'context.lane!=a && context.lane!=b'),
      E('path_a', 'exit'),
      E('path_b', 'exit'),
      E('path_other', 'exit'),
    ],
  );

  test.each([
    ['lane=a', 'path_a'],
    ['lane=b', 'path_b'],
    ['lane=zzz', 'path_other'],
    ['other=1', 'path_other'],
  ])('routes on context values when the stage before sets %s', async (set, target) => {
    const r = await run(onContext.replace('$SET', set));
    expect(r.settled.ok).toBe(true);
    expect(startedNodes(r.events)).toEqual(['start', 'pick', 'gate', target]);
  });

  it('makes one stage\'s context updates visible to the next stage when they run in sequence', async () => {
    const r = await run(pipelineYaml('ctx-flow', [S('first', 'set: "greeting=hello"'), S('second')], [E('start', 'first'), E('first', 'second'), E('second', 'exit')]));
    expect(script.of(r.runId, 'second')[0]?.context['greeting']).toBe('hello');
    expect(r.cp.context['greeting']).toBe('hello');
  });

  it('prefers the edge whose condition matches over a heavier unconditional edge', async () => {
    const r = await run(
      pipelineYaml('cond-weight', [S('work'), S('heavy'), S('matched')], [E('start', 'work'), E('work', 'heavy', undefined, 'weight: 10'), E('work', 'matched', 'outcome=success'), E('heavy', 'exit'), E('matched', 'exit')]),
    );
    expect(startedNodes(r.events)).toEqual(['start', 'work', 'matched']);
  });

  it('follows the preferred label when the stage names one', async () => {
    const r = await run(
      pipelineYaml('cond-label', [S('work', 'label: "Take B"'), S('a'), S('b')], [E('start', 'work'), E('work', 'a', undefined, 'label: "Take A"'), E('work', 'b', undefined, 'label: "Take B"'), E('a', 'exit'), E('b', 'exit')]),
    );
    expect(startedNodes(r.events)).toEqual(['start', 'work', 'b']);
  });
});

describe('no edge applies (Attractor §3.3 NONE)', () => {
  it('never takes an edge whose condition is false when a succeeded and its only edge is outcome=fail: the run ends at a (§3.2 dead end)', async () => {
    const r = await run(pipelineYaml('none-false-cond', [S('a'), S('fixup')], [E('start', 'a'), E('a', 'fixup', 'outcome=fail'), E('fixup', 'exit')]));
    expect(startedNodes(r.events)).toEqual(['start', 'a']);
    expect(script.of(r.runId, 'fixup')).toHaveLength(0);
    expect(r.settled.ok).toBe(true);
    const deadEnd = r.events.find((e) => e.type === 'run.dead_end');
    expect(deadEnd?.data['reason']).toContain('node "a" ended success and no outgoing edge applies');
    expect(deadEnd?.data['conditions']).toEqual(['condition not met at a: outcome=fail (-> fixup)']);
  });

  it('fails the branch with the same reason when a parallel branch has no edge that applies', async () => {
    const r = await run(
      pipelineYaml(
        'none-branch',
        ['{ id: fan, type: parallel, join_policy: wait_all }', S('b1'), S('b2'), S('fixup'), '{ id: join, type: parallel.fan_in }'],
        [E('start', 'fan'), E('fan', 'b1'), E('fan', 'b2'), E('b1', 'join'), E('b2', 'fixup', 'outcome=fail'), E('fixup', 'join'), E('join', 'exit')],
      ),
    );
    expect(r.settled.ok).toBe(true);
    expect(script.of(r.runId, 'fixup')).toHaveLength(0);
    const results = r.cp.context['parallel.results'] as { id: string; status: string; failure_reason?: string }[];
    expect(results.map((x) => [x.id, x.status])).toEqual([
      ['b1', 'success'],
      ['b2', 'fail'],
    ]);
    expect(results[1]?.failure_reason).toContain('node "b2" ended success and no outgoing edge applies');
    expect(r.cp.node_outcomes['fan']).toBe('partial_success');
  });
});

describe('parallel fan-out / fan-in', () => {
  const parallel = (policy: string, b1: string, b2: string) =>
    pipelineYaml(
      `par-${policy.replace('_', '-')}`,
      [
        `{ id: fan, type: parallel, join_policy: ${policy} }`,
        S('b1_first', `set: "from_b1=yes", outcomes: "${b1}", sleep_ms: 100`),
        S('b1_second', 'sleep_ms: 50'),
        S('b2_first', `outcomes: "${b2}", sleep_ms: 400`),
        S('b2_second'),
        '{ id: join, type: parallel.fan_in }',
        S('after'),
      ],
      [
        E('start', 'fan'),
        E('fan', 'b1_first'),
        E('fan', 'b2_first'),
        E('b1_first', 'b1_second'),
        E('b2_first', 'b2_second'),
        E('b1_second', 'join'),
        E('b2_second', 'join'),
        E('join', 'after', 'outcome=success'),
        E('join', 'exit', 'outcome=fail'),
        E('after', 'exit'),
      ],
    );

  it('runs branches concurrently on cloned contexts and hands parallel.results to the fan-in when join_policy is wait_all', async () => {
    const r = await run(parallel('wait_all', 'success', 'success'));
    expect(r.settled.ok).toBe(true);
    const [b1] = script.of(r.runId, 'b1_first');
    const [b2] = script.of(r.runId, 'b2_first');
    // concurrent: b2 started before b1 finished
    expect((b2 as { at: number }).at).toBeLessThan((b1 as { endedAt: number }).endedAt);
    // a branch sees its own updates, never the other branch's
    expect(script.of(r.runId, 'b1_second')[0]?.context['from_b1']).toBe('yes');
    expect(script.of(r.runId, 'b2_second')[0]?.context['from_b1']).toBeUndefined();
    // at the join the branches' updates are merged into the main line (docs/attractor.md), beside parallel.results
    expect(script.of(r.runId, 'after')[0]?.context['from_b1']).toBe('yes');
    const results = script.of(r.runId, 'after')[0]?.context['parallel.results'];
    expect(results).toEqual([
      { id: 'b1_first', status: 'success', outcome: 'success', last_node: 'b1_second', context_keys: ['from_b1'] },
      { id: 'b2_first', status: 'success', outcome: 'success', last_node: 'b2_second', context_keys: [] },
    ]);
    expect(r.cp.context['parallel.fan_in.best_id']).toBe('b1_first');
    expect(r.cp.node_outcomes['fan']).toBe('success');
    const branchStarts = r.events.filter((e) => e.type === 'stage.started' && e.data['branch']).map((e) => `${e.data['branch']}:${e.data['node']}`);
    expect(branchStarts.sort()).toEqual(['b1_first:b1_first', 'b1_first:b1_second', 'b2_first:b2_first', 'b2_first:b2_second']);
    expect(startedNodes(r.events).slice(-2)).toEqual(['join', 'after']);
  });

  it('reports partial_success and still joins when join_policy is wait_all and one branch fails', async () => {
    const r = await run(parallel('wait_all', 'success', 'fail'));
    expect(r.settled.ok).toBe(true);
    expect(r.cp.node_outcomes['fan']).toBe('partial_success');
    const results = r.cp.context['parallel.results'] as { id: string; status: string }[];
    expect(results.map((x) => [x.id, x.status])).toEqual([
      ['b1_first', 'success'],
      ['b2_first', 'fail'],
    ]);
    // §4.8 step 5 / §5.1 parallel.*: the counts beside the results
    expect(r.cp.context).toMatchObject({ 'parallel.success_count': 1, 'parallel.fail_count': 1, 'parallel.total': 2 });
    expect(script.of(r.runId, 'b2_second')).toHaveLength(0);
    expect(startedNodes(r.events).slice(-2)).toEqual(['join', 'after']);
  });

  it('succeeds when join_policy is first_success and one branch succeeds', async () => {
    const r = await run(parallel('first_success', 'fail', 'success'));
    expect(r.settled.ok).toBe(true);
    expect(r.cp.node_outcomes['fan']).toBe('success');
    expect(r.cp.context['parallel.fan_in.best_id']).toBe('b2_first');
  });

  it('fails the parallel node when join_policy is first_success and every branch fails', async () => {
    const r = await run(parallel('first_success', 'fail', 'fail'));
    if (r.settled.ok) throw new Error('expected EXEC_FAILURE: the parallel node failed with no fail route');
    expect(r.settled.failure.type).toBe('EXEC_FAILURE');
    expect(r.events.find((e) => e.type === 'stage.failed' && e.data['node'] === 'fan')?.data['failure_reason']).toContain('join policy first_success not satisfied');
  });
});
