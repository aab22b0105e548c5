// The local/remote rule for stage activities: explicit attribute first, then type and provider, then timeout.
import { describePlacement, stageActivityMode } from '../../core/activity-mode';
import type { PipelineNode } from '../../core/model';
import { node } from './builders';

const TWIN = { stageTimeoutMs: 30_000, providerKind: 'twin' };
const OPENAI_LONG = { stageTimeoutMs: 30 * 60_000, providerKind: 'openai' };

const CASES: [string, Partial<PipelineNode>, typeof TWIN, 'local' | 'remote'][] = [
  ['a twin codergen stage', { type: 'codergen' }, TWIN, 'local'],
  ['a codergen stage on a real provider', { type: 'codergen' }, { ...TWIN, providerKind: 'openai' }, 'remote'],
  ['a fan-in', { type: 'parallel.fan_in' }, OPENAI_LONG, 'local'],
  ['a tool with a 15 s timeout', { type: 'tool', timeout_ms: 15_000 }, OPENAI_LONG, 'local'],
  ['a tool with a 15 min timeout', { type: 'tool', timeout_ms: 900_000 }, TWIN, 'remote'],
  ['a tool with no timeout under a 30 min profile timeout', { type: 'tool' }, OPENAI_LONG, 'remote'],
  ['a custom type with exactly 60 s', { type: 'my.check', timeout_ms: 60_000 }, OPENAI_LONG, 'local'],
  ['a long tool with activity=local', { type: 'tool', timeout_ms: 900_000, activity: 'local' }, TWIN, 'local'],
  ['a twin codergen stage with activity=remote', { type: 'codergen', activity: 'remote' }, TWIN, 'remote'],
];

describe('stageActivityMode', () => {
  test.each(CASES)('places %s where the rule says', (_name, extra, ctx, mode) => {
    const p = stageActivityMode(node('s', extra), ctx);
    expect(p.mode).toBe(mode);
    expect(p.reason.length).toBeGreaterThan(5);
  });

  it('names the node attribute as the reason when the node overrides the rule', () => {
    expect(stageActivityMode(node('s', { type: 'tool', activity: 'remote' }), TWIN).reason).toBe('activity=remote on the node');
  });

  it('states the condition when the profile is not known', () => {
    expect(describePlacement(node('s', { type: 'tool' }))).toMatch(/stage timeout is ≤ 60s/);
    expect(describePlacement(node('s', { type: 'codergen' }))).toMatch(/twin provider, remote on a real one/);
    expect(describePlacement(node('s', { type: 'tool', timeout_ms: 5_000 }))).toBe('local activity');
  });
});
