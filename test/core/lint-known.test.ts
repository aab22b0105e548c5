// Issue 22's lint rules on DOT text: every attribute known (unknown_attr with a did-you-mean at the
// attribute's name), unknown shapes say what the node runs as, conditions on a gate's edges, parallel
// branches without a fan-in, tool nodes without a command; and the order lint reports them in.
import { rootCauseFirst } from '../../client/root-cause';
import { explainLines } from '../../client/explain';
import { sortDiagnostics, type Diagnostic } from '../../core/diagnostics';
import { lintPipeline } from '../../core/lint';
import { loadPipelineDot } from '../../definitions/dot';

const lint = (text: string): Diagnostic[] => {
  const r = loadPipelineDot(text, 'g.dot');
  if (!r.graph) throw new Error(JSON.stringify(r.diagnostics));
  return [...r.diagnostics, ...lintPipeline(r.graph, { file: 'g.dot', sourceMap: r.sourceMap })];
};
const only = (diags: Diagnostic[], rule: string) => diags.filter((d) => d.rule === rule);
const graph = (body: string, head = '') => `digraph g {\n  ${head}start [shape=Mdiamond]\n  exit [shape=Msquare]\n${body}\n}\n`;

describe('unknown_attr', () => {
  it.each([
    ['a node', '  a [prompt="x", promt="y"]\n  start -> a -> exit', 4, 18, "did you mean 'prompt'?"],
    ['an edge', '  a [prompt="x"]\n  start -> a\n  a -> exit [wieght=2]', 6, 14, "did you mean 'weight'?"],
    ['the graph', '  goall="x"\n  a [prompt="x"]\n  start -> a -> exit', 4, 3, "did you mean 'goal'?"],
  ])('names a typo on %s with the intended word at the attribute name', (_where, body, line, column, fix) => {
    const hits = only(lint(graph(body)), 'unknown_attr');
    expect(hits).toEqual([expect.objectContaining({ severity: 'warning', file: 'g.dot', line, column, fix })]);
  });

  it('knows the spec, our extensions and Graphviz drawing attributes', () => {
    const text = graph(
      '  a [prompt="x", color=red, style=filled, fontname="Inter", system="s", tools=false, max_visits=2, tool_hooks.pre="true"]\n  start -> a -> exit [color=blue, penwidth=2, weight=1]',
      'rankdir=LR\n  ranksep=0.5\n  max_node_visits=3\n  ',
    );
    expect(only(lint(text), 'unknown_attr')).toEqual([]);
  });

  it('takes a graph attribute of the pipeline\'s own as a parameter ($name in prompts, factory run -p), but still names a near-miss of a known one', () => {
    const params = graph('  a [prompt="on $branch"]\n  start -> a -> exit', 'branch="main"\n  ticket="ABC-1"\n  ');
    // branch is used as $branch; ticket is used by no prompt, so it changes nothing (issue 22: no silent attribute)
    const hits = only(lint(params), 'unknown_attr');
    expect(hits.map((d) => d.path)).toEqual(['attrs.ticket']);
    expect(hits[0]?.fix).toContain('use it as $ticket in a node\'s prompt');
    const typo = graph('  a [prompt="x"]\n  start -> a -> exit', 'defualt_fidelity="full"\n  ');
    expect(only(lint(typo), 'unknown_attr').map((d) => d.fix)).toEqual(["did you mean 'default_fidelity'?"]);
  });

  it("gives a dialect's counterpart where the name differs (retry_limit, model)", () => {
    const hits = only(lint(graph('  a [prompt="x", retry_limit=3, model="m"]\n  start -> a -> exit')), 'unknown_attr');
    expect(hits.map((d) => d.fix)).toEqual([expect.stringContaining('max_retries'), expect.stringContaining('llm_model')]);
  });

  it('leaves the attributes of a custom handler type alone: its handler reads them', () => {
    expect(only(lint(graph('  a [type="deploy.k8s", cluster="eu-1"]\n  start -> a -> exit')), 'unknown_attr')).toEqual([]);
  });
});

describe('unknown_shape', () => {
  it('says a misspelt shape runs as codergen and what the near shape would make it', () => {
    const [d] = only(lint(graph('  review [shape=hexagone, label="Review"]\n  start -> review -> exit')), 'unknown_shape');
    expect(d).toMatchObject({ line: 4, column: 17, fix: "did you mean 'hexagon'?" });
    expect(d?.message).toBe("node 'review' has shape 'hexagone', which is not an Attractor shape: it runs as codergen (shape=hexagon would make it wait.human)");
  });

  it('is silent when an explicit type decides the handler and the shape only draws', () => {
    expect(only(lint(graph('  a [type=tool, shape=folder, tool_command="true"]\n  start -> a -> exit')), 'unknown_shape')).toEqual([]);
  });
});

