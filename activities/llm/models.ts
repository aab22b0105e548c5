// Builds the Vercel AI SDK model for a resolved provider. The key is read from the worker's environment
// (api_key_env) at call time and handed to the SDK only: it is never logged, recorded or returned.

import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { AgentLimits, LlmProviderConfig } from '../../definitions/schemas/providers';
import { StageConfigError } from '../errors';

/** A model ready to call, the key it uses (for redaction) and the provider options for this node. */
export interface BoundModel {
  model: LanguageModel;
  /** The API key in use ('' when the provider needs none): error text is scrubbed of it. */
  key: string;
  providerOptions: Record<string, Record<string, string | number | boolean | Record<string, unknown>>>;
}

/** Defaults for limits a provider does not declare (coding-agent-loop spec §2.2, with a turn cap). */
export const DEFAULT_LIMITS: AgentLimits = {
  max_turns: 50,
  max_tool_rounds: 0,
  command_timeout_ms: 10_000,
  max_command_timeout_ms: 600_000,
  loop_detection_window: 10,
};

/** The key for a provider, from the environment; StageConfigError names the variable (never a value). */
export function apiKeyFor(provider: LlmProviderConfig, providerName: string, env: NodeJS.ProcessEnv): string {
  const name = provider.api_key_env;
  if (!name) return '';
  const key = env[name];
  if (!key) throw new StageConfigError(`environment variable ${name} (api_key_env of provider ${providerName}) is not set`);
  return key;
}

const THINKING_BUDGET: Record<string, number> = { low: 1024, medium: 4096, high: 16384 };

/** The SDK model for one provider and model id, with reasoning effort mapped per provider (spec §2.7). */
export function bindModel(
  provider: LlmProviderConfig,
  providerName: string,
  modelId: string,
  env: NodeJS.ProcessEnv,
  reasoningEffort?: string,
): BoundModel {
  const key = apiKeyFor(provider, providerName, env);
  const effort = reasoningEffort && reasoningEffort in THINKING_BUDGET ? reasoningEffort : undefined;
  switch (provider.kind) {
    case 'openai': {
      const sdk = createOpenAI({ baseURL: provider.base_url, apiKey: key });
      const model = provider.api === 'responses' ? sdk.responses(modelId) : sdk.chat(modelId);
      return { model, key, providerOptions: effort ? { openai: { reasoningEffort: effort } } : {} };
    }
    case 'anthropic': {
      const model = createAnthropic({ baseURL: provider.base_url, apiKey: key })(modelId);
      const budget = effort ? THINKING_BUDGET[effort] : undefined;
      return { model, key, providerOptions: budget ? { anthropic: { thinking: { type: 'enabled', budgetTokens: budget } } } : {} };
    }
    case 'google': {
      const model = createGoogleGenerativeAI({ baseURL: provider.base_url, apiKey: key })(modelId);
      const budget = effort ? THINKING_BUDGET[effort] : undefined;
      return { model, key, providerOptions: budget ? { google: { thinkingConfig: { thinkingBudget: budget } } } : {} };
    }
    case 'openai_compatible': {
      const sdk = createOpenAICompatible({ name: 'compatible', baseURL: provider.base_url, ...(key ? { apiKey: key } : {}), includeUsage: true });
      return { model: sdk.chatModel(modelId), key, providerOptions: effort ? { compatible: { reasoningEffort: effort } } : {} };
    }
    default:
      throw new StageConfigError(`provider ${providerName} (kind ${(provider as { kind: string }).kind}) is not served by the LLM library`);
  }
}

/** The provider's agent limits with defaults filled. */
export function limitsOf(provider: LlmProviderConfig): AgentLimits {
  return { ...DEFAULT_LIMITS, ...(provider.limits ?? {}) };
}
