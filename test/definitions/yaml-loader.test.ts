// The YAML loaders as a whole: all problems at once, dispatch on kind, SourceMap, validatePipelineDoc for other syntaxes.
import { loadPipelineYaml, loadProfileYaml, loadSuiteYaml, loadYamlSpec, validatePipelineDoc } from '../../definitions/yaml';
import { FULL_PIPELINE, FULL_PROFILE, FULL_SUITE, MINIMAL_PIPELINE, VALID_EXAMPLES } from './examples';

const FIVE_MISTAKES = `kind: PipelineSpec
id: five
default_max_retries: lots
nodes:
  - id: start
    shape: Mdiamond
  - id: plan
    promt: "Plan"
    timeout: 90x
  - shape: Msquare
edges:
  - { from: start, to: plan, weight: "1" }
  - { from: plan, to: done, colour: red }
`;

describe('loadPipelineYaml', () => {
  it('reports every mistake at once, in source order, when a file has five different ones', () => {
    const { diagnostics, graph } = loadPipelineYaml(FIVE_MISTAKES, 'five.yaml');
    expect(graph).toBeUndefined();
    expect(diagnostics.map((d) => [d.rule, d.line, d.column, d.path])).toEqual([
      ['invalid_type', 3, 22, 'default_max_retries'],
      ['unknown_key', 8, 5, 'nodes[plan].promt'],
      ['invalid_duration', 9, 14, 'nodes[plan].timeout'],
      ['missing_key', 10, 5, 'nodes[2].id'],
      ['invalid_type', 12, 39, 'edges[0].weight'],
      ['unknown_key', 13, 29, 'edges[1].colour'],
    ]);
    expect(diagnostics.every((d) => d.file === 'five.yaml' && d.severity === 'error')).toBe(true);
  });

  it('reports every syntax error at once when the YAML does not parse', () => {
    const { diagnostics } = loadPipelineYaml('kind: PipelineSpec\nid: [a\nnodes: {b: 1\n', 'bad.yaml');
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(diagnostics.every((d) => d.rule === 'yaml_syntax' && d.line !== undefined)).toBe(true);
  });

  it('still validates the schema when the only syntax problem is a duplicate key', () => {
    const { diagnostics } = loadPipelineYaml('kind: PipelineSpec\nid: p\nid: q\nnodes: []\nextra: 1\n', 'dup.yaml');
    expect(diagnostics.map((d) => d.rule)).toEqual(['duplicate_key', 'unknown_key']);
  });

  it('returns the graph with a warning when a tag is unknown', () => {
    const r = loadPipelineYaml(MINIMAL_PIPELINE.replace('goal: Say hello', 'goal: !shout Say hello'), 'tag.yaml');
    expect(r.graph?.goal).toBe('Say hello');
    expect(r.diagnostics).toEqual([expect.objectContaining({ rule: 'yaml_syntax', severity: 'warning', line: 3 })]);
  });

  it('reports missing_kind but keeps checking the rest when kind is absent', () => {
    const { diagnostics } = loadPipelineYaml('id: p\nnodes: []\nbogus: 1\n', 'nk.yaml');
    expect(diagnostics.map((d) => d.rule)).toEqual(['missing_kind', 'unknown_key']);
  });

  it('rejects another kind when the pipeline loader is given a profile', () => {
    const { diagnostics } = loadPipelineYaml(FULL_PROFILE, 'p.yaml');
    expect(diagnostics.find((d) => d.path === 'kind')).toMatchObject({ rule: 'invalid_value', line: 1, column: 7, message: 'expected PipelineSpec, got string "FactoryProfile"' });
  });

  it('maps every node, node field, edge and graph field to its position when the file loads', () => {
    const { sourceMap, graph } = loadPipelineYaml(FULL_PIPELINE, 'full.yaml');
    expect(graph).toBeDefined();
    expect(sourceMap).toMatchObject({
      goal: { line: 5, column: 7 },
      model_stylesheet: { line: 8, column: 3 },
      'nodes[start]': { line: 20, column: 5 },
      'nodes[plan]': { line: 22, column: 5 },
      'nodes[plan].max_retries': { line: 25, column: 18 },
      'nodes[plan].timeout_ms': { line: 31, column: 14 },
      'nodes[plan].classes': { line: 30, column: 13 },
      'nodes[review].human.quorum': { line: 46, column: 72 },
      'edges[0]': { line: 53, column: 5 },
      'edges[1].condition': { line: 54, column: 41 },
    });
    for (const n of graph?.nodes ?? []) expect(sourceMap[`nodes[${n.id}]`]).toBeDefined();
    graph?.edges.forEach((_, i) => expect(sourceMap[`edges[${i}]`]).toBeDefined());
  });
});

