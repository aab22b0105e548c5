// Attractor §11.1 (DOT parsing), the parsing rows of §11.12, and the §2.13 example graphs.
import { loadOk, node, pairs } from './dot-helpers';

describe('Attractor §11.1 DOT parsing', () => {
  it('parses a digraph when it uses graph, node and edge attribute blocks', () => {
    const g = loadOk(`digraph p {
      graph [goal="Ship it"]
      node [shape=box]
      edge [weight=2]
      start [shape=Mdiamond]
      plan [prompt="Plan"]
      exit [shape=Msquare]
      start -> plan -> exit
    }`);
    expect(g.goal).toBe('Ship it');
    expect(node(g, 'plan').shape).toBe('box');
    expect(g.edges.map((e) => e.weight)).toEqual([2, 2]);
  });

  it('extracts goal, label and model_stylesheet when they are graph attributes in either form', () => {
    const g = loadOk(`digraph p {
      graph [goal="Build a CLI", label="CLI pipeline"]
      model_stylesheet = "* { llm_model: twin-coder; }"
      start [shape=Mdiamond]
      exit [shape=Msquare]
      start -> exit
    }`);
    expect([g.goal, g.label, g.model_stylesheet]).toEqual(['Build a CLI', 'CLI pipeline', '* { llm_model: twin-coder; }']);
  });

  it('parses node attributes when the attribute block spans several lines', () => {
    const g = loadOk(`digraph p {
      start [shape=Mdiamond]
      review [
        shape=hexagon,
        label="Review Changes",
        type="wait.human",
        human.default_choice="approve"
      ]
      exit [shape=Msquare]
      start -> review -> exit
    }`);
    expect(node(g, 'review')).toMatchObject({ type: 'wait.human', shape: 'hexagon', label: 'Review Changes', human: { default_choice: 'approve' } });
  });

  it('parses edge label, condition and weight when an edge carries them', () => {
    const g = loadOk(`digraph p {
      start [shape=Mdiamond]
      gate [shape=diamond]
      exit [shape=Msquare]
      start -> gate
      gate -> exit [label="Yes", condition="outcome=success", weight=3]
      gate -> start [label="No", condition="outcome!=success"]
    }`);
    expect(g.edges[1]).toMatchObject({ from: 'gate', to: 'exit', label: 'Yes', condition: 'outcome=success', weight: 3 });
    expect(g.edges[2]).toMatchObject({ label: 'No', condition: 'outcome!=success', weight: 0 });
  });

  it('produces one edge per pair with the attributes on each when edges are chained', () => {
    const g = loadOk(`digraph p {
      start [shape=Mdiamond]
      a [prompt="A"]
      b [prompt="B"]
      exit [shape=Msquare]
      start -> a -> b -> exit [label="next", weight=1]
    }`);
    expect(pairs(g.edges)).toEqual(['start->a', 'a->b', 'b->exit']);
    expect(g.edges.every((e) => e.label === 'next' && e.weight === 1)).toBe(true);
  });

  it('applies node and edge defaults only to statements after the default block', () => {
    const g = loadOk(`digraph p {
      start [shape=Mdiamond]
      start -> a
      node [timeout="900s"]
      edge [weight=5]
      a [prompt="A"]
      exit [shape=Msquare]
      a -> exit
    }`);
    expect(node(g, 'start').timeout_ms).toBeUndefined();
    expect(node(g, 'a').timeout_ms).toBe(900_000);
    expect(node(g, 'exit').timeout_ms).toBe(900_000);
    expect(g.edges.map((e) => e.weight)).toEqual([0, 5]);
  });

  it('flattens subgraphs, scoping their defaults and deriving a class, when nodes sit inside them', () => {
    const g = loadOk(`digraph p {
      start [shape=Mdiamond]
      subgraph cluster_loop {
        label = "Loop A"
        node [thread_id="loop-a", timeout="900s"]
        Plan      [label="Plan next step"]
        Implement [label="Implement", timeout="1800s"]
      }
      after [prompt="After"]
      exit [shape=Msquare]
      start -> Plan -> Implement -> after -> exit
    }`);
    expect(g.nodes.map((n) => n.id)).toEqual(['start', 'Plan', 'Implement', 'after', 'exit']);
    expect(node(g, 'Plan')).toMatchObject({ thread_id: 'loop-a', timeout_ms: 900_000, classes: ['loop-a'] });
    expect(node(g, 'Implement')).toMatchObject({ thread_id: 'loop-a', timeout_ms: 1_800_000, classes: ['loop-a'] });
    expect(node(g, 'after')).toMatchObject({ classes: [] });
    expect(node(g, 'after').thread_id).toBeUndefined();
  });

  it('merges stylesheet attributes into a node by class when the node has a class attribute', () => {
    const g = loadOk(`digraph p {
      model_stylesheet = "* { llm_model: base; } .code { llm_model: coder; reasoning_effort: low; }"
      start [shape=Mdiamond]
      review_code [class="code,critical", prompt="Review the code"]
      other [prompt="Other"]
      exit [shape=Msquare]
      start -> review_code -> other -> exit
    }`);
    expect(node(g, 'review_code')).toMatchObject({ classes: ['code', 'critical'], llm_model: 'coder', reasoning_effort: 'low' });
    expect(node(g, 'other').llm_model).toBe('base');
  });

  it('reads quoted and unquoted values alike when both forms are used', () => {
    const g = loadOk(`digraph p {
      start [shape="Mdiamond"]
      a [shape=box, max_retries=2, timeout=900s, label=A]
      b [shape="box", max_retries="2", timeout="900s", label="A"]
      exit [shape=Msquare]
      start -> a -> b -> exit
    }`);
    const { id: _a, ...a } = node(g, 'a');
    const { id: _b, ...b } = node(g, 'b');
    expect(a).toEqual(b);
    expect(a).toMatchObject({ max_retries: 2, timeout_ms: 900_000, label: 'A' });
  });

  it('strips // and /* */ comments when they surround statements, keeping // inside strings', () => {
    const g = loadOk(`// leading comment
    /* block
       comment */ digraph p { // after the brace
      start [shape=Mdiamond] /* inline */
      fetch [prompt="GET http://example.com // not a comment /* nor this */"]
      # a preprocessor-style line
      exit [shape=Msquare]
      start -> fetch -> exit // trailing
    }`);
    expect(node(g, 'fetch').prompt).toBe('GET http://example.com // not a comment /* nor this */');
    expect(g.nodes).toHaveLength(3);
  });
});

