import type { Diagnostic } from '../../core/diagnostics';
import { lintPipeline, locate, PipelineValidationError, validateOrRaise, type LintRule } from '../../core/lint';
import type { PipelineGraph } from '../../core/model';
import { edge, graph, linear, longChain, node } from './builders';

type Found = Pick<Diagnostic, 'rule' | 'severity'> & Partial<Pick<Diagnostic, 'node' | 'path'>>;
const summary = (diags: Diagnostic[]): Found[] =>
  diags.map((d) => ({ rule: d.rule, severity: d.severity, ...(d.node ? { node: d.node } : {}), ...(d.path ? { path: d.path } : {}) }));
const E = (rule: string, extra: Partial<Found> = {}): Found => ({ rule, severity: 'error', ...extra });
const W = (rule: string, extra: Partial<Found> = {}): Found => ({ rule, severity: 'warning', ...extra });
const gate = (id: string, extra = {}) => node(id, { type: 'wait.human', shape: 'hexagon', ...extra });

describe('lintPipeline', () => {
  it('reports nothing when the pipeline is a valid linear one', () => {
    expect(lintPipeline(linear('plan', 'implement'))).toEqual([]);
  });

  // §11.2 rows and our rules; each case shows every diagnostic the graph gets.
  test.each<[string, PipelineGraph, Found[]]>([
    ['there is no start node', graph(['plan', 'exit'], ['plan -> exit']), [E('start_node')]],
    ['there are two start nodes', graph(['start', node('begin', { type: 'start' }), 'plan', 'exit'], ['start -> plan -> exit', 'begin -> plan']), [E('start_node', { node: 'begin', path: 'nodes[begin]' })]],
    ['there is no exit node', graph(['start', 'plan'], ['start -> plan']), [E('terminal_node')]],
    ['there are two exit nodes', graph(['start', 'plan', 'exit', node('done', { type: 'exit' })], ['start -> plan -> exit', 'plan -> done']), [E('terminal_node', { node: 'done', path: 'nodes[done]' })]],
    ['the start node has an incoming edge', graph(['start', 'plan', 'exit'], ['start -> plan -> exit', 'plan -> start']), [E('start_no_incoming', { path: 'edges[2]' })]],
    ['the exit node has an outgoing edge', graph(['start', 'plan', 'exit'], ['start -> plan -> exit', 'exit -> plan']), [E('exit_no_outgoing', { path: 'edges[2]' })]],
    ['a node is an orphan (§11.12: warning)', graph(['start', 'plan', 'orphan', 'exit'], ['start -> plan -> exit', 'orphan -> exit']), [W('reachability', { node: 'orphan', path: 'nodes[orphan]' })]],
    ['an edge names a missing target', graph(['start', 'plan', 'exit'], ['start -> plan -> exit', 'plan -> nowhere']), [E('edge_target_exists', { path: 'edges[2].to' })]],
    ['an edge names a missing source', graph(['start', 'plan', 'exit'], ['start -> plan -> exit', 'ghost -> plan']), [E('edge_target_exists', { path: 'edges[2].from' })]],
    ['a node is a dead end (§3.2 completes the run there: warning)', graph(['start', 'plan', 'stuck', 'exit'], ['start -> plan -> exit', 'plan -> stuck']), [W('exit_reachable', { node: 'stuck', path: 'nodes[stuck]' })]],
    ['a loop never reaches the exit (warning)', graph(['start', 'plan', 'a', 'b', 'exit'], ['start -> plan -> exit', 'plan -> a -> b -> a']), [W('exit_reachable', { node: 'a' }), W('exit_reachable', { node: 'b' })]],
    ['a node id is declared twice', graph(['start', 'plan', 'plan', 'exit'], ['start -> plan -> exit']), [E('duplicate_id', { node: 'plan' })]],
    ['a condition does not parse', graph(['start', 'plan', 'exit'], ['start -> plan', edge('plan', 'exit', { condition: 'outcome==success' })]), [E('condition_syntax', { path: 'edges[1].condition' })]],
    ['a manager stop condition does not parse', graph(['start', node('boss', { type: 'stack.manager_loop', manager: { stop_condition: 'context.done=true ||' } }), 'exit'], ['start -> boss -> exit']), [E('condition_syntax', { node: 'boss', path: 'nodes[boss].manager.stop_condition' })]],
    ['the stylesheet does not parse', { ...linear('plan'), model_stylesheet: '* { llm_model: a; } .x { effort: 1 }' }, [E('stylesheet_syntax', { path: 'model_stylesheet' })]],
    ['a human gate has no way out', graph(['start', gate('review'), 'exit'], ['start -> review', 'start -> exit']), [W('exit_reachable', { node: 'review' }), E('human_gate_choices', { node: 'review' })]],
    ['a default choice names no choice', graph(['start', gate('review', { human: { default_choice: 'merge' } }), 'fix', 'exit'], ['start -> review -> exit', 'review -> fix -> exit']), [E('human_default_choice', { node: 'review', path: 'nodes[review].human.default_choice' })]],
    ['a node has an unknown type', graph(['start', node('plan', { type: 'custom.thing' }), 'exit'], ['start -> plan -> exit']), [W('type_known', { path: 'nodes[plan].type' })]],
    ['fidelity values are invalid', graph(['start', node('plan', { fidelity: 'huge' }), 'exit'], ['start -> plan', edge('plan', 'exit', { fidelity: 'x' })], { default_fidelity: 'y' }), [W('fidelity_valid', { path: 'default_fidelity' }), W('fidelity_valid', { path: 'nodes[plan].fidelity' }), W('fidelity_valid', { path: 'edges[1].fidelity' })]],
    ['retry targets are missing', graph(['start', node('plan', { retry_target: 'nope', fallback_retry_target: 'nah' }), 'exit'], ['start -> plan -> exit'], { retry_target: 'gone' }), [W('retry_target_exists', { path: 'retry_target' }), W('retry_target_exists', { path: 'nodes[plan].retry_target' }), W('retry_target_exists', { path: 'nodes[plan].fallback_retry_target' })]],
    ['a goal gate has no retry target anywhere', graph(['start', node('plan', { goal_gate: true }), 'exit'], ['start -> plan -> exit']), [W('goal_gate_has_retry', { node: 'plan' })]],
    ['an LLM node has neither prompt nor label', graph(['start', node('plan', { prompt: ' ' }), 'exit'], ['start -> plan -> exit']), [W('prompt_on_llm_nodes', { node: 'plan' })]],
  ])('reports the expected diagnostics when %s', (_name, g, expected) => {
    expect(summary(lintPipeline(g))).toEqual(expected.map((f) => expect.objectContaining(f)));
  });

  test.each<[string, PipelineGraph]>([
    ['a goal gate has a node retry target', graph(['start', node('plan', { goal_gate: true, retry_target: 'plan' }), 'exit'], ['start -> plan -> exit'])],
    ['a goal gate relies on the graph retry target', graph(['start', node('plan', { goal_gate: true }), 'exit'], ['start -> plan -> exit'], { retry_target: 'plan' })],
    ['an LLM node has a label but no prompt', graph(['start', node('plan', { prompt: '', label: 'Plan the work' }), 'exit'], ['start -> plan -> exit'])],
    ['a node is reached only as a retry target', graph(['start', node('plan', { retry_target: 'repair' }), 'repair', 'exit'], ['start -> plan -> exit', 'repair -> plan'])],
    ['a gate default choice names a label', graph(['start', gate('review', { human: { default_choice: 'approve' } }), 'fix', 'exit'], ['start', edge('start', 'review'), edge('review', 'exit', { label: '[A] Approve' }), 'review -> fix -> review'])],
    ['a gate default choice names a target id', graph(['start', gate('review', { human: { default_choice: 'fix' } }), 'fix', 'exit'], ['start -> review -> exit', 'review -> fix -> review'])],
    ['a human gate has one way out (an acknowledgement)', graph(['start', gate('review'), 'exit'], ['start -> review -> exit'])],
    ['a type is registered as known', graph(['start', node('plan', { type: 'custom.thing' }), 'exit'], ['start -> plan -> exit'])],
  ])('reports nothing when %s', (_name, g) => {
    expect(lintPipeline(g, { knownTypes: ['start', 'exit', 'codergen', 'wait.human', 'custom.thing'] })).toEqual([]);
  });

  it('reports every problem at once when the graph has many', () => {
    const g = graph(['plan', 'plan', node('x', { type: 'odd' })], ['plan -> nowhere', edge('plan', 'x', { condition: '&&' })]);
    expect(new Set(lintPipeline(g).map((d) => d.rule))).toEqual(
      new Set(['start_node', 'terminal_node', 'edge_target_exists', 'condition_syntax', 'duplicate_id', 'type_known']),
    );
  });

  it('suggests the closest node id when an edge target is a typo', () => {
    const g = graph(['start', 'implement', 'exit'], ['start -> implement -> exit', 'start -> implemnt']);
    expect(lintPipeline(g)[0]?.fix).toBe("did you mean 'implement'?");
  });
});

