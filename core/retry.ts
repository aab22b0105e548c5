// Attractor §3.5/§3.6 retry policy, pure: how many attempts a node gets, how long to wait before each
// retry, and which outcomes are retried. The run workflow applies it (one activity per attempt, a
// durable timer between attempts, a `stage.retrying` event each time); workflow code imports this, so
// jitter comes from a hash of (run, node, visit, attempt), never from Math.random: replays agree.

import type { PipelineGraph, PipelineNode } from './model';

/** §3.6 BackoffConfig, in milliseconds. */
export interface BackoffConfig {
  initial_delay_ms: number;
  backoff_factor: number;
  max_delay_ms: number;
  jitter: boolean;
}

/** §3.6 preset policies by name: attempts and backoff. */
export const RETRY_PRESETS = {
  none: { max_attempts: 1, initial_delay_ms: 0, backoff_factor: 1 },
  standard: { max_attempts: 5, initial_delay_ms: 200, backoff_factor: 2 },
  aggressive: { max_attempts: 5, initial_delay_ms: 500, backoff_factor: 2 },
  linear: { max_attempts: 3, initial_delay_ms: 500, backoff_factor: 1 },
  patient: { max_attempts: 3, initial_delay_ms: 2000, backoff_factor: 3 },
} as const;
export type RetryPreset = keyof typeof RETRY_PRESETS;
export const RETRY_PRESET_NAMES = Object.keys(RETRY_PRESETS) as RetryPreset[];

/** §3.6 defaults: 200 ms, ×2, capped at 60 s, with jitter. */
export const DEFAULT_BACKOFF: BackoffConfig = { initial_delay_ms: 200, backoff_factor: 2, max_delay_ms: 60_000, jitter: true };

/** The profile's `policy.retry` fields this module reads (after the schema renamed durations to *_ms). */
export interface ProfileRetry {
  preset?: RetryPreset;
  initial_interval_ms?: number;
  backoff_coefficient?: number;
  maximum_interval_ms?: number;
  jitter?: boolean;
}

/** The node's total attempts (§3.5): max_retries + 1, else graph default_max_retries + 1, else the preset's, else 1. */
export function maxAttemptsFor(node: Pick<PipelineNode, 'max_retries'>, graph: Pick<PipelineGraph, 'default_max_retries'>, profile: ProfileRetry = {}): number {
  if (node.max_retries !== undefined) return node.max_retries + 1;
  if (graph.default_max_retries !== undefined) return graph.default_max_retries + 1;
  return profile.preset ? RETRY_PRESETS[profile.preset].max_attempts : 1;
}

/** Backoff from the profile: a preset's delays, overridden by explicit interval/coefficient/max/jitter. */
export function backoffFrom(profile: ProfileRetry = {}): BackoffConfig {
  const preset = profile.preset ? RETRY_PRESETS[profile.preset] : undefined;
  return {
    initial_delay_ms: profile.initial_interval_ms ?? preset?.initial_delay_ms ?? DEFAULT_BACKOFF.initial_delay_ms,
    backoff_factor: profile.backoff_coefficient ?? preset?.backoff_factor ?? DEFAULT_BACKOFF.backoff_factor,
    max_delay_ms: profile.maximum_interval_ms ?? DEFAULT_BACKOFF.max_delay_ms,
    jitter: profile.jitter ?? DEFAULT_BACKOFF.jitter,
  };
}

/**
 * §3.6 delay_for_attempt: initial × factor^(attempt−1), capped, then × uniform[0.5, 1.5) when jitter is
 * on. `attempt` is 1-based (the first retry follows attempt 1); `seed` picks the jitter deterministically.
 */
export function delayForAttempt(attempt: number, config: BackoffConfig, seed = ''): number {
  const raw = config.initial_delay_ms * Math.pow(config.backoff_factor, Math.max(0, attempt - 1));
  const capped = Math.min(raw, config.max_delay_ms);
  if (!config.jitter) return Math.round(capped);
  return Math.round(capped * (0.5 + unitHash(`${seed}#${attempt}`)));
}

/** §3.5: RETRY and FAIL outcomes are retried while attempts remain (§11.5 "retried on RETRY or FAIL"). */
export function shouldRetry(status: string, attempt: number, maxAttempts: number, retryable = true): boolean {
  return retryable && (status === 'retry' || status === 'fail') && attempt < maxAttempts;
}

/** FNV-1a over the string, mapped to [0, 1). */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}
