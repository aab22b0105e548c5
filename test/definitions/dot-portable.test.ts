// Graphs written for other Attractor engines load unchanged (issue 8): the spec's own DOT examples
// (§2.13 and the §11.13 smoke graph, copied verbatim into examples/attractor/) lint with no errors, and
// what the spec or Graphviz accepts is accepted — with a warning where the text is likely a mistake.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lintSpecFile } from '../../definitions/load';
import { loadPipelineDot } from '../../definitions/dot';
import { lintPipeline } from '../../core/lint';
import { FILE, loadOk, node } from './dot-helpers';

const EXAMPLES = join(__dirname, '..', '..', 'examples', 'attractor');
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.dot')).sort();

describe('the spec examples in examples/attractor', () => {
  it('holds the three §2.13 examples, the §8.6 stylesheet example and the §11.13 smoke graph', () => {
    expect(files).toEqual(['branch.dot', 'review.dot', 'simple.dot', 'smoke.dot', 'stylesheet.dot']);
  });

  it.each(files)('lints %s with no errors when given verbatim', async (f) => {
    const loaded = await lintSpecFile(join(EXAMPLES, f));
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});

const lint = (text: string) => {
  const result = loadPipelineDot(text, FILE);
  return [...result.diagnostics, ...(result.graph ? lintPipeline(result.graph, { file: FILE, sourceMap: result.sourceMap }) : [])];
};
const errors = (text: string) => lint(text).filter((d) => d.severity === 'error');

describe('what the spec accepts (issue 8 "graphs from other engines")', () => {
  it('creates a node from an edge endpoint no statement declares, with a warning at the endpoint', () => {
    const text = 'digraph p {\n  start [shape=Mdiamond]\n  exit [shape=Msquare]\n  start -> fixes -> exit\n}';
    const g = loadOk(text);
    expect(node(g, 'fixes')).toMatchObject({ type: 'codergen', shape: 'box', label: 'fixes' });
    expect(lint(text)).toContainEqual(expect.objectContaining({ rule: 'implicit_node', severity: 'warning', line: 4, column: 12 }));
    expect(errors(text)).toEqual([]);
  });

  it('names the declared id a typo probably meant when an undeclared endpoint is one edit away', () => {
    const text = 'digraph p {\n  start [shape=Mdiamond]\n  plan [prompt="x"]\n  exit [shape=Msquare]\n  start -> plan -> exit\n  start -> pln\n}';
    const d = lint(text).find((x) => x.rule === 'implicit_node');
    expect(d?.fix).toContain("did you mean 'plan'?");
    // The phantom stage has no way on: a dead end, valid per §3.2 (the run completes there), so a warning too.
    expect(errors(text)).toEqual([]);
    expect(lint(text)).toContainEqual(expect.objectContaining({ rule: 'exit_reachable', severity: 'warning' }));
  });

  it('gives an implicit node the node defaults of the scope where the edge stands', () => {
    const g = loadOk('digraph p {\n  start [shape=Mdiamond]\n  exit [shape=Msquare]\n  node [timeout="5m"]\n  start -> work -> exit\n}');
    expect(node(g, 'work').timeout_ms).toBe(300_000);
  });

  it.each([
    ['start', 'exit'],
    ['Start', 'end'],
    ['start', 'End'],
  ])('finds start and exit by id (%s, %s) when they have no shape', (s, e) => {
    const g = loadOk(`digraph p {\n  ${s}\n  work [prompt="x"]\n  ${e}\n  ${s} -> work -> ${e}\n}`);
    expect(node(g, s).type).toBe('start');
    expect(node(g, e).type).toBe('exit');
    expect(errors(`digraph p {\n  ${s} -> work -> ${e}\n  work [prompt="x"]\n}`)).toEqual([]);
  });

  it('does not take a node named start as the start when another node is the Mdiamond', () => {
    const g = loadOk('digraph p {\n  begin [shape=Mdiamond]\n  start [prompt="x"]\n  exit [shape=Msquare]\n  begin -> start -> exit\n}');
    expect(node(g, 'start').type).toBe('codergen');
  });

  it('does not take a node named exit as the exit when it has an explicit type', () => {
    const text = 'digraph p {\n  start\n  exit [type="tool", tool_command="true"]\n  start -> exit\n}';
    expect(errors(text).map((d) => d.rule)).toEqual(['terminal_node']);
  });

  it('reads attributes separated by whitespace or newlines as Graphviz does, with an attr_comma warning', () => {
    const text = 'digraph p {\n  start [shape=Mdiamond]\n  plan [label="Plan"\n        prompt="Plan it" max_retries=2]\n  exit [shape=Msquare]\n  start -> plan -> exit\n}';
    expect(node(loadOk(text), 'plan')).toMatchObject({ label: 'Plan', prompt: 'Plan it', max_retries: 2 });
    expect(lint(text)).toEqual([
      expect.objectContaining({ rule: 'attr_comma', severity: 'warning', line: 4, column: 9, fix: 'add a `,`' }),
      expect.objectContaining({ rule: 'attr_comma', severity: 'warning', line: 4, column: 26 }),
    ]);
  });

  it('reports an orphan node as a warning (§11.12) when nothing routes to it', () => {
    const text = 'digraph p {\n  start [shape=Mdiamond]\n  plan [prompt="x"]\n  orphan [prompt="y"]\n  exit [shape=Msquare]\n  start -> plan -> exit\n  orphan -> exit\n}';
    expect(lint(text)).toEqual([expect.objectContaining({ rule: 'reachability', severity: 'warning', line: 4, column: 3 })]);
  });

  it('accepts a wait.human gate with one outgoing edge (an acknowledgement)', () => {
    const text = 'digraph p {\n  start [shape=Mdiamond]\n  ack [shape=hexagon, label="Read the notes"]\n  exit [shape=Msquare]\n  start -> ack -> exit\n}';
    expect(lint(text)).toEqual([]);
  });

  it('still refuses a wait.human gate with no outgoing edge, naming the fix', () => {
    const text = 'digraph p {\n  start [shape=Mdiamond]\n  ack [shape=hexagon]\n  exit [shape=Msquare]\n  start -> ack\n  start -> exit\n}';
    expect(errors(text)).toContainEqual(expect.objectContaining({ rule: 'human_gate_choices', line: 3, column: 3, fix: expect.stringContaining('acknowledgement') }));
  });
});
