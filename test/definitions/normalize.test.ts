// Normalization (CONTRACTS.md): defaults, type/shape resolution, durations, transforms, and the round trip.
import { stringify } from 'yaml';
import type { PipelineNode } from '../../core/model';
import { normalizeDoc, pipelineToDoc } from '../../definitions/normalize';
import { pipelineSchema } from '../../definitions/schemas/pipeline';
import { loadPipelineYaml, validatePipelineDoc } from '../../definitions/yaml';
import { FULL_PIPELINE, MINIMAL_PIPELINE } from './examples';

const nodeOf = (node: Record<string, unknown>): PipelineNode => {
  const doc = pipelineSchema.parse({ id: 'p', nodes: [node] });
  return normalizeDoc(doc).nodes[0] as PipelineNode;
};

describe('normalizeDoc', () => {
  test.each([
    [{ id: 'a' }, { type: 'codergen', shape: 'box', label: 'a', prompt: '', goal_gate: false, classes: [], auto_status: false, allow_partial: false, attrs: {} }],
    [{ id: 'a', shape: 'hexagon' }, { type: 'wait.human', shape: 'hexagon' }],
    [{ id: 'a', type: 'tool' }, { type: 'tool', shape: 'parallelogram' }],
    [{ id: 'a', type: 'my.custom' }, { type: 'my.custom', shape: 'box' }],
    [{ id: 'a', type: 'exit', shape: 'box' }, { type: 'exit', shape: 'box' }],
    [{ id: 'a', label: 'A', class: ' x, y ,x,, ' }, { label: 'A', classes: ['x', 'y'] }],
    [{ id: 'a', class: ['p', 'q'] }, { classes: ['p', 'q'] }],
    [{ id: 'a', timeout: '2m' }, { timeout_ms: 120_000 }],
    [{ id: 'a', human: { timeout: '1h', quorum: 2 } }, { human: { timeout_ms: 3_600_000, quorum: 2 } }],
    [{ id: 'a', manager: { poll_interval: '45s', actions: 'observe, wait' } }, { manager: { poll_interval_ms: 45_000, actions: ['observe', 'wait'] } }],
    [{ id: 'a', manager: { actions: ['steer'] } }, { manager: { actions: ['steer'] } }],
  ])('fills node %j as %j', (node, expected) => {
    expect(nodeOf(node)).toMatchObject(expected);
  });

  it('leaves optional fields absent rather than undefined when they are not given', () => {
    const node = nodeOf({ id: 'a' });
    expect(Object.keys(node).sort()).toEqual(['allow_partial', 'attrs', 'auto_status', 'classes', 'goal_gate', 'id', 'label', 'prompt', 'shape', 'type']);
  });

  it('fills edge and graph defaults when only the required fields are given', () => {
    const g = normalizeDoc(pipelineSchema.parse({ id: 'p', nodes: [], edges: [{ from: 'a', to: 'b' }] }));
    expect(g).toEqual({ id: 'p', version: '0.0.0', goal: '', label: '', model_stylesheet: '', capabilities: [], exports: [], attrs: {}, nodes: [], edges: [{ from: 'a', to: 'b', label: '', condition: '', weight: 0, loop_restart: false, attrs: {} }] });
  });
});

describe('normalizePipeline (through the loaders)', () => {
  it('expands $goal and applies the model stylesheet when the pipeline loads', () => {
    const { graph } = loadPipelineYaml(FULL_PIPELINE, 'f.yaml');
    const plan = graph?.nodes.find((n) => n.id === 'plan');
    expect(plan).toMatchObject({ prompt: 'Plan: Ship the feature', llm_model: 'twin-coder', reasoning_effort: 'high', classes: ['code', 'critical'] });
    expect(graph?.nodes.find((n) => n.id === 'test')?.llm_model).toBe('twin-coder');
  });

  it('gives a deep-equal graph when the same document arrives as YAML text or as raw data', () => {
    const { graph } = loadPipelineYaml(MINIMAL_PIPELINE, 'm.yaml');
    const raw = {
      id: 'tiny',
      goal: 'Say hello',
      nodes: [{ id: 'start', shape: 'Mdiamond' }, { id: 'work', prompt: 'Do $goal' }, { id: 'done', shape: 'Msquare' }],
      edges: [{ from: 'start', to: 'work' }, { from: 'work', to: 'done' }],
    };
    expect(validatePipelineDoc(raw, { file: 'x.dot', locate: () => undefined }).graph).toStrictEqual(graph);
  });

  test.each([
    ['full', FULL_PIPELINE],
    ['minimal', MINIMAL_PIPELINE],
  ])('round-trips the %s pipeline through pipelineToDoc and YAML text to an equal graph', (_name, text) => {
    const first = loadPipelineYaml(text, 'a.yaml');
    expect(first.graph).toBeDefined();
    const again = loadPipelineYaml(stringify(pipelineToDoc(first.graph!)), 'b.yaml');
    expect(again.diagnostics).toEqual([]);
    expect(again.graph).toStrictEqual(first.graph);
  });
});