describe('gate_condition, parallel_fan_in, tool_command_missing', () => {
  it("warns about a condition on a human gate's edge: it can override the answer", () => {
    const text = graph('  g [shape=hexagon]\n  start -> g\n  g -> exit [label="[A] Approve", condition="outcome=success"]\n  g -> start2 [label="[R] Reject"]\n  start2 [prompt="x"]\n  start2 -> exit');
    expect(only(lint(text), 'gate_condition')).toEqual([expect.objectContaining({ edge: { from: 'g', to: 'exit' }, line: 6 })]);
  });

  it('says (info) that branches meeting at a node that is not a fan-in stop there and it runs once after them', () => {
    const text = graph('  p [shape=component]\n  a [prompt="a"]\n  b [prompt="b"]\n  merge [prompt="m"]\n  start -> p\n  p -> a -> merge\n  p -> b -> merge\n  merge -> exit');
    const [d] = only(lint(text), 'parallel_fan_in');
    expect(d).toMatchObject({ severity: 'info', node: 'p' });
    expect(d?.message).toBe("the branches of parallel node 'p' meet at 'merge', which is not a fan-in node: each branch stops there and 'merge' runs once after them");
    const fixed = text.replace('merge [prompt="m"]', 'merge [shape=tripleoctagon]');
    expect(only(lint(fixed), 'parallel_fan_in')).toEqual([]);
  });

  it('says (info) that branches meeting only at the exit end there, and nothing for a loop back to the parallel node', () => {
    const text = graph('  p [shape=component]\n  a [prompt="a"]\n  b [prompt="b"]\n  start -> p\n  p -> a -> exit\n  p -> b -> exit\n  a -> p [condition="outcome=fail"]');
    expect(only(lint(text), 'parallel_fan_in')).toEqual([
      expect.objectContaining({ severity: 'info', message: "the branches of parallel node 'p' meet only at the exit 'exit': each stops before it, then the run ends" }),
    ]);
  });

  it('warns when the branches never meet: the run would fail at the parallel node', () => {
    const text = graph('  p [shape=component]\n  a [prompt="a"]\n  b [prompt="b"]\n  start -> p\n  p -> a\n  p -> b -> exit');
    const [d] = only(lint(text), 'parallel_fan_in');
    expect(d).toMatchObject({ severity: 'warning', node: 'p', message: expect.stringContaining('never reach a common node: the run fails') });
  });

  it('warns when a tool node has no tool_command, naming a near-miss attribute', () => {
    const [d] = only(lint(graph('  t [shape=parallelogram, tool_comand="make"]\n  start -> t -> exit')), 'tool_command_missing');
    expect(d?.fix).toBe("'tool_comand' is set: did you mean 'tool_command'?");
  });
});

describe('lint output', () => {
  it("puts an implicit_node did-you-mean before the knock-on findings it causes", () => {
    const text = graph('  review [prompt="x"]\n  start -> reveiw\n  review -> exit');
    const ordered = rootCauseFirst(sortDiagnostics(lint(text))).map((d) => d.rule);
    expect(ordered[0]).toBe('implicit_node');
    expect(ordered).toContain('reachability');
  });

  it("points a graph-level error at the graph's line, never 0:0", () => {
    const r = lint('// a comment\n\ndigraph g {\n  a [prompt="x"]\n}\n');
    expect(only(r, 'start_node')).toEqual([expect.objectContaining({ line: 3, column: 1 })]);
  });

  it('explains the handler each node resolves to, and why', () => {
    const r = loadPipelineDot(graph('  review [shape=hexagone]\n  build [type=tool, tool_command="true"]\n  start -> review -> build -> exit'), 'g.dot');
    const lines = explainLines(r.graph!, r.sourceMap);
    expect(lines.find((l) => l.includes('review'))).toMatch(/review → codergen \(shape 'hexagone' is not an Attractor shape, so the default;/);
    expect(lines.find((l) => l.includes('build'))).toMatch(/build {2}→ tool \(type=tool;/);
    expect(lines.find((l) => l.includes('start'))).toMatch(/→ start \(shape=Mdiamond; in the workflow\)/);
  });
});
