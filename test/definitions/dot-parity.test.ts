// One model, two syntaxes: a DOT file and a YAML file describing the same pipeline load to equal graphs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintPipeline } from '../../core/lint';
import { loadPipelineDot } from '../../definitions/dot';
import { loadPipelineYaml } from '../../definitions/yaml';

const FIXTURES = join(__dirname, '..', 'fixtures', 'pipelines');
const read = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

describe('DOT and YAML parity', () => {
  const dot = loadPipelineDot(read('same.dot'), 'same.dot');
  const yaml = loadPipelineYaml(read('same.yaml'), 'same.yaml');

  it('loads both fixtures without diagnostics when they describe the same pipeline', () => {
    expect(dot.diagnostics).toEqual([]);
    expect(yaml.diagnostics).toEqual([]);
  });

  it('gives deep-equal PipelineGraph objects when DOT sugar and explicit YAML say the same thing', () => {
    expect(dot.graph).toBeDefined();
    expect(dot.graph).toStrictEqual(yaml.graph);
  });

  it('passes lint when the DOT fixture is linted with its source map', () => {
    expect(dot.graph && lintPipeline(dot.graph, { file: 'same.dot', sourceMap: dot.sourceMap })).toEqual([]);
  });

  it('exercises the sugar the parity is about when the graphs are compared', () => {
    const g = dot.graph;
    const node = (id: string) => g?.nodes.find((n) => n.id === id);
    expect(node('review')?.classes).toEqual(['critical', 'review-loop']);
    expect(node('review')?.llm_model).toBe('twin-reviewer');
    expect(node('plan')).toMatchObject({ prompt: 'Plan: Ship the feature\nKeep it small.', llm_model: 'twin-coder', attrs: { fontsize: 12 } });
    expect(node('approve')?.human).toEqual({ default_choice: 'ship', timeout_ms: 86_400_000, approvers: ['alice', 'bob'], quorum: 1 });
    expect(g?.edges).toHaveLength(8);
    expect(g?.default_max_retries).toBe(2);
  });
});
