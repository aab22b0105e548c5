// Where parallel branches join: the fan-in they all reach, else the first node every branch reaches
// (issue 22's definition for branches that meet without a fan-in), else nowhere.
import { branchJoin } from '../../core/branch-join';
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

  it('finds no join when the branches only meet at the exit', () => {
    const g = graphOf('  a [prompt="a"]\n  b [prompt="b"]\n  start -> p\n  p -> a -> exit\n  p -> b -> exit');
    expect(branchJoin(g, ['a', 'b'])).toBeUndefined();
  });
});
