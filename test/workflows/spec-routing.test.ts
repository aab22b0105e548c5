// Issue 22, the run side: loop caps (max_visits / max_node_visits) fail the run naming the node; a dead end
// completes the pipeline as Attractor §3.2 says (goal gates still checked); a human gate's route names the
// edge actually taken when a condition overrides the answer (gate.routed); a strict profile refuses an
// implicit node. Real runs on the shared worker.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint, RunEvent } from '../../core/run-model';
import { answerSignal, runQuery, statusQuery } from '../../workflows/messages';
import { allEvents, eventually, expectGapless, pipelineYaml, readJson, scriptHandler, settle, startedNodes, testProfileYaml, typesOf, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => env.register('test.script', script.handler));

const S = (id: string, attrs = '', extra = '') => `{ id: ${id}, type: test.script${extra ? `, ${extra}` : ''}${attrs ? `, attrs: { ${attrs} }` : ''} }`;
const E = (from: string, to: string, condition?: string, extra = '') => `{ from: ${from}, to: ${to}${condition ? `, condition: "${condition}"` : ''}${extra ? `, ${extra}` : ''} }`;
const of = (events: RunEvent[], type: string) => events.filter((e) => e.type === type);

async function run(text: string, ext: 'yaml' | 'dot' = 'yaml') {
  const handle = await env.start(workspace(text, { ext }));
  const settled = await settle(handle);
  const events = await allEvents(handle);
  const envelope = await handle.query(runQuery);
  const cp = readJson<Checkpoint>(join(envelope.runDir as string, 'checkpoint.json'));
  return { handle, settled, events, envelope, cp, runId: envelope.runId };
}

describe('loop caps (max_visits, max_node_visits)', () => {
  it('fails the run with EXEC_FAILURE naming the node before its visit past max_visits starts', async () => {
    // loop -> loop forever but for the cap; its fail edge to the exit must not turn the cap into a way out
    const r = await run(pipelineYaml('cap-node', [S('loop', 'max_visits: 3')], [E('start', 'loop'), E('loop', 'loop'), E('loop', 'exit', 'outcome=fail')]));
    if (r.settled.ok) throw new Error('expected EXEC_FAILURE at the 4th visit of loop');
    expect(r.settled.failure.type).toBe('EXEC_FAILURE');
    expect(r.settled.failure.message).toContain("node 'loop' exceeded max_visits=3: it would start for the 4th time");
    expect(r.envelope.failure).toMatchObject({ domain: 'EXEC_FAILURE', node: 'loop', recovery: expect.any(String) });
    expect(startedNodes(r.events)).toEqual(['start', 'loop', 'loop', 'loop']);
    expect(script.of(r.runId, 'loop')).toHaveLength(3);
    expect(typesOf(r.events).slice(-3)).toEqual(['stage.completed', 'run.failed', 'run.completed']);
    expect(of(r.events, 'run.failed')[0]?.data).toMatchObject({ domain: 'EXEC_FAILURE', node: 'loop' });
  });

  it("applies the graph's max_node_visits to every node without its own cap", async () => {
    const r = await run(
      pipelineYaml('cap-graph', [S('work', 'outcomes: "fail,fail,success"'), S('fix')], [E('start', 'work'), E('work', 'fix', 'outcome=fail'), E('fix', 'work'), E('work', 'exit', 'outcome=success')], 'attrs: { max_node_visits: 2 }'),
    );
    if (r.settled.ok) throw new Error('expected EXEC_FAILURE at the 3rd visit of work');
    expect(r.settled.failure.message).toContain("node 'work' exceeded the graph's max_node_visits=2: it would start for the 3rd time");
    expect(startedNodes(r.events)).toEqual(['start', 'work', 'fix', 'work', 'fix']);
  });

  it('lets a loop within its cap finish', async () => {
    const r = await run(pipelineYaml('cap-ok', [S('work', 'outcomes: "fail,success", max_visits: 2'), S('fix')], [E('start', 'work'), E('work', 'fix', 'outcome=fail'), E('fix', 'work'), E('work', 'exit', 'outcome=success')]));
    expect(r.settled.ok).toBe(true);
    expect(startedNodes(r.events)).toEqual(['start', 'work', 'fix', 'work']);
  });

  it("runs a foreign conformance graph as its authors meant: wcraigjones' max-visits fails with 'exceeded max_visits'", async () => {
    const text = readFileSync(join(__dirname, '..', 'fixtures', 'foreign', 'wcraigjones__max-visits.dot'), 'utf8');
    const r = await run(text, 'dot');
    if (r.settled.ok) throw new Error('expected the cap to fail the run');
    expect(r.settled.failure.message).toContain('exceeded max_visits=3');
    expect(startedNodes(r.events)).toEqual(['start', 'loop', 'loop', 'loop']);
  });
});