describe('lintPipeline positions', () => {
  const bad = graph(
    ['start', node('plan', { fidelity: 'huge' }), 'exit'],
    ['start -> plan', edge('plan', 'exit', { condition: 'outcome=success && x==1' })],
    { model_stylesheet: '* { llm_model: a; }\n.x { colour: red; }' },
  );
  const at = (sourceMap: Record<string, { line: number; column: number }>) =>
    lintPipeline(bad, { file: 'p.dot', sourceMap }).map((d) => [d.rule, d.file, d.line, d.column]);

  it('offsets condition and stylesheet columns when the value itself is mapped', () => {
    expect(at({ 'edges[1].condition': { line: 7, column: 20 }, model_stylesheet: { line: 2, column: 10 }, 'nodes[plan].fidelity': { line: 4, column: 3 } })).toEqual([
      ['condition_syntax', 'p.dot', 7, 20 + 20],
      ['stylesheet_syntax', 'p.dot', 3, 6],
      ['fidelity_valid', 'p.dot', 4, 3],
    ]);
  });

  it('falls back to the element position when only the element is mapped', () => {
    expect(at({ 'edges[1]': { line: 7, column: 1 }, 'nodes[plan]': { line: 4, column: 1 } })).toEqual([
      ['condition_syntax', 'p.dot', 7, 1],
      ['stylesheet_syntax', 'p.dot', undefined, undefined],
      ['fidelity_valid', 'p.dot', 4, 1],
    ]);
  });

  test.each([
    ['edges[3].condition', { 'edges[3].condition': { line: 1, column: 1 }, 'edges[3]': { line: 2, column: 2 } }, 1],
    ['edges[3].condition', { 'edges[3]': { line: 2, column: 2 } }, 2],
    ['nodes[g].human.default_choice', { 'nodes[g].human': { line: 3, column: 1 }, 'nodes[g]': { line: 2, column: 2 } }, 3],
    ['nodes[g].human.default_choice', { 'nodes[g]': { line: 2, column: 2 } }, 2],
    ['nodes[g].prompt', { nodes: { line: 9, column: 9 } }, undefined],
    ['stack.child_dotfile', { stack: { line: 5, column: 1 } }, 5],
  ])('locates %s at the most specific mapped key', (path, map, line) => {
    expect(locate(map, path)?.line).toBe(line);
  });
});

