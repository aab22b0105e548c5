// Attractor §5.4 context fidelity (core/fidelity.ts): resolution precedence and what each mode carries.
import { projectContext, resolveFidelity } from '../../core/fidelity';

describe('resolveFidelity', () => {
  it.each([
    ['the edge wins over node and graph', { fidelity: 'truncate' }, { fidelity: 'full' }, { default_fidelity: 'summary:low' }, 'truncate'],
    ['the node wins over the graph', undefined, { fidelity: 'full' }, { default_fidelity: 'summary:low' }, 'full'],
    ['the graph default applies', {}, {}, { default_fidelity: 'summary:high' }, 'summary:high'],
    ['nothing is set: compact', undefined, {}, {}, 'compact'],
    ['an invalid edge value is skipped', { fidelity: 'huge' }, { fidelity: 'truncate' }, {}, 'truncate'],
  ])('resolves when %s', (_what, edge, node, graph, mode) => {
    expect(resolveFidelity(edge, node, graph)).toBe(mode);
  });
});

describe('projectContext', () => {
  const ctx = { outcome: 'success', last_stage: 'plan', 'graph.goal': 'ship', 'internal.retry_count.plan': 1, notes: 'x'.repeat(5000), big: { a: 1 } };
  const info = { goal: 'ship', runId: 'run-1' };

  it('carries only the goal and run id when the mode is truncate', () => {
    expect(projectContext('truncate', ctx, info)).toBe('# Run context (fidelity: truncate)\n- goal: ship\n- run: run-1\n');
  });

  it('lists every non-internal key with values cut at 200 characters when the mode is compact', () => {
    const text = projectContext('compact', ctx, info);
    expect(text).toContain('- outcome: success');
    expect(text).toContain('- big: {"a":1}');
    expect(text).not.toContain('internal.retry_count');
    expect(text).toContain(`- notes: ${'x'.repeat(200)}…`);
  });

  it('keeps internal keys and whole values when the mode is full', () => {
    const text = projectContext('full', ctx, info);
    expect(text).toContain('- internal.retry_count.plan: 1');
    expect(text).toContain('x'.repeat(5000));
  });

  it('stays within its budget and says how many keys it left out when summary:low meets a large context', () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${String(i).padStart(3, '0')}`, 'v'.repeat(70)]));
    const text = projectContext('summary:low', many, info);
    expect(text.length).toBeLessThanOrEqual(2_400 + 60);
    expect(text).toMatch(/- \(\d+ more keys left out by summary:low\)\n$/);
    expect(projectContext('summary:high', many, info).length).toBeGreaterThan(text.length);
  });
});