describe('dead ends (Attractor §3.2 step 6)', () => {
  it('completes the pipeline at a node with no outgoing edge, with run.dead_end', async () => {
    const r = await run(pipelineYaml('dead-no-edge', [S('plan'), S('report')], [E('start', 'plan'), E('plan', 'exit', 'outcome=fail'), E('plan', 'report', 'outcome=success')]));
    if (!r.settled.ok) throw new Error(`expected success, got ${r.settled.failure.message}`);
    expect(r.settled.result.outcome).toBe('succeeded');
    expectGapless(r.events);
    expect(startedNodes(r.events)).toEqual(['start', 'plan', 'report']);
    expect(typesOf(r.events).slice(-3)).toEqual(['stage.completed', 'run.dead_end', 'run.completed']);
    expect(of(r.events, 'run.dead_end')[0]?.data).toEqual({ node: 'report', status: 'success', reason: 'node "report" has no outgoing edge to follow' });
    expect(r.cp.current_node).toBe('report');
    expect(r.cp.next_node).toBeUndefined();
    expect(r.cp.completed_nodes).toEqual(['start', 'plan', 'report']);
  });

  it('completes the pipeline when no condition on the node\'s edges holds, naming each condition', async () => {
    const r = await run(pipelineYaml('dead-no-match', [S('a'), S('fixup')], [E('start', 'a'), E('a', 'fixup', 'outcome=fail'), E('fixup', 'exit')]));
    expect(r.settled.ok).toBe(true);
    expect(script.of(r.runId, 'fixup')).toHaveLength(0);
    expect(of(r.events, 'run.dead_end')[0]?.data).toMatchObject({ node: 'a', status: 'success', conditions: ['condition not met at a: outcome=fail (-> fixup)'] });
  });

  it('still fails the run when the node at the dead end failed (§3.2: RETURN outcome)', async () => {
    const r = await run(pipelineYaml('dead-failed', [S('a', 'outcomes: fail')], [E('start', 'a'), E('a', 'exit', 'outcome=success')]));
    if (r.settled.ok) throw new Error('expected EXEC_FAILURE');
    expect(r.settled.failure.message).toContain('stage "a" failed and has no failure route: scripted fail at a visit 1');
    expect(typesOf(r.events)).not.toContain('run.dead_end');
  });

  it('checks goal gates at a dead end as at the exit: detours to the retry target, then fails with none left', async () => {
    const r = await run(
      pipelineYaml(
        'dead-goal-gate',
        [S('impl', 'outcomes: "fail,success"', 'goal_gate: true, retry_target: impl'), S('note')],
        [E('start', 'impl'), E('impl', 'exit', 'outcome=success'), E('impl', 'note', 'outcome=fail')],
      ),
    );
    expect(r.settled.ok).toBe(true);
    expect(startedNodes(r.events)).toEqual(['start', 'impl', 'note', 'impl']);
    expect(of(r.events, 'goal_gate.unsatisfied')[0]?.data).toMatchObject({ node: 'impl', retryTarget: 'impl' });
    expect(r.cp.completed_nodes).toEqual(['start', 'impl', 'note', 'impl', 'exit']);

    const f = await run(pipelineYaml('dead-goal-fail', [S('impl', 'outcomes: fail', 'goal_gate: true'), S('note')], [E('start', 'impl'), E('impl', 'exit', 'outcome=success'), E('impl', 'note', 'outcome=fail')]));
    if (f.settled.ok) throw new Error('a dead end must not bypass an unsatisfied goal gate');
    expect(f.settled.failure.message).toContain('goal gate impl (fail) is unsatisfied and no retry target is set');
    expect(typesOf(f.events).slice(-4)).toEqual(['run.dead_end', 'goal_gate.unsatisfied', 'run.failed', 'run.completed']);
  });
});