describe('custom rules and validateOrRaise', () => {
  const noTodo: LintRule = {
    name: 'no_todo',
    apply: (g) => g.nodes.filter((n) => n.prompt.includes('TODO')).map((n) => ({ rule: 'no_todo', severity: 'warning', message: 'TODO left', node: n.id })),
  };

  it('runs extra rules after the built-ins and places them by node', () => {
    const g = graph(['start', node('plan', { prompt: 'TODO' }), 'exit'], ['start -> plan -> exit']);
    expect(lintPipeline(g, { extraRules: [noTodo], sourceMap: { 'nodes[plan]': { line: 3, column: 5 } } })).toEqual([
      { rule: 'no_todo', severity: 'warning', message: 'TODO left', node: 'plan', line: 3, column: 5 },
    ]);
  });

  it('reports a crashing custom rule as an error when the rule throws', () => {
    const boom: LintRule = { name: 'boom', apply: () => { throw new Error('bad rule'); } };
    expect(summary(lintPipeline(linear('plan'), { extraRules: [boom] }))).toEqual([E('boom')]);
  });

  it('returns warnings when the pipeline has no errors', () => {
    const g = graph(['start', node('plan', { goal_gate: true }), 'exit'], ['start -> plan -> exit']);
    expect(validateOrRaise(g).map((d) => d.rule)).toEqual(['goal_gate_has_retry']);
  });

  it('throws PipelineValidationError carrying every diagnostic when there are errors', () => {
    const g = graph(['plan'], []);
    let caught: unknown;
    try {
      validateOrRaise(g, { file: 'p.yaml' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PipelineValidationError);
    const err = caught as PipelineValidationError;
    expect(err.diagnostics.map((d) => d.rule)).toEqual(['start_node', 'terminal_node']);
    expect(err.message).toMatch(/pipeline 'test' has 2 lint error\(s\)/);
    expect(err.message).toMatch(/p\.yaml:0:0 error start_node/);
  });
});

describe('lint at scale', () => {
  it('reports nothing when a 5,000-node chain is valid', () => {
    expect(lintPipeline(longChain(5000))).toEqual([]);
  });
});
