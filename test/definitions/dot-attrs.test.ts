// Typed attribute coercion, dotted keys, custom attributes, graph id/version, string escapes, merging.
import { DOT_KNOWN_KEYS } from '../../definitions/dot/raw';
import { edgeSchema, nodeSchema, pipelineSchema } from '../../definitions/schemas/pipeline';
import { linear, loadErrors, loadOk, node } from './dot-helpers';

describe('DOT attribute typing', () => {
  // [node attributes, expected subset of the plan node]
  test.each([
    ['max_retries=3', { max_retries: 3 }],
    ['max_retries="3"', { max_retries: 3 }],
    ['max_parallel=4', { max_parallel: 4 }],
    ['goal_gate=true', { goal_gate: true }],
    ['auto_status="true", allow_partial=false', { auto_status: true, allow_partial: false }],
    ['timeout=900s', { timeout_ms: 900_000 }],
    ['timeout="15m"', { timeout_ms: 900_000 }],
    ['timeout=250ms', { timeout_ms: 250 }],
    ['class="code, critical"', { classes: ['code', 'critical'] }],
    ['human.quorum=2, human.approvers="alice, bob", human.allow_self_approval=false', { human: { quorum: 2, approvers: ['alice', 'bob'], allow_self_approval: false } }],
    ['human.default_choice=approve, human.timeout=24h', { human: { default_choice: 'approve', timeout_ms: 86_400_000 } }],
    ['manager.max_cycles=10, manager.poll_interval=45s, manager.actions="observe,wait", manager.stop_condition="context.done=true"', { manager: { max_cycles: 10, poll_interval_ms: 45_000, actions: ['observe', 'wait'], stop_condition: 'context.done=true' } }],
    ['"human.quorum"=3', { human: { quorum: 3 } }],
  ])('types the node attributes when written as %s', (attrs, expected) => {
    expect(node(loadOk(linear('', `prompt="Plan", ${attrs}`)), 'plan')).toMatchObject(expected);
  });

  it('treats an empty string as unset when an optional attribute is written as ""', () => {
    const plan = node(loadOk(linear('', 'prompt="Plan", fidelity="", thread_id="", llm_model="", type="", shape=""')), 'plan');
    expect([plan.fidelity, plan.thread_id, plan.llm_model, plan.type, plan.shape]).toEqual([undefined, undefined, undefined, 'codergen', 'box']);
  });

  // [graph statement, expected subset of the graph]
  test.each([
    ['default_max_retry=5', { default_max_retries: 5 }],
    ['default_max_retries=2', { default_max_retries: 2 }],
    ['capabilities="git, node"', { capabilities: ['git', 'node'] }],
    ['exports="candidate.path,report"', { exports: ['candidate.path', 'report'] }],
    ['stack.child_dotfile="child.dot"', { stack: { child_dotfile: 'child.dot' } }],
    ['tool_hooks.pre="echo pre"', { tool_hooks: { pre: 'echo pre' } }],
    ['version="1.2.3"', { version: '1.2.3' }],
    ['id="feature-pipeline"', { id: 'feature-pipeline' }],
    ['retry_target=plan', { retry_target: 'plan' }],
  ])('types the graph attribute when written as %s', (stmt, expected) => {
    expect(loadOk(linear(`  ${stmt}`))).toMatchObject(expected);
  });

  // [edge attributes, expected subset of the plan -> exit edge]
  test.each([
    ['weight=-1', { weight: -1 }],
    ['loop_restart=true', { loop_restart: true }],
    ['label="[A] Approve", condition="outcome=success && context.x!=1"', { label: '[A] Approve', condition: 'outcome=success && context.x!=1' }],
    ['fidelity="summary:high", thread_id=t1', { fidelity: 'summary:high', thread_id: 't1' }],
  ])('types the edge attributes when written as %s', (attrs, expected) => {
    const g = loadOk(linear(`  plan -> exit [${attrs}]`));
    expect(g.edges[0]).toMatchObject(expected);
  });
});

