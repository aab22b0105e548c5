import type { PipelineGraph } from '../../core/model';
import { applyTransforms, goalExpansion, stylesheetApplication, type Transform } from '../../core/transforms';
import { graph, node } from './builders';

const withPrompt = (prompt: string, goal: string) => graph([node('start'), node('plan', { prompt }), node('exit')], ['start -> plan -> exit'], { goal });

describe('goalExpansion', () => {
  test.each([
    ['Plan: $goal', 'ship it', 'Plan: ship it'],
    ['$goal and again $goal', 'X', 'X and again X'],
    ['no variable', 'X', 'no variable'],
    ['Plan: $goal', 'costs $& and $1', 'Plan: costs $& and $1'],
    ['$goals', 'G', 'Gs'],
  ])('expands %j with goal %j to %j', (prompt, goal, expected) => {
    const out = goalExpansion.apply(withPrompt(prompt, goal));
    expect(out.nodes[1]?.prompt).toBe(expected);
  });
});

describe('stylesheetApplication', () => {
  it('applies the rules that parse when the stylesheet also has errors', () => {
    const g = graph([node('start'), node('plan'), node('exit')], ['start -> plan -> exit'], {
      model_stylesheet: '* { llm_model: m; bogus: 1; } #plan { reasoning_effort: extreme; llm_provider: p }',
    });
    const plan = stylesheetApplication.apply(g).nodes[1];
    expect([plan?.llm_model, plan?.llm_provider, plan?.reasoning_effort]).toEqual(['m', 'p', undefined]);
  });
});

describe('applyTransforms', () => {
  it('runs built-ins first, then custom transforms in registration order', () => {
    const seen: string[] = [];
    const tag = (name: string): Transform => ({
      name,
      apply: (g) => {
        seen.push(`${name}:${g.nodes[1]?.prompt}:${g.nodes[1]?.llm_model}`);
        return { ...g, label: g.label + name };
      },
    });
    const g: PipelineGraph = { ...withPrompt('Do $goal', 'it'), model_stylesheet: '* { model: m }' };
    const out = applyTransforms(g, [tag('a'), tag('b')]);
    expect(seen).toEqual(['a:Do it:m', 'b:Do it:m']);
    expect(out.label).toBe('ab');
  });

  it('never mutates the input graph when transforms change nodes', () => {
    const g: PipelineGraph = { ...withPrompt('Do $goal', 'it'), model_stylesheet: '* { model: m }' };
    const before = JSON.stringify(g);
    const out = applyTransforms(g);
    expect(JSON.stringify(g)).toBe(before);
    expect(out).not.toBe(g);
    expect(out.nodes[1]).toMatchObject({ prompt: 'Do it', llm_model: 'm' });
  });
});
