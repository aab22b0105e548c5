// Token usage and cost: what one turn, one stage and one run spent. Cost only where the profile gives
// prices (USD per million tokens).

import { addUsage as addTokenUsage, type TokenUsage } from '../../core/usage';
import type { LlmProviderConfig } from '../../definitions/schemas/providers';

/** Tokens in/out and, with prices, the cost in US dollars. */
export type Usage = TokenUsage;

/** The zero usage. */
export const NO_USAGE: Usage = { input_tokens: 0, output_tokens: 0 };

/** Usage from the SDK's counters, priced per the provider. */
export function usageOf(u: { inputTokens?: number | undefined; outputTokens?: number | undefined }, provider: Pick<LlmProviderConfig, 'prices'>): Usage {
  const input = u.inputTokens ?? 0;
  const output = u.outputTokens ?? 0;
  const p = provider.prices;
  return p ? { input_tokens: input, output_tokens: output, cost_usd: roundUsd((input * p.input_per_mtok + output * p.output_per_mtok) / 1e6) } : { input_tokens: input, output_tokens: output };
}

/** The sum of two usages (cost present when either has one). */
export function addUsage(a: Usage, b: Usage): Usage {
  return addTokenUsage(a, b);
}

function roundUsd(v: number): number {
  return Math.round(v * 1e8) / 1e8;
}
