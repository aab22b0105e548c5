// "Call this node's provider with a prompt": the one entry point for LLM calls outside the agent loop
// (fan_in ranking, judges, summaries). No tools, one turn, the node's llm_provider / llm_model /
// reasoning_effort honoured; the twin and the command-line agent answer through their backends.

import type { ProviderConfig } from '../../definitions/schemas/profile';
import { isLlmProvider } from '../../definitions/schemas/providers';
import type { StageContext } from '../handler-registry';
import { createAgentBackend } from '../handlers/backends/agent';
import { createTwinBackend } from '../handlers/backends/twin';
import { ProviderRejectedError } from '../errors';
import { appendUsage, overBudget } from '../usage-journal';
import { callModel } from './call';
import { bindModel } from './models';
import { resolveNodeProvider } from './resolve';
import type { Usage } from './usage';

/** An answer: the text, and usage when an LLM gave it. */
export interface Answer {
  text: string;
  usage?: Usage;
}

/** Asks a provider directly (no node): throws ProviderUnavailableError / ProviderRejectedError / StageConfigError. */
export async function askProvider(opts: {
  provider: ProviderConfig;
  providerName?: string;
  model?: string;
  reasoningEffort?: string;
  system?: string;
  prompt: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}): Promise<Answer> {
  const p = opts.provider;
  if (!isLlmProvider(p)) throw new Error(`askProvider: provider kind ${p.kind} is not an LLM (use askNodeProvider)`);
  const name = opts.providerName ?? p.kind;
  const model = opts.model ?? p.model;
  const bound = bindModel(p, name, model, opts.env, opts.reasoningEffort);
  const r = await callModel({
    bound, provider: p, providerName: name, ...(opts.system ? { system: opts.system } : {}),
    messages: [{ role: 'user', content: opts.prompt }], signal: opts.signal,
  });
  return { text: r.text, usage: r.usage };
}

/** Asks the stage node's provider (twin, agent command or LLM) one prompt and returns its answer. */
export async function askNodeProvider(stage: StageContext, prompt: string, opts: { system?: string } = {}): Promise<Answer> {
  const np = resolveNodeProvider(stage.node, stage.provider, stage.providers);
  const p = np.config;
  if (p.kind === 'twin') return { text: (await createTwinBackend().run({ ...stage, provider: p }, prompt)).response };
  if (p.kind === 'agent') return { text: (await createAgentBackend().run({ ...stage, provider: p }, prompt)).response };
  // the run budget and usage journal hold for one-shot calls as for the agent loop's (usage-journal.ts)
  const over = await overBudget(stage.runDir, stage.budget);
  if (over) throw new BudgetExhaustedError(`${over}; no model call made for ${stage.node.id}`);
  const spent = (usage: Usage) => appendUsage(stage.runDir, { type: 'call', node: stage.node.id, at: new Date().toISOString(), attempt: stage.attempt, provider: np.name, model: np.model ?? p.model, usage });
  const answer = await askProvider({
    provider: p, providerName: np.name, ...(np.model ? { model: np.model } : {}), ...(np.reasoningEffort ? { reasoningEffort: np.reasoningEffort } : {}),
    ...(opts.system ? { system: opts.system } : {}), prompt, env: stage.env, signal: stage.signal,
  }).catch(async (err: unknown) => {
    if (err instanceof ProviderRejectedError && err.usage) await spent(err.usage);
    throw err;
  });
  if (answer.usage) await spent(answer.usage);
  return answer;
}

/** A one-shot call refused because the run's journaled usage is over its budget. */
export class BudgetExhaustedError extends Error {
  override readonly name = 'BudgetExhaustedError';
}
