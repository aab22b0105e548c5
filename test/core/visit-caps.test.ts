// Loop caps (max_visits on a node, max_node_visits on the graph): the pure check the run workflow
// calls before it starts a node, and the values lint reports as no cap.
import { badVisitCaps, visitCapExceeded, visitCapOf } from '../../core/visit-caps';

const node = (id: string, attrs: Record<string, string | number | boolean> = {}) => ({ id, attrs });

describe('visit caps', () => {
  it('takes the node max_visits over the graph max_node_visits', () => {
    expect(visitCapOf({ attrs: { max_node_visits: 5 } }, node('a', { max_visits: 2 }))).toBe(2);
    expect(visitCapOf({ attrs: { max_node_visits: 5 } }, node('a'))).toBe(5);
    expect(visitCapOf({ attrs: {} }, node('a'))).toBeUndefined();
  });

  it('reads a quoted count ("4", as other engines write it) like a bare one', () => {
    expect(visitCapOf({ attrs: {} }, node('a', { max_visits: '4' }))).toBe(4);
  });

  it('allows visits up to the cap and names the node and the cap on the visit after it', () => {
    const g = { attrs: {} };
    const loop = node('loop', { max_visits: 3 });
    expect([1, 2, 3].map((v) => visitCapExceeded(g, loop, v))).toEqual([undefined, undefined, undefined]);
    expect(visitCapExceeded(g, loop, 4)).toBe("node 'loop' exceeded max_visits=3: it would start for the 4th time");
  });

  it("names the graph's max_node_visits when the cap comes from the graph", () => {
    expect(visitCapExceeded({ attrs: { max_node_visits: 1 } }, node('review'), 2)).toBe("node 'review' exceeded the graph's max_node_visits=1: it would start for the 2nd time");
  });

  it.each([[0], [-1], ['three'], [1.5], [true]])('treats %p as no cap and reports it', (value) => {
    const graph = { attrs: {}, nodes: [{ ...node('a', { max_visits: value }) }] } as never;
    expect(visitCapOf({ attrs: {} }, node('a', { max_visits: value }))).toBeUndefined();
    expect(badVisitCaps(graph)).toEqual([{ node: 'a', key: 'max_visits', value }]);
  });
});
