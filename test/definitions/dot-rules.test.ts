// Attractor §2.3 subset rules as diagnostics, their positions, and the source map the DOT loader builds.
import { loadPipelineDot } from '../../definitions/dot';
import { FILE, linear, loadErrors, loadOk } from './dot-helpers';

describe('DOT subset rules (Attractor §2.3)', () => {
  // [what, text, rule, line, column]
  test.each([
    ['a closing brace is missing', 'digraph p {\n  a [prompt="x"]\n', 'dot_syntax', 3, 1],
    ['a string is unterminated', 'digraph p {\n  a [prompt="x]\n}\n', 'dot_syntax', 2, 13],
    ['an attribute has no value', 'digraph p {\n  a [prompt=]\n}', 'dot_syntax', 2, 13],
    ['an arrow has no target', 'digraph p {\n  a -> ;\n}', 'dot_syntax', 2, 8],
    ['the file is empty', '', 'dot_syntax', 1, 1],
    ['the graph is undirected', 'graph p {\n  a -- b\n}', 'undirected_graph', 1, 1],
    ['an undirected graph uses ->', 'graph p {\n  a -> b\n}', 'undirected_graph', 2, 5],
    ['a digraph uses a -- edge', 'digraph p {\n  a -- b\n}', 'undirected_edge', 2, 5],
    ['the graph is strict', '\nstrict digraph p { a }', 'strict_graph', 2, 1],
    ['a second graph follows', 'digraph a { x }\n\n  digraph b { y }', 'multiple_graphs', 3, 3],
    ['a second strict graph follows', 'digraph a { x }\nstrict graph b { y }', 'multiple_graphs', 2, 1],
    ['a node label is HTML', 'digraph p {\n  a [label=<<b>A</b>>]\n}', 'html_label', 2, 12],
    ['a graph label is HTML', 'digraph p {\n  label = <x>\n}', 'html_label', 2, 11],
    ['a node id is quoted with a space', 'digraph p {\n  "run tests" [prompt="x"]\n}', 'invalid_node_id', 2, 3],
    ['a node id starts with a digit', 'digraph p {\n  1st\n}', 'invalid_node_id', 2, 3],
    ['an edge endpoint id has a dash', 'digraph p {\n  a\n  a -> "b-c"\n}', 'invalid_node_id', 3, 8],
    ['max_retries is not an integer', 'digraph p {\n  a [max_retries=abc]\n}', 'invalid_type', 2, 18],
    ['goal_gate is not true/false', 'digraph p {\n  a [goal_gate=yes]\n}', 'invalid_type', 2, 16],
    ['an edge weight is not an integer', 'digraph p {\n  a\n  b\n  a -> b [weight=high]\n}', 'invalid_type', 4, 18],
    ['an edge weight is a decimal', 'digraph p {\n  a\n  b\n  a -> b [weight=1.5]\n}', 'invalid_type', 4, 18],
    ['a timeout is not a duration', 'digraph p {\n  a [timeout="15 minutes"]\n}', 'invalid_duration', 2, 14],
    ['a default timeout is not a duration', 'digraph p {\n  node [timeout=soon]\n  a\n}', 'invalid_duration', 2, 17],
    ['human.timeout is not a duration', 'digraph p {\n  a [human.timeout=tomorrow]\n}', 'invalid_duration', 2, 20],
    ['a human.* key is unknown', 'digraph p {\n  a [human.quorom=2]\n}', 'unknown_key', 2, 6],
  ])('reports %s', (_what, text, rule, line, column) => {
    const diags = loadErrors(text);
    expect(diags).toContainEqual(expect.objectContaining({ rule, severity: 'error', file: FILE, line, column }));
  });

  it('asks for a graph name when the digraph is unnamed and has no id attribute', () => {
    const diags = loadErrors('digraph {\n  start [shape=Mdiamond]\n}');
    expect(diags).toEqual([expect.objectContaining({ rule: 'missing_key', path: 'id', line: 1, column: 1, fix: expect.stringContaining('digraph my_pipeline') })]);
  });

  it('reports every problem at once when a file has several', () => {
    const rules = loadErrors(`digraph p {
      "bad id"
      a [label=<b>, max_retries=x]
      b [timeout="later"]
    }`).map((d) => d.rule);
    expect(rules).toEqual(expect.arrayContaining(['invalid_node_id', 'html_label', 'invalid_type', 'invalid_duration']));
  });

  it('suggests the intended key when a human.* key is misspelt', () => {
    const diags = loadErrors('digraph p { a [human.quorom=2] }');
    expect(diags.find((d) => d.rule === 'unknown_key')?.fix).toMatch(/quorum/);
  });

  it('warns and keeps the edge when an endpoint names a port', () => {
    const result = loadPipelineDot(linear('  plan:out -> exit'), FILE);
    expect(result.graph?.edges.map((e) => `${e.from}->${e.to}`)).toContain('plan->exit');
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ rule: 'dot_port_ignored', severity: 'warning', line: 5 }));
  });

  it('returns diagnostics instead of a graph when the DOT subset is violated but the text parses', () => {
    const result = loadPipelineDot('strict digraph p { start [shape=Mdiamond] exit [shape=Msquare] start -> exit }', FILE);
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.map((d) => d.rule)).toEqual(['strict_graph']);
  });

  it('adds a node after the declared ones when an edge endpoint is never declared as a node statement', () => {
    const g = loadOk(linear('  plan -> review\n  review -> exit'));
    expect(g.nodes.map((n) => n.id)).toEqual(['start', 'plan', 'exit', 'review']);
    expect(g.edges.map((e) => e.to)).toContain('review');
  });
});