describe('loadYamlSpec', () => {
  test.each(VALID_EXAMPLES)('loads the %s as a %s with no diagnostics', (_name, kind, text) => {
    const r = loadYamlSpec(text, 'ok.yaml');
    expect(r.kind).toBe(kind);
    expect(r.diagnostics).toEqual([]);
    const loaded = r.kind === 'PipelineSpec' ? r.graph : r.kind === 'FactoryProfile' ? r.profile : r.kind === 'ScenarioSuite' ? r.suite : undefined;
    expect(loaded).toBeDefined();
  });

  it('dispatches to the schema of the kind when the document has errors', () => {
    const r = loadYamlSpec('kind: ScenarioSuite\nid: s\npipeline_id: p\npipeline_major: 1\nscenarios: []\nbar: 1\n', 's.yaml');
    expect(r.kind).toBe('ScenarioSuite');
    expect(r.diagnostics.map((d) => d.rule)).toEqual(['unknown_key']);
  });
});

describe('loadProfileYaml / loadSuiteYaml', () => {
  it('refuses a pipeline when asked for a profile', () => {
    expect(loadProfileYaml(MINIMAL_PIPELINE, 'x.yaml').diagnostics.find((d) => d.path === 'kind')).toMatchObject({ rule: 'invalid_value', line: 1, column: 7 });
  });
  it('reports missing_kind once when a suite has no kind', () => {
    const r = loadSuiteYaml('id: s\npipeline_id: p\npipeline_major: 1\nscenarios: []\n', 's.yaml');
    expect(r.diagnostics.map((d) => d.rule)).toEqual(['missing_kind']);
  });
  it('loads the full suite', () => {
    expect(loadSuiteYaml(FULL_SUITE, 's.yaml').suite?.scenarios).toHaveLength(3);
  });
});

describe('validatePipelineDoc', () => {
  const raw = {
    id: 'dotted',
    nodes: [{ id: 'start', shape: 'Mdiamond' }, { id: 'plan', max_retries: 'x', colour: 1 }],
    edges: [{ from: 'start', to: 'plan' }],
  };
  const positions: Record<string, { line: number; column: number }> = {
    'nodes.1': { line: 4, column: 3 },
    'nodes.1.max_retries': { line: 4, column: 10 },
    'edges.0': { line: 6, column: 3 },
  };
  const ctx = { file: 'g.dot', locate: (p: readonly (string | number)[]) => positions[p.join('.')] };

  it('uses the caller locate and the nearest known parent when it validates a document from another syntax', () => {
    const r = validatePipelineDoc(raw, ctx);
    expect(r.graph).toBeUndefined();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ rule: 'unknown_key', file: 'g.dot', line: 4, column: 3, path: 'nodes[plan].colour', node: 'plan' }),
      expect.objectContaining({ rule: 'invalid_type', file: 'g.dot', line: 4, column: 10, path: 'nodes[plan].max_retries' }),
    ]);
    expect(r.sourceMap).toEqual({ 'nodes[plan]': { line: 4, column: 3 }, 'nodes[plan].max_retries': { line: 4, column: 10 }, 'edges[0]': { line: 6, column: 3 } });
  });

  it('returns a normalized graph without kind when the document is valid', () => {
    const ok = validatePipelineDoc({ ...raw, nodes: [raw.nodes[0], { id: 'plan' }] }, ctx);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.graph?.nodes.map((n) => n.type)).toEqual(['start', 'codergen']);
  });

  test.each([null, 3, 'text', [], undefined])('reports invalid_type and never throws when the document is %p', (doc) => {
    const r = validatePipelineDoc(doc, ctx);
    expect(r.diagnostics).toEqual([expect.objectContaining({ rule: 'invalid_type', file: 'g.dot' })]);
  });
});
