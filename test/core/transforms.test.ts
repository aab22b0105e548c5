import type { PipelineGraph } from '../../core/model';
import { applyTransforms, goalExpansion, pipelineParams, stylesheetApplication, withSubmitOverrides, type Transform } from '../../core/transforms';
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

describe('paramExpansion and submit overrides (factory run --goal, -p)', () => {
  const declared = (prompt: string) => graph([node('start'), node('plan', { prompt }), node('exit')], ['start -> plan -> exit'], { goal: 'G', attrs: { branch: 'main', 'stack.child_dotfile': 'x.dot', count: '3' } });

  test.each([
    ['on $branch', 'on main'],
    ['$branches stay', '$branches stay'],
    ['$unknown stays', '$unknown stays'],
    ['$goal on $branch, $count times', 'G on main, 3 times'],
    ['costs $branch$count', 'costs main3'],
  ])('expands %j to %j with the pipeline\'s own parameters', (prompt, expected) => {
    expect(applyTransforms(declared(prompt)).nodes[1]?.prompt).toBe(expected);
  });

  it('boots with the goal and parameters given at submit, expanded into the prompts and kept on the graph', () => {
    const out = withSubmitOverrides(declared('$goal on $branch'), { goal: 'ship v2', params: { branch: 'release' } });
    expect(out.nodes[1]?.prompt).toBe('ship v2 on release');
    expect(out.goal).toBe('ship v2');
    expect(out.attrs['branch']).toBe('release');
    expect(pipelineParams(out)).toEqual({ branch: 'release', count: '3' });
  });

  it('refuses a parameter the pipeline does not declare, naming it and the declared ones', () => {
    expect(() => withSubmitOverrides(declared('x'), { params: { brnch: 'x', branch: 'y' } })).toThrow('has no parameter "brnch": its parameters are branch, count');
    const none = graph([node('start'), node('exit')], ['start -> exit']);
    expect(() => withSubmitOverrides(none, { params: { a: 'b' } })).toThrow(/has no parameter "a": it declares none/);
  });

  it('expands a value once: a parameter value that holds $goal or $name is not expanded again', () => {
    expect(withSubmitOverrides(declared('$branch'), { params: { branch: '$count' } }).nodes[1]?.prompt).toBe('$count');
  });
});
