// Mermaid text: a flowchart every line of which is one of the statements we emit, with balanced
// node brackets, safe ids, quoted labels, gate badges and status classes.
import type { PipelineGraph } from '../../core/model';
import { STATUS_COLOURS, toMermaid } from '../../render';
import { mermaidIds } from '../../render/mermaid';
import { awaitingReview, FEATURE_NODES, featureGraph } from './fixtures';

let graph: PipelineGraph;
beforeAll(async () => {
  graph = await featureGraph();
});

const ID = '[A-Za-z][A-Za-z0-9_]*';
const LABEL = '"[^"]*"';
/** Every statement form toMermaid writes after the front matter and header. */
const STATEMENTS: Record<string, RegExp> = {
  node: new RegExp(`^  (${ID})(\\(\\(\\(|\\(\\(|\\[\\[|\\{\\{|\\[/|\\[\\\\|\\{|\\[|>)${LABEL}(\\)\\)\\)|\\)\\)|\\]\\]|\\}\\}|/\\]|\\}|\\])$`),
  edge: new RegExp(`^  (${ID}) (-->|-\\.->)(\\|${LABEL}\\|)? (${ID})$`),
  classDef: /^ {2}classDef status_[a-z_]+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6}$/,
  class: new RegExp(`^  class ${ID}(,${ID})* status_[a-z_]+$`),
  style: new RegExp(`^  style ${ID} stroke-width:\\d+px$`),
};

/** Checks the text statement by statement; returns the ids defined and the edges drawn. */
function parse(text: string): { nodes: string[]; edges: [string, string][] } {
  const lines = text.trimEnd().split('\n');
  expect(lines.slice(0, 4)).toEqual(['---', expect.stringMatching(/^title: ".*"$/), '---', 'flowchart TD']);
  const nodes: string[] = [];
  const edges: [string, string][] = [];
  for (const line of lines.slice(4)) {
    const kind = Object.keys(STATEMENTS).find((k) => STATEMENTS[k]?.test(line));
    if (!kind) throw new Error(`not a statement toMermaid writes: ${JSON.stringify(line)}`);
    if (kind === 'node') nodes.push(STATEMENTS.node?.exec(line)?.[1] as string);
    const edge = kind === 'edge' ? STATEMENTS.edge?.exec(line) : null;
    if (edge) edges.push([edge[1] as string, edge[4] as string]);
  }
  return { nodes, edges };
}

describe('toMermaid', () => {
  it('writes only well-formed statements, each node once and edges between defined nodes, for the example', () => {
    const { nodes, edges } = parse(toMermaid(graph));
    expect(nodes).toEqual([...FEATURE_NODES]);
    expect(edges).toEqual(graph.edges.map((e) => [e.from, e.to]));
  });

  test.each([
    ['start', '(("Start"))'],
    ['plan', '["Plan"]'],
    ['test', '[/"Run tests"/]'],
    ['check', '{"Tests passing?"}'],
    ['review', '{{"Review the change<br/>[gate]"}}'],
    ['implement', '["Implement<br/>[goal gate]"]'],
    ['exit', '((("Exit")))'],
  ])('draws %s as %s when rendering the example', (id, shape) => {
    expect(toMermaid(graph).split('\n')).toContain(`  ${id}${shape}`);
  });

  it('writes conditions on dotted edges and thickens the borders of gates when the example has both', () => {
    const text = toMermaid(graph);
    expect(text).toContain('  check -.->|"Pass<br/>[outcome=success]"| review\n');
    expect(text).toContain('  review -->|"[A] Approve"| exit\n');
    expect(text).toContain('  style implement stroke-width:4px\n');
    expect(text).toContain('  style review stroke-width:3px\n');
  });

  it('assigns each node the class of its status, with the shared palette, when given a run', () => {
    const text = toMermaid(graph, { envelope: awaitingReview() });
    parse(text);
    expect(text).toContain(`  classDef status_running fill:${STATUS_COLOURS.running.fill},stroke:${STATUS_COLOURS.running.stroke},color:${STATUS_COLOURS.running.font}\n`);
    expect(text).toContain('  class start,plan,implement,test,check status_success\n');
    expect(text).toContain('  class fix status_fail\n');
    expect(text).toContain('  class review status_running\n');
    expect(text).toContain('  class exit status_not_reached\n');
    expect(text).toMatch(/^title: ".*run run-test: awaiting_human"$/m);
  });

  it('escapes quotes, pipes, hashes and angle brackets as entity codes when labels contain them', () => {
    const odd: PipelineGraph = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'plan' ? { ...n, label: 'say "hi" | <b> #1' } : n)),
      edges: graph.edges.map((e) => (e.from === 'start' ? { ...e, label: 'a|b' } : e)),
    };
    const text = toMermaid(odd);
    parse(text);
    expect(text).toContain('  plan["say #34;hi#34; #124; #60;b#62; #35;1"]\n');
    expect(text).toContain('  start -->|"a#124;b"| plan\n');
  });
});

describe('mermaidIds', () => {
  test.each([
    [['plan', 'fix'], ['plan', 'fix']],
    [['end', 'graph'], ['n0_end', 'n1_graph']],
    [['a-b', 'a.b'], ['n0_a_b', 'n1_a_b']],
    [['_x', '9lives'], ['n0__x', 'n1_9lives']],
    [['n0_a', 'a-'], ['n0_a', 'n1_a_']],
  ])('maps %j to %j so ids are plain words that never collide', (ids, expected) => {
    expect([...mermaidIds(ids).values()]).toEqual(expected);
  });
});

describe('hostile labels (issue 24 item 5)', () => {
  it('keeps a line break in a node or edge label inside the label, so it cannot write a line of its own', () => {
    const hostile: PipelineGraph = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'review' ? { ...n, label: 'Review\nall gates approved' } : n)),
      edges: graph.edges.map((e, i) => (i === 0 ? { ...e, label: 'go\r\nall gates approved' } : e)),
    };
    const text = toMermaid(hostile);
    parse(text);
    expect(text.split('\n').some((l) => l.startsWith('all gates approved'))).toBe(false);
    expect(text).toContain('{{"Review<br/>all gates approved<br/>[gate]"}}');
  });
});
