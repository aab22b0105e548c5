// DOT emitted from the model: one statement per node and edge, shapes per type, labels, conditions,
// gate marks and (for a run) status colours.
import type { PipelineGraph } from '../../core/model';
import { STATUS_COLOURS, toDot } from '../../render';
import { quote } from '../../render/dot';
import { awaitingReview, FEATURE_NODES, featureGraph } from './fixtures';

let graph: PipelineGraph;
beforeAll(async () => {
  graph = await featureGraph();
});

/** The attribute list of node `id`'s statement, as a key → value map. */
function nodeAttrs(dot: string, id: string): Record<string, string> {
  const line = dot.split('\n').find((l) => l.trimStart().startsWith(`${quote(id)} [`));
  if (!line) throw new Error(`no statement for node ${id}`);
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|[^,\]\s]+)/g)) out[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
  return out;
}

describe('toDot', () => {
  it('emits one digraph with a statement per node and per edge when given the example pipeline', () => {
    const dot = toDot(graph);
    expect(dot.startsWith('digraph "feature-pipeline" {\n')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    const nodeLines = dot.split('\n').filter((l) => /^ {2}"[^"]+" \[/.test(l));
    const edgeLines = dot.split('\n').filter((l) => / -> /.test(l));
    expect(nodeLines.map((l) => /^ {2}"([^"]+)"/.exec(l)?.[1])).toEqual([...FEATURE_NODES]);
    expect(edgeLines).toHaveLength(graph.edges.length);
  });

  test.each([
    ['start', 'Mdiamond'],
    ['plan', 'box'],
    ['test', 'parallelogram'],
    ['check', 'diamond'],
    ['review', 'hexagon'],
    ['exit', 'Msquare'],
  ])('draws node %s as a %s', (id, shape) => {
    expect(nodeAttrs(toDot(graph), id).shape).toBe(shape);
  });

  it('labels conditional edges with their label and condition and dashes them when the edge has a condition', () => {
    const dot = toDot(graph);
    expect(dot).toContain('"check" -> "review" [label="Pass\\n[outcome=success]", style="dashed"];');
    expect(dot).toContain('"check" -> "fix" [label="Fail\\n[outcome=fail]", style="dashed"];');
    expect(dot).toContain('"review" -> "exit" [label="[A] Approve"];');
    expect(dot).toContain('  "start" -> "plan";\n');
  });

  it('marks the human gate with a bold hexagon and badge, and the goal gate with a double border and badge', () => {
    const dot = toDot(graph);
    expect(nodeAttrs(dot, 'review')).toMatchObject({ shape: 'hexagon', style: 'filled,bold', label: 'Review the change\\n[gate]', class: 'type-wait-human gate-human' });
    expect(nodeAttrs(dot, 'implement')).toMatchObject({ peripheries: '2', label: 'Implement\\n[goal gate]', class: 'type-codergen gate-goal' });
    expect(nodeAttrs(dot, 'plan').peripheries).toBeUndefined();
  });

  it('fills each node with its status colour and adds a legend when given a run envelope', () => {
    const dot = toDot(graph, { envelope: awaitingReview() });
    const expected = { plan: 'success', fix: 'fail', review: 'running', exit: 'not_reached' } as const;
    for (const [id, status] of Object.entries(expected)) {
      expect(nodeAttrs(dot, id)).toMatchObject({ fillcolor: STATUS_COLOURS[status].fill, color: STATUS_COLOURS[status].stroke });
      expect(nodeAttrs(dot, id).class).toContain(`status-${status}`);
    }
    expect(dot).toContain('run run-test: awaiting_human');
    expect(dot).toContain(`bgcolor="${STATUS_COLOURS.not_reached.fill}"`);
  });

  it('leaves nodes white and draws no legend when given no run', () => {
    const dot = toDot(graph);
    expect(dot).not.toMatch(/fillcolor="#/);
    expect(dot).not.toContain('bgcolor');
  });

  it('is byte-identical across calls when the inputs are the same', () => {
    expect(toDot(graph, { envelope: awaitingReview() })).toBe(toDot(graph, { envelope: awaitingReview() }));
  });

  it('escapes quotes, backslashes and newlines in labels when they contain them', () => {
    const odd: PipelineGraph = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'plan' ? { ...n, label: 'say "hi"\\ now\nplease' } : n)) };
    expect(nodeAttrs(toDot(odd), 'plan').label).toBe('say \\"hi\\"\\\\ now\\nplease');
  });
});

describe('quote', () => {
  test.each([
    ['plain', '"plain"'],
    ['a "b"', '"a \\"b\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['two\nlines', '"two\\nlines"'],
    ['crlf\r\nline', '"crlf\\nline"'],
  ])('quotes %j as %s', (text, expected) => {
    expect(quote(text)).toBe(expected);
  });
});