describe('DOT custom attributes', () => {
  it('keeps unknown attributes in attrs, typing bare numbers and booleans and keeping quoted text', () => {
    const g = loadOk(linear('  rankdir=LR\n  fontsize=12', 'prompt="Plan", color=red, penwidth=2.5, retries_hint="3", flaky=true, custom.key=x, id=svgid'));
    expect(g.attrs).toEqual({ rankdir: 'LR', fontsize: 12 });
    expect(node(g, 'plan').attrs).toEqual({ color: 'red', penwidth: 2.5, retries_hint: '3', flaky: true, 'custom.key': 'x', id: 'svgid' });
  });

  it('keeps edge attributes it does not know in the edge attrs', () => {
    const g = loadOk(linear('  plan -> exit [color=blue, style="dashed", from=x]'));
    expect(g.edges[0]?.attrs).toEqual({ color: 'blue', style: 'dashed', from: 'x' });
  });

  it('never swaps a prototype when a file names a __proto__ attribute', () => {
    const g = loadOk(linear('  __proto__=x', 'prompt="Plan", __proto__=x'));
    expect(Object.getPrototypeOf(g.attrs)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(node(g, 'plan').attrs)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(loadErrors(linear('', 'human.__proto__=y'))).toEqual([expect.objectContaining({ rule: 'unknown_key', line: 3 })]);
  });
});

describe('DOT graph identity and strings', () => {
  it('lower-cases the digraph name into the id when no id attribute is given', () => {
    expect(loadOk(linear().replace('digraph p', 'digraph FeaturePipeline'))).toMatchObject({ id: 'featurepipeline', version: '0.0.0' });
  });

  it('takes the id attribute as written when it is present', () => {
    expect(loadOk(linear('  graph [id="feature-x"]')).id).toBe('feature-x');
  });

  // [DOT string literal, expected text]
  test.each([
    ['"say \\"hi\\""', 'say "hi"'],
    ['"line1\\nline2"', 'line1\nline2'],
    ['"a\\tb"', 'a\tb'],
    ['"back\\\\slash"', 'back\\slash'],
    ['"ends with \\\\"', 'ends with \\'],
    ['"\\\\n stays literal"', '\\n stays literal'],
    ['"joined \\\ncontinuation"', 'joined continuation'],
    ['"multi\nline"', 'multi\nline'],
    ['"$goal: ok"', 'Goal: ok'],
  ])('unescapes the prompt %s', (literal, expected) => {
    const g = loadOk(linear('  goal="Goal"', `prompt=${literal}`));
    expect(node(g, 'plan').prompt).toBe(expected);
  });
});

describe('DOT node merging and default scope', () => {
  it('merges attributes with the later statement winning when a node is declared twice', () => {
    const g = loadOk(linear('  plan [label="Second", max_retries=1]', 'prompt="Plan", label="First", goal_gate=true'));
    expect(node(g, 'plan')).toMatchObject({ label: 'Second', max_retries: 1, goal_gate: true, prompt: 'Plan' });
    expect(g.nodes.filter((n) => n.id === 'plan')).toHaveLength(1);
  });

  it('applies node defaults at the first declaration only when a node is declared again later', () => {
    const g = loadOk(`digraph p {
      start [shape=Mdiamond]
      a [prompt="A"]
      node [timeout="1m"]
      a [label="A again"]
      exit [shape=Msquare]
      start -> a -> exit
    }`);
    expect(node(g, 'a').timeout_ms).toBeUndefined();
    expect(node(g, 'exit').timeout_ms).toBe(60_000);
  });

  it('keeps subgraph defaults inside the subgraph and nests derived classes when subgraphs nest', () => {
    const g = loadOk(`digraph p {
      node [llm_model=outer]
      start [shape=Mdiamond]
      subgraph cluster_a {
        node [llm_model=inner]
        subgraph cluster_b { x [prompt="x"]; label="Inner Loop!" }
        label = "Outer"
      }
      y [prompt="y"]
      exit [shape=Msquare]
      start -> x -> y -> exit
    }`);
    expect(node(g, 'x')).toMatchObject({ llm_model: 'inner', classes: ['outer', 'inner-loop'] });
    expect(node(g, 'y')).toMatchObject({ llm_model: 'outer', classes: [] });
  });

  it('adds the subgraph class after explicit classes without repeating one when both name it', () => {
    const g = loadOk(`digraph p {
      start [shape=Mdiamond]
      subgraph s { label="Loop A"; a [prompt="a", class="loop-a,fast"]; b [prompt="b", class="slow"] }
      exit [shape=Msquare]
      start -> a -> b -> exit
    }`);
    expect(node(g, 'a').classes).toEqual(['loop-a', 'fast']);
    expect(node(g, 'b').classes).toEqual(['slow', 'loop-a']);
  });

  it('expands a node group when an edge targets {a b}', () => {
    const g = loadOk(linear('  a [prompt="a"]\n  b [prompt="b"]\n  plan -> {a b} -> exit'));
    expect(g.edges.map((e) => `${e.from}->${e.to}`).slice(0, 4)).toEqual(['plan->a', 'plan->b', 'a->exit', 'b->exit']);
  });
});

describe('DOT known keys', () => {
  const shapeOf = (schema: unknown): string[] => {
    const s = schema as { shape?: Record<string, unknown>; in?: unknown; def?: { in?: unknown } };
    if (s.shape) return Object.keys(s.shape);
    return shapeOf(s.in ?? s.def?.in);
  };
  const withoutStructural = (keys: string[], drop: string[]): string[] => keys.filter((k) => !drop.includes(k)).sort();

  it.each([
    ['graph', pipelineSchema, [...Object.keys(DOT_KNOWN_KEYS.graph), ...Object.keys(DOT_KNOWN_KEYS.graphGroups)], ['kind', 'attrs', 'nodes', 'edges']],
    ['node', nodeSchema, ['id', ...Object.keys(DOT_KNOWN_KEYS.node), ...Object.keys(DOT_KNOWN_KEYS.nodeGroups)], ['attrs']],
    ['edge', edgeSchema, ['from', 'to', ...Object.keys(DOT_KNOWN_KEYS.edge)], ['attrs']],
  ])('types exactly the %s keys the pipeline schema declares', (_what, schema, mapped, structural) => {
    expect(withoutStructural(shapeOf(schema), structural)).toEqual([...mapped].filter((k) => !structural.includes(k)).sort());
  });
});
