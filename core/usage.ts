// Token usage and the per-run budget, as pure data: the workflow sums what stages report and ends the
// run once the profile's budget is exceeded. No I/O (workflow code imports this).

/** Tokens in/out and, where the profile prices them, the cost in US dollars. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cost_usd?: number;
}

/** The per-run cap (profile policy.budget). */
export interface Budget {
  max_tokens?: number;
  max_cost_usd?: number;
}

/** a + b (cost present when either has one); an absent side counts as zero. */
export function addUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage {
  const x = a ?? { input_tokens: 0, output_tokens: 0 };
  const y = b ?? { input_tokens: 0, output_tokens: 0 };
  const sum: TokenUsage = { input_tokens: x.input_tokens + y.input_tokens, output_tokens: x.output_tokens + y.output_tokens };
  if (x.cost_usd !== undefined || y.cost_usd !== undefined) sum.cost_usd = Math.round(((x.cost_usd ?? 0) + (y.cost_usd ?? 0)) * 1e8) / 1e8;
  return sum;
}

/** Why the run's usage is over budget, or undefined while it is within. */
export function budgetExceeded(total: TokenUsage | undefined, budget: Budget | undefined): string | undefined {
  if (!budget || !total) return undefined;
  const tokens = total.input_tokens + total.output_tokens;
  if (budget.max_tokens !== undefined && tokens > budget.max_tokens) {
    return `run budget exceeded: ${tokens} tokens used, policy.budget.max_tokens is ${budget.max_tokens}`;
  }
  if (budget.max_cost_usd !== undefined && (total.cost_usd ?? 0) > budget.max_cost_usd) {
    return `run budget exceeded: $${(total.cost_usd ?? 0).toFixed(4)} spent, policy.budget.max_cost_usd is $${budget.max_cost_usd}`;
  }
  return undefined;
}
