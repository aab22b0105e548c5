// One model call (a single turn: no SDK-level tool loop, no SDK retries — the activity retry policy
// owns retries). Times out per the provider, maps failures (llm/errors.ts), and reports usage.

import { generateText, type ModelMessage, type ToolSet } from 'ai';
import type { LlmProviderConfig } from '../../definitions/schemas/providers';
import { ProviderRejectedError } from '../errors';
import { providerError } from './errors';
import type { BoundModel } from './models';
import { type Usage, usageOf } from './usage';

/** What one turn produced: text, tool calls, the assistant message(s) to append, usage. */
export interface TurnResult {
  text: string;
  toolCalls: { id: string; name: string; args: unknown }[];
  messages: ModelMessage[];
  usage: Usage;
  finishReason: string;
}

/** Inputs of one call. */
export interface CallInput {
  bound: BoundModel;
  provider: LlmProviderConfig;
  providerName: string;
  system?: string;
  messages: ModelMessage[];
  tools?: ToolSet;
  maxOutputTokens?: number;
  signal: AbortSignal;
}

/** Calls the model once; throws ProviderUnavailableError (retry), ProviderRejectedError (refused) or the abort reason. */
export async function callModel(input: CallInput): Promise<TurnResult> {
  const timeoutMs = input.provider.timeout_ms;
  const timeout = AbortSignal.timeout(timeoutMs);
  let result;
  try {
    result = await generateText({
      model: input.bound.model,
      ...(input.system ? { system: input.system } : {}),
      messages: input.messages,
      ...(input.tools && Object.keys(input.tools).length ? { tools: input.tools, toolChoice: 'auto' as const } : {}),
      ...(input.maxOutputTokens ? { maxOutputTokens: input.maxOutputTokens } : {}),
      providerOptions: input.bound.providerOptions as never,
      maxRetries: 0,
      abortSignal: AbortSignal.any([input.signal, timeout]),
    });
  } catch (err) {
    if (input.signal.aborted) throw input.signal.reason;
    throw providerError(err, { provider: input.providerName, key: input.bound.key, timeoutMs, timedOut: timeout.aborted });
  }
  if (result.finishReason === 'content-filter') {
    throw new ProviderRejectedError(
      `provider ${input.providerName}: the model refused (finish reason content-filter)${result.text ? `: ${result.text.slice(0, 200)}` : ''}; not retried`,
      undefined,
      usageOf(result.usage, input.provider),
    );
  }
  return {
    text: result.text,
    toolCalls: result.toolCalls.map((c) => ({ id: c.toolCallId, name: c.toolName, args: c.input })),
    messages: result.response.messages as ModelMessage[],
    usage: usageOf(result.usage, input.provider),
    finishReason: result.finishReason,
  };
}
