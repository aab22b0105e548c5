// Where parallel branches join: the fan-in they all reach, else the first node every branch reaches
// (issue 22's definition for branches that meet without a fan-in), else nowhere.
import { branchJoin, mergeBranchUpdates } from '../../core/branch-join';
import { loadPipelineDot } from '../../definitions/dot';

const graphOf = (body: string) => {
  const r = loadPipelineDot(`digraph g {\n  start [shape=Mdiamond]\n  exit [shape=Msquare]\n  p [shape=component]\n${body}\n}\n`, 'g.dot');
  if (!r.graph) throw new Error(JSON.stringify(r.diagnostics));
  return r.graph;
};

describe('branchJoin', () => {
  it('joins at the fan-in node every branch reaches', () => {
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  j [shape=tripleoctagon]\n  start -> p\n  p -> a -> j\n  p -> b -> j\n  j -> exit');
    expect(branchJoin(g, ['a', 'b'])).toEqual({ node: 'j', fanIn: true });
  });

  it('joins at the first node both branches reach when there is no fan-in, not at a later one', () => {
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  c [prompt="c"]\n  m [prompt="m"]\n  n [prompt="n"]\n  start -> p\n  p -> a -> m\n  p -> b -> c -> m\n  m -> n -> exit');
    expect(branchJoin(g, ['a', 'b'])).toEqual({ node: 'm', fanIn: false });
  });

  it('joins at the exit when the branches meet nowhere else', () => {
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  start -> p\n  p -> a -> exit\n  p -> b -> exit');
    expect(branchJoin(g, ['a', 'b'])).toEqual({ node: 'exit', fanIn: false });
  });

  it('joins at a branch start that another branch reaches', () => {
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  start -> p\n  p -> a -> b\n  p -> b\n  b -> exit');
    expect(branchJoin(g, ['a', 'b'])).toEqual({ node: 'b', fanIn: false });
  });

  it('does not walk back through the parallel node: a loop to it is not where its branches meet', () => {
    // p -> a -> x -> y -> m, p -> b -> m, m -> p: through p, b reaches a in 3 steps, a reaches m in 3
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  x [prompt="x"]\n  y [prompt="y"]\n  m [prompt="m"]\n  start -> p\n  p -> a -> x -> y -> m\n  p -> b -> m\n  m -> p\n  m -> exit');
    expect(branchJoin(g, ['a', 'b'], undefined, 'p')).toEqual({ node: 'm', fanIn: false });
    expect(branchJoin(g, ['a', 'b'])).toEqual({ node: 'a', fanIn: false });
  });

  it('is not fooled by a loop from the meeting node back into one branch', () => {
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  m [prompt="m"]\n  start -> p\n  p -> a -> m\n  p -> b -> m\n  m -> a [condition="outcome=fail"]\n  m -> exit');
    // b reaches a through m, but m is one step from both
    expect(branchJoin(g, ['a', 'b'], undefined, 'p')).toEqual({ node: 'm', fanIn: false });
  });

  it('prefers the fan-in every branch reaches over an earlier plain meeting node', () => {
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  m [prompt="m"]\n  j [shape=tripleoctagon]\n  start -> p\n  p -> a -> m\n  p -> b -> m\n  m -> j -> exit');
    expect(branchJoin(g, ['a', 'b'], undefined, 'p')).toEqual({ node: 'j', fanIn: true });
  });

  it('finds no join when a branch never reaches what the others reach', () => {
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  start -> p\n  p -> a\n  p -> b -> exit');
    expect(branchJoin(g, ['a', 'b'])).toBeUndefined();
  });
});

/** Own entries as a Map (JSON.parse's own `__proto__` included). */
const upd = (o: Record<string, unknown>) => new Map(Object.entries(o));

describe('mergeBranchUpdates', () => {
  it('applies the branches in edge order: the last setter of a key wins, a differing value is a conflict', () => {
    const r = mergeBranchUpdates([
      { id: 'left', updates: upd({ 'l.only': 1, shared: 'from-left', same: { x: 1, y: 2 } }) },
      { id: 'right', updates: upd({ 'r.only': 2, shared: 'from-right', same: { y: 2, x: 1 } }) },
    ]);
    expect([...r.updates]).toEqual([['l.only', 1], ['shared', 'from-right'], ['same', { y: 2, x: 1 }], ['r.only', 2]]);
    // equal values (key order aside) are no conflict
    expect(r.conflicts).toEqual([{ key: 'shared', values: [{ branch: 'left', value: 'from-left' }, { branch: 'right', value: 'from-right' }], kept: 'right' }]);
  });

  it('never takes the keys the engine owns, nor the stage-level keys of codergen, tool and gate stages, from a branch: no conflict at every join', () => {
    const r = mergeBranchUpdates([
      { id: 'a', updates: upd({ outcome: 'fail', preferred_label: 'x', current_node: 'n', 'parallel.results': [], 'internal.retry_count.n': 3, last_stage: 'a', last_response: 'A', kept: true }) },
      { id: 'b', updates: upd({ last_stage: 'b', last_response: 'B', 'tool.output': 'ok', 'tool.exit_code': 0, 'human.gate.selected': 'yes' }) },
      { id: 'c', updates: upd({ 'tool.output': 'broke', 'tool.exit_code': 2, 'human.gate.selected': 'no' }) },
    ]);
    expect(r).toEqual({ updates: new Map([['kept', true]]), conflicts: [] });
  });

  it('keeps a key named __proto__ as a key (a stage\'s status.json may hold one), and pollutes nothing', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const r = mergeBranchUpdates([
      { id: 'a', updates: upd(hostile) },
      { id: 'b', updates: upd(JSON.parse('{"__proto__": "other"}') as Record<string, unknown>) },
    ]);
    expect([...r.updates.keys()]).toEqual(['__proto__', 'ok']);
    expect(r.conflicts.map((c) => c.key)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
