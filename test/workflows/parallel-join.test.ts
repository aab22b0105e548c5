// Parallel branches joined where they meet, through real runs (issues 22 and 24): a component node whose
// branches meet at a plain node (no fan-in) stops them there and runs that node once after them; the
// branches' context updates are merged at the join in edge order, a conflict recorded; a branch's visits
// of a node count for that branch alone (its stage directories).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint, RunEvent } from '../../core/run-model';
import { validateEvent } from '../../core/contracts';
import { readEventsFile } from '../../client/events-file';
import { formatEvent } from '../../client/progress';
import { runQuery } from '../../workflows/messages';
import { allEvents, handlerOf, readJson, scriptHandler, settle, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const script = scriptHandler();
beforeAll(() => {
  env.register('test.pj', script.handler);
  // counts its own visits in the branch's context: `loops` 1, then 2
  env.register('test.pj_loop', handlerOf((stage) => ({ status: 'success', context_updates: { loops: Number(stage.context['loops'] ?? 0) + 1 } })));
});

async function run(dot: string) {
  const ws = workspace(dot, { ext: 'dot' });
  const handle = await env.start(ws);
  const settled = await settle(handle);
  const events = await allEvents(handle);
  const envelope = await handle.query(runQuery);
  const runDir = envelope.runDir as string;
  return { settled, events, runDir, runId: envelope.runId, cp: readJson<Checkpoint>(join(runDir, 'checkpoint.json')) };
}

const ended = (e: RunEvent) => e.type === 'stage.completed' || e.type === 'stage.failed';
const at = (events: readonly RunEvent[], pred: (e: RunEvent) => boolean) => events.findIndex(pred);

// left: one stage; right: a stage that loops on itself once, then both go to `meet` (a plain stage)
const MEET = `digraph pj {
  start [shape=Mdiamond]
  exit  [shape=Msquare]
  fan   [shape=component]
  left  [type="test.pj", set="left.done=yes,shared=L", sleep_ms=300]
  right [type="test.pj", set="right.done=yes,shared=R"]
  again [type="test.pj_loop"]
  meet  [type="test.pj"]
  after [type="test.pj"]
  start -> fan
  fan -> left
  fan -> right
  left -> meet
  right -> again
  again -> again [condition="context.loops=1"]
  again -> meet  [condition="context.loops=2"]
  meet -> after -> exit
}
`;

describe('parallel branches that meet without a fan-in node', () => {
  let r: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    r = await run(MEET);
  }, 120_000);

  it('stop at the first node they all reach, which runs once on the main line after both, and the run goes on from it', () => {
    expect(r.settled.ok).toBe(true);
    const meetStarts = r.events.filter((e) => e.type === 'stage.started' && e.data['node'] === 'meet');
    expect(meetStarts).toHaveLength(1);
    expect(meetStarts[0]?.data['branch']).toBeUndefined();
    expect(script.of(r.runId, 'meet')).toHaveLength(1);
    const meetAt = at(r.events, (e) => e.type === 'stage.started' && e.data['node'] === 'meet');
    const leftDone = at(r.events, (e) => ended(e) && e.data['node'] === 'left');
    const lastAgain = r.events.map((e, i) => (ended(e) && e.data['node'] === 'again' ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    expect(leftDone).toBeGreaterThan(-1);
    expect(lastAgain).toBeGreaterThan(-1);
    expect(meetAt).toBeGreaterThan(Math.max(leftDone, lastAgain));
    // after `meet` the run goes on along meet's edge; no branch runs again
    const started = r.events.filter((e) => e.type === 'stage.started').map((e) => String(e.data['node']));
    expect(started.slice(-2)).toEqual(['meet', 'after']);
    expect(started.filter((n) => n === 'left' || n === 'right')).toHaveLength(2);
    expect(r.cp.completed_nodes.slice(-4)).toEqual(['fan', 'meet', 'after', 'exit']);
    const joined = r.events.find((e) => e.type === 'parallel.joined');
    expect(joined?.data).toMatchObject({ node: 'fan', join: 'meet', fan_in: false });
    // the join event comes before the parallel node's own end
    expect(at(r.events, (e) => e.type === 'parallel.joined')).toBeLessThan(at(r.events, (e) => ended(e) && e.data['node'] === 'fan'));
    // meet's stage directory is the main line's, not a branch's
    expect(existsSync(join(r.runDir, 'meet'))).toBe(true);
    expect(readdirSync(r.runDir).filter((d) => d.startsWith('meet@'))).toEqual([]);
  });

  it('merges the branches\' context updates at the join in edge order and records the conflict', () => {
    const seen = script.of(r.runId, 'meet')[0]?.context ?? {};
    expect(seen).toMatchObject({ 'left.done': 'yes', 'right.done': 'yes', loops: 2, shared: 'R' });
    expect(seen['parallel.conflicts']).toEqual([
      {
        key: 'shared',
        values: [
          { branch: 'left', value: 'L' },
          { branch: 'right', value: 'R' },
        ],
        kept: 'right',
      },
    ]);
    expect(seen['parallel.results']).toEqual([
      { id: 'left', status: 'success', outcome: 'success', last_node: 'left', context_keys: ['left.done', 'shared'] },
      { id: 'right', status: 'success', outcome: 'success', last_node: 'again', context_keys: ['right.done', 'shared', 'loops'] },
    ]);
    const joined = r.events.find((e) => e.type === 'parallel.joined');
    expect(joined?.data).toEqual({
      node: 'fan',
      join: 'meet',
      fan_in: false,
      branches: [
        { id: 'left', status: 'success', last_node: 'left' },
        { id: 'right', status: 'success', last_node: 'again' },
      ],
      merged: ['left.done', 'shared', 'right.done', 'loops'],
      conflicts: [{ key: 'shared', branches: ['left', 'right'], kept: 'right' }],
    });
    // the run's context keeps them after the join
    expect(r.cp.context).toMatchObject({ shared: 'R', 'left.done': 'yes', 'right.done': 'yes' });
    // the parallel node's notes name the conflict
    const fanDone = r.events.find((e) => ended(e) && e.data['node'] === 'fan');
    expect(fanDone?.data['status']).toBe('success');
  });

  it('writes parallel.joined and branch_visit as the event schemas say, and `factory run` shows the join', () => {
    const file = readEventsFile(join(r.runDir, 'events.jsonl'));
    expect(file.problems).toEqual([]);
    expect(file.events).toEqual(r.events);
    expect(r.events.flatMap((e) => { const c = validateEvent(e); return c.ok ? [] : c.issues; })).toEqual([]);
    const joined = r.events.find((e) => e.type === 'parallel.joined') as RunEvent;
    expect(formatEvent(joined)).toMatch(/⋈ fan: branches joined at meet, 4 context keys merged; conflicts: shared \(kept right's\)$/);
  });

  it('counts a branch\'s visits of a node for that branch: its loop gets @v2, its first visit none', () => {
    const again = r.events.filter((e) => e.type === 'stage.started' && e.data['node'] === 'again');
    expect(again.map((e) => [e.data['branch'], e.data['visit'], e.data['branch_visit']])).toEqual([
      ['right', 1, 1],
      ['right', 2, 2],
    ]);
    expect(readdirSync(r.runDir).filter((d) => d.startsWith('again@')).sort()).toEqual(['again@right', 'again@right@v2']);
  });
});

describe('branches that reach one node before their fan-in', () => {
  it('each get that node\'s first visit in their own directory, whichever branch came second', async () => {
    const r = await run(`digraph pv {
  start [shape=Mdiamond]
  exit  [shape=Msquare]
  fan   [shape=component]
  a     [type="test.pj", sleep_ms=200]
  b     [type="test.pj"]
  check [type="test.pj"]
  done  [shape=tripleoctagon]
  start -> fan
  fan -> a -> check
  fan -> b -> check
  check -> done -> exit
}
`);
    expect(r.settled.ok).toBe(true);
    const checks = r.events.filter((e) => e.type === 'stage.started' && e.data['node'] === 'check');
    // the run counts the node's visits (1, 2); each branch is at its first
    expect(checks.map((e) => e.data['visit']).sort()).toEqual([1, 2]);
    expect(checks.map((e) => [e.data['branch'], e.data['branch_visit']]).sort()).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(readdirSync(r.runDir).filter((d) => d.startsWith('check@') || d === 'check').sort()).toEqual(['check@a', 'check@b']);
    expect(r.events.find((e) => e.type === 'parallel.joined')?.data).toMatchObject({ join: 'done', fan_in: true, merged: [], conflicts: [] });
  }, 120_000);
});

describe('other places branches join', () => {
  const graph = (body: string) => `digraph pe {\n  start [shape=Mdiamond]\n  exit  [shape=Msquare]\n  fan   [shape=component]\n  a     [type="test.pj", set="from_a=1"]\n  b     [type="test.pj", set="from_b=1"]\n  start -> fan\n${body}\n}\n`;

  it('branches that meet only at the exit end there, and the run ends after them: no branch runs again', async () => {
    const r = await run(graph('  fan -> a -> exit\n  fan -> b -> exit'));
    expect(r.settled.ok).toBe(true);
    const started = r.events.filter((e) => e.type === 'stage.started').map((e) => `${String(e.data['node'])}${e.data['branch'] ? `@${String(e.data['branch'])}` : ''}`);
    expect(started).toEqual(['start', 'fan', 'a@a', 'b@b']);
    expect(r.events.find((e) => e.type === 'parallel.joined')?.data).toMatchObject({ join: 'exit', fan_in: false, merged: ['from_a', 'from_b'] });
    expect(r.cp.completed_nodes.slice(-2)).toEqual(['fan', 'exit']);
    expect(r.cp.context).toMatchObject({ from_a: '1', from_b: '1' });
  }, 120_000);

  it('a branch start another branch reaches is the join: that branch runs nothing, the node runs once after the other', async () => {
    const r = await run(graph('  fan -> a -> b\n  fan -> b\n  b -> exit'));
    expect(r.settled.ok).toBe(true);
    const started = r.events.filter((e) => e.type === 'stage.started').map((e) => `${String(e.data['node'])}${e.data['branch'] ? `@${String(e.data['branch'])}` : ''}`);
    expect(started).toEqual(['start', 'fan', 'a@a', 'b']);
    expect(script.of(r.runId, 'b')[0]?.context['parallel.results']).toEqual([
      { id: 'a', status: 'success', outcome: 'success', last_node: 'a', context_keys: ['from_a'] },
      { id: 'b', status: 'skipped', outcome: 'skipped', last_node: 'b', notes: 'branch start b is the join node: it runs once after the branches', context_keys: [] },
    ]);
    // no branch failed: wait_all is success (§4.8), the skipped branch does not make it partial
    expect(r.cp.node_outcomes['fan']).toBe('success');
  }, 120_000);
});

describe('codergen branches at the join', () => {
  it('merge no last_stage/last_response: no conflict at every join, and the next stage does not continue one branch\'s thread', async () => {
    const r = await run(`digraph pc {
  start [shape=Mdiamond]
  exit  [shape=Msquare]
  plan  [prompt="Plan it"]
  fan   [shape=component]
  one   [prompt="Try one way"]
  two   [prompt="Try another way"]
  meet  [type="test.pj"]
  start -> plan -> fan
  fan -> one -> meet
  fan -> two -> meet
  meet -> exit
}
`);
    expect(r.settled.ok).toBe(true);
    expect(r.events.find((e) => e.type === 'parallel.joined')?.data).toMatchObject({ join: 'meet', merged: [], conflicts: [] });
    // what ran last on the main line before the fan-out, as before it
    expect(script.of(r.runId, 'meet')[0]?.context['last_stage']).toBe('plan');
    expect(readdirSync(r.runDir).filter((d) => d.startsWith('one@') || d.startsWith('two@')).sort()).toEqual(['one@one', 'two@two']);
    expect(existsSync(join(r.runDir, 'one@one', 'response.md'))).toBe(true);
  }, 120_000);
});

describe('branch visits across continue-as-new', () => {
  it('carry on: the second time round the fan-out, after a hand-over, each branch is at its second visit (@v2), no directory reused', async () => {
    const ws = workspace(
      `digraph pl {
  start [shape=Mdiamond]
  exit  [shape=Msquare]
  fan   [shape=component]
  a     [type="test.pj"]
  b     [type="test.pj"]
  meet  [type="test.pj", outcomes="fail,success"]
  start -> fan
  fan -> a -> meet
  fan -> b -> meet
  meet -> fan  [condition="outcome=fail"]
  meet -> exit [condition="outcome=success"]
}
`,
      { ext: 'dot' },
    );
    // a hand-over (continue-as-new) after every main-line node
    const handle = await env.start(ws, { historyLimit: 1 });
    const settled = await settle(handle);
    expect(settled.ok).toBe(true);
    const events = await allEvents(handle);
    expect(events.filter((e) => e.type === 'run.continued_as_new').length).toBeGreaterThanOrEqual(2);
    const aStarts = events.filter((e) => e.type === 'stage.started' && e.data['node'] === 'a');
    expect(aStarts.map((e) => [e.data['visit'], e.data['branch_visit']])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const runDir = (await handle.query(runQuery)).runDir as string;
    expect(readdirSync(runDir).filter((d) => /^[ab]@/.test(d)).sort()).toEqual(['a@a', 'a@a@v2', 'b@b', 'b@b@v2']);
  }, 180_000);
});
