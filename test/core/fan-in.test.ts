import { branchJoin } from '../../core/branch-join';
import { graph, node } from './builders';

const fanIn = (id: string) => node(id, { type: 'parallel.fan_in', shape: 'tripleoctagon' });

describe('branchJoin: the fan-in node every branch reaches', () => {
  test.each([
    ['the join both branches reach', ['a -> join', 'b -> join', 'join -> exit'], ['a', 'b'], 'join'],
    ['the nearer join when two are on the way', ['a -> j1 -> j2', 'b -> j1'], ['a', 'b'], 'j1'],
    ['the later join when only it is shared', ['a -> j1 -> j2', 'b -> j2'], ['a', 'b'], 'j2'],
    ['nothing when the branches never meet', ['a -> j1', 'b -> j2'], ['a', 'b'], undefined],
    ['nothing without branches', ['a -> j1'], [], undefined],
  ])('finds %s', (_name, edges, starts, expected) => {
    const g = graph(['a', 'b', fanIn('join'), fanIn('j1'), fanIn('j2'), 'exit'], edges);
    expect(branchJoin(g, starts)).toEqual(expected === undefined ? undefined : { node: expected, fanIn: true });
  });
});