describe('gate routes told truly (gate.routed)', () => {
  /** review's answer picks ship or revise; an edge to hold whose condition holds overrides either. */
  const gated = (freeze: string) =>
    pipelineYaml(
      'gate-routed',
      [S('prep', `set: "freeze=${freeze}"`), '{ id: review, type: wait.human, prompt: "Ship it?" }', S('ship'), S('revise'), S('hold')],
      [E('start', 'prep'), E('prep', 'review'), E('review', 'ship', undefined, 'label: "[A] Approve"'), E('review', 'revise', undefined, 'label: "[R] Revise"'), E('review', 'hold', 'context.freeze=yes', 'label: "Hold"'), E('ship', 'exit'), E('revise', 'exit'), E('hold', 'exit')],
    );

  async function answered(freeze: string) {
    const handle = await env.start(workspace(gated(freeze)));
    await eventually(async () => ((await handle.query(statusQuery)).openGates.includes('review') ? true : undefined));
    await handle.signal(answerSignal, { choice: 'ship', by: 'alice' });
    const settled = await settle(handle);
    return { settled, events: await allEvents(handle) };
  }

  it('names the edge a condition took instead of the answer, with overridden: true', async () => {
    const { settled, events } = await answered('yes');
    expect(settled.ok).toBe(true);
    expect(startedNodes(events)).toEqual(['start', 'prep', 'review', 'hold']);
    expect(of(events, 'gate.answered')[0]?.data).toMatchObject({ gate: 'review', choice: 'ship' });
    expect(of(events, 'gate.routed')).toHaveLength(1);
    expect(of(events, 'gate.routed')[0]?.data).toEqual({
      gate: 'review',
      node: 'review',
      selected: 'ship',
      to: 'hold',
      via: 'edge',
      edge: { from: 'review', to: 'hold', label: 'Hold', condition: 'context.freeze=yes' },
      overridden: true,
    });
    // after the gate closed and the run resumed, before the next node starts
    const types = typesOf(events);
    expect(types.indexOf('gate.routed')).toBe(types.indexOf('run.resumed') + 2);
    expect(types[types.indexOf('gate.routed') - 1]).toBe('stage.completed');
  });

  it('names the answer\'s own edge with overridden: false when no condition holds', async () => {
    const { settled, events } = await answered('no');
    expect(settled.ok).toBe(true);
    expect(startedNodes(events)).toEqual(['start', 'prep', 'review', 'ship']);
    expect(of(events, 'gate.routed')[0]?.data).toEqual({ gate: 'review', node: 'review', selected: 'ship', to: 'ship', via: 'edge', edge: { from: 'review', to: 'ship', label: '[A] Approve' }, overridden: false });
  });
});

describe('strict profiles refuse implicit_node (a misspelt edge endpoint)', () => {
  const dot = 'digraph typo {\n  start [shape=Mdiamond]\n  exit [shape=Msquare]\n  review [prompt="Review it"]\n  start -> review -> exit\n  review -> reviw\n}\n';

  it('fails the run with BOOT_FAILURE before any node runs, naming the line and the declared id', async () => {
    const handle = await env.start(workspace(dot, { ext: 'dot', profile: testProfileYaml('  lint: strict\n') }));
    const settled = await settle(handle);
    if (settled.ok) throw new Error('expected BOOT_FAILURE');
    expect(settled.failure.type).toBe('BOOT_FAILURE');
    expect(settled.failure.message).toMatch(/pipeline\.dot:6:\d+ warning implicit_node node 'reviw' appears only in edges.*did you mean 'review'\?.*\(refused: the profile sets policy\.lint: strict\)/);
  });

  it('runs the same graph under a lenient profile: the implicit node is a warning, not a refusal', async () => {
    const r = await run(dot, 'dot');
    expect(r.settled.ok).toBe(true);
    expect(startedNodes(r.events)).toContain('review');
  });
});