describe('Attractor §11.12 parsing rows', () => {
  it('parses a simple linear pipeline when it is start -> A -> B -> done', () => {
    const g = loadOk(`digraph linear {
      start [shape=Mdiamond]
      A [prompt="Do A"]
      B [prompt="Do B"]
      done [shape=Msquare]
      start -> A -> B -> done
    }`);
    expect(g.nodes.map((n) => [n.id, n.type])).toEqual([['start', 'start'], ['A', 'codergen'], ['B', 'codergen'], ['done', 'exit']]);
    expect(pairs(g.edges)).toEqual(['start->A', 'A->B', 'B->done']);
  });

  it('parses a pipeline when it has graph-level attributes goal and label', () => {
    const g = loadOk(`digraph p { graph [goal="Create a hello world script", label="Hello"] start [shape=Mdiamond] exit [shape=Msquare] start -> exit }`);
    expect([g.goal, g.label]).toEqual(['Create a hello world script', 'Hello']);
  });

  it('parses multi-line node attributes when each attribute is on its own line', () => {
    const g = loadOk(`digraph p {
      start [shape=Mdiamond]
      implement [
        shape=box,
        prompt="Write the code",
        goal_gate=true,
        max_retries=2
      ]
      exit [shape=Msquare]
      start -> implement -> exit
    }`);
    expect(node(g, 'implement')).toMatchObject({ prompt: 'Write the code', goal_gate: true, max_retries: 2 });
  });
});

const SIMPLE = `digraph Simple {
    graph [goal="Run tests and report"]
    rankdir=LR

    start [shape=Mdiamond, label="Start"]
    exit  [shape=Msquare, label="Exit"]

    run_tests [label="Run Tests", prompt="Run the test suite and report results"]
    report    [label="Report", prompt="Summarize the test results"]

    start -> run_tests -> report -> exit
}`;

const BRANCH = `digraph Branch {
    graph [goal="Implement and validate a feature"]
    rankdir=LR
    node [shape=box, timeout="900s"]

    start     [shape=Mdiamond, label="Start"]
    exit      [shape=Msquare, label="Exit"]
    plan      [label="Plan", prompt="Plan the implementation"]
    implement [label="Implement", prompt="Implement the plan"]
    validate  [label="Validate", prompt="Run tests"]
    gate      [shape=diamond, label="Tests passing?"]

    start -> plan -> implement -> validate -> gate
    gate -> exit      [label="Yes", condition="outcome=success"]
    gate -> implement [label="No", condition="outcome!=success"]
}`;

const REVIEW = `digraph Review {
    rankdir=LR

    start [shape=Mdiamond, label="Start"]
    exit  [shape=Msquare, label="Exit"]

    review_gate [
        shape=hexagon,
        label="Review Changes",
        type="wait.human"
    ]

    start -> review_gate
    review_gate -> ship_it [label="[A] Approve"]
    review_gate -> fixes   [label="[F] Fix"]
    ship_it -> exit
    fixes -> review_gate
}`;

describe('Attractor §2.13 examples', () => {
  it.each([
    ['Simple', SIMPLE, 'simple', 4, 3],
    ['Branch', BRANCH, 'branch', 6, 6],
    // ship_it and fixes appear only in edges: Graphviz creates them (implicit_node warning).
    ['Review', REVIEW, 'review', 5, 5],
  ])('loads the %s example when given verbatim', (_name, text, id, nodeCount, edgeCount) => {
    const g = loadOk(text);
    expect(g.id).toBe(id);
    expect(g.attrs).toEqual({ rankdir: 'LR' });
    expect(g.nodes).toHaveLength(nodeCount);
    expect(g.edges).toHaveLength(edgeCount);
  });

  it('keeps the node-default timeout on every Branch node when only shapes are overridden', () => {
    const g = loadOk(BRANCH);
    expect(g.nodes.every((n) => n.timeout_ms === 900_000)).toBe(true);
    expect(node(g, 'gate')).toMatchObject({ type: 'conditional', shape: 'diamond' });
  });
});