describe('DOT source positions', () => {
  const TEXT = `digraph p {
  graph [goal="Ship"]
  node [timeout="900s"]
  start [shape=Mdiamond]
  plan [
    prompt="Plan",
    max_retries=2
  ]
  exit [shape=Msquare]
  start -> plan -> exit [weight=1]
  plan -> start [condition="outcome=fail"]
}
`;

  it('maps model paths to where each element and attribute was written when the file loads', () => {
    const { sourceMap } = loadPipelineDot(TEXT, FILE);
    expect(sourceMap).toMatchObject({
      goal: { line: 2, column: 15 },
      'nodes[plan]': { line: 5, column: 3 },
      'nodes[plan].max_retries': { line: 7, column: 17 },
      'nodes[plan].timeout_ms': { line: 3, column: 17 },
      'edges[0]': { line: 10, column: 3 },
      'edges[1]': { line: 10, column: 12 },
      'edges[1].weight': { line: 10, column: 33 },
      'edges[2].condition': { line: 11, column: 28 },
    });
  });

  it('keeps line numbers exact after a string that spans several lines', () => {
    const text = 'digraph p {\n  a [prompt="one\ntwo\r\nthree"]\n  b [max_retries=x]\n}';
    const diags = loadErrors(text);
    expect(diags).toContainEqual(expect.objectContaining({ rule: 'invalid_type', line: 5, column: 18 }));
  });

  it('points at the opening quote when a string is never closed', () => {
    const diags = loadErrors('digraph p {\n  a [prompt="one\n  b\n}\n');
    expect(diags).toEqual([expect.objectContaining({ rule: 'dot_syntax', line: 2, column: 13 })]);
  });

  it('points the first declaration when a node is declared twice', () => {
    const { sourceMap, graph } = loadPipelineDot(`${TEXT.slice(0, -2)}\n  plan [label="Again"]\n}\n`, FILE);
    expect(graph?.nodes.find((n) => n.id === 'plan')?.label).toBe('Again');
    expect(sourceMap['nodes[plan]']).toEqual({ line: 5, column: 3 });
    expect(sourceMap['nodes[plan].label']).toEqual({ line: 13, column: 15 });
  });
});
