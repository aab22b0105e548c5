// Attractor §3.5/§3.6 retry policy (core/retry.ts): attempts from node/graph/preset, backoff and jitter.
import { backoffFrom, delayForAttempt, maxAttemptsFor, RETRY_PRESETS, shouldRetry, type BackoffConfig } from '../../core/retry';

describe('maxAttemptsFor (§3.5)', () => {
  it.each<[string, { max_retries?: number }, { default_max_retries?: number }, { preset?: 'standard' }, number]>([
    ['nothing is set (spec default: no retries)', {}, {}, {}, 1],
    ['the node sets max_retries=3', { max_retries: 3 }, { default_max_retries: 1 }, { preset: 'standard' }, 4],
    ['the node sets max_retries=0 over a graph default', { max_retries: 0 }, { default_max_retries: 2 }, {}, 1],
    ['only the graph sets default_max_retries=2', {}, { default_max_retries: 2 }, { preset: 'standard' }, 3],
    ['only the profile names the standard preset', {}, {}, { preset: 'standard' }, 5],
  ])('gives the right total when %s', (_what, node, graph, profile, expected) => {
    expect(maxAttemptsFor(node, graph, profile)).toBe(expected);
  });
});

describe('delayForAttempt (§3.6)', () => {
  const exact = (initial: number, factor: number, max = 60_000): BackoffConfig => ({ initial_delay_ms: initial, backoff_factor: factor, max_delay_ms: max, jitter: false });

  it.each([
    ['standard', [200, 400, 800, 1600, 3200]],
    ['aggressive', [500, 1000, 2000, 4000, 8000]],
    ['linear', [500, 500, 500]],
    ['patient', [2000, 6000, 18000]],
  ] as const)('gives the %s preset delays from the spec table when jitter is off', (name, delays) => {
    const p = RETRY_PRESETS[name];
    expect(delays.map((_, i) => delayForAttempt(i + 1, exact(p.initial_delay_ms, p.backoff_factor)))).toEqual(delays);
  });

  it('caps the delay at max_delay_ms when the exponential grows past it', () => {
    expect([1, 2, 3, 4].map((a) => delayForAttempt(a, exact(1000, 3, 5000)))).toEqual([1000, 3000, 5000, 5000]);
  });

  it('keeps every jittered delay within [0.5, 1.5) of the base and varies it when jitter is on', () => {
    const cfg = { ...exact(1000, 1), jitter: true };
    const delays = Array.from({ length: 200 }, (_, i) => delayForAttempt(1, cfg, `run-${i}/node/1`));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...delays)).toBeLessThan(1500);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });

  it('gives the same jittered delay for the same seed (replays agree)', () => {
    const cfg = { ...exact(800, 2), jitter: true };
    expect(delayForAttempt(2, cfg, 'r/n/1')).toBe(delayForAttempt(2, cfg, 'r/n/1'));
  });
});

describe('backoffFrom', () => {
  it('uses the spec defaults (200 ms, ×2, 60 s, jitter) when the profile sets nothing', () => {
    expect(backoffFrom()).toEqual({ initial_delay_ms: 200, backoff_factor: 2, max_delay_ms: 60_000, jitter: true });
  });

  it('takes the profile fields over the preset when both are set', () => {
    expect(backoffFrom({ preset: 'patient', initial_interval_ms: 10, maximum_interval_ms: 20, jitter: false })).toEqual({ initial_delay_ms: 10, backoff_factor: 3, max_delay_ms: 20, jitter: false });
  });
});

describe('shouldRetry', () => {
  it.each([
    ['retry', 1, 3, true, true],
    ['fail', 2, 3, true, true],
    ['fail', 3, 3, true, false],
    ['success', 1, 3, true, false],
    ['partial_success', 1, 3, true, false],
    ['fail', 1, 3, false, false],
  ] as const)('retries %s at attempt %d of %d (retryable %s): %s', (status, attempt, max, retryable, expected) => {
    expect(shouldRetry(status, attempt, max, retryable)).toBe(expected);
  });
});
