// The `openai` provider: one POST {base_url}/chat/completions per stage attempt (any OpenAI-compatible
// server). Transient trouble (429, 5xx, network, timeout) throws ProviderUnavailableError and is retried;
// a refusal (400, 401, 403, other 4xx) throws ProviderRejectedError and is not (Attractor §3.6 should_retry).

import type { ProviderConfig } from '../../../spec/schemas/profile';
import { ProviderRejectedError, ProviderUnavailableError, StageConfigError } from '../../errors';
import type { StageContext } from '../../handler-registry';
import type { BackendResult, CodergenBackend } from './types';

type OpenAIProvider = Extract<ProviderConfig, { kind: 'openai' }>;

/** Node attribute (`attrs.system`) carrying an optional system message. */
export const SYSTEM_ATTR = 'system';

/** The JSON body sent for one prompt. */
export function chatRequestBody(stage: StageContext, provider: OpenAIProvider, prompt: string): Record<string, unknown> {
  const system = stage.node.attrs[SYSTEM_ATTR];
  const messages = [
    ...(typeof system === 'string' && system !== '' ? [{ role: 'system', content: system }] : []),
    // the run context as the stage's fidelity carries it (Attractor §5.4), before the instruction
    ...(stage.carried ? [{ role: 'user', content: stage.carried.text }] : []),
    { role: 'user', content: prompt },
  ];
  return {
    model: stage.node.llm_model || provider.model,
    messages,
    ...(stage.node.reasoning_effort ? { reasoning_effort: stage.node.reasoning_effort } : {}),
  };
}

/** Builds the OpenAI-compatible backend (fetch is injectable for tests of transport failures). */
export function createOpenAIBackend(fetchImpl: typeof fetch = fetch): CodergenBackend {
  return {
    async run(stage: StageContext, prompt: string): Promise<BackendResult> {
      const provider = stage.provider as OpenAIProvider;
      const key = stage.env[provider.api_key_env];
      if (!key) throw new StageConfigError(`environment variable ${provider.api_key_env} (provider.api_key_env) is not set`);
      const url = `${provider.base_url.replace(/\/+$/, '')}/chat/completions`;
      const timeout = AbortSignal.timeout(provider.timeout_ms);
      let res: Response;
      try {
        res = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(chatRequestBody(stage, provider, prompt)),
          signal: AbortSignal.any([stage.signal, timeout]),
        });
      } catch (err) {
        if (stage.signal.aborted) throw stage.signal.reason;
        if (timeout.aborted) throw new ProviderUnavailableError(`POST ${url} timed out after ${provider.timeout_ms}ms`);
        throw new ProviderUnavailableError(`POST ${url} failed: ${networkCause(err)}`);
      }
      const text = await res.text().catch(() => '');
      if (!res.ok) throw httpError(url, res, text);
      return { response: contentOf(url, text) };
    },
  };
}

/** Maps a non-2xx answer onto retryable / non-retryable errors, quoting the server's error message. */
function httpError(url: string, res: Response, body: string): Error {
  const detail = apiErrorMessage(body);
  const message = `POST ${url} → HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
  if (res.status === 429 || res.status === 408 || res.status >= 500) {
    return new ProviderUnavailableError(message, res.status, retryAfterMs(res.headers.get('retry-after')));
  }
  return new ProviderRejectedError(message, res.status);
}

function contentOf(url: string, body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ProviderUnavailableError(`POST ${url} returned a non-JSON body`);
  }
  const content = (json as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new ProviderUnavailableError(`POST ${url} returned no choices[0].message.content`);
  return content;
}

function apiErrorMessage(body: string): string {
  try {
    const msg = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof msg === 'string') return msg.slice(0, 300);
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 300);
}

/** Retry-After in seconds or as an HTTP date → milliseconds (capped at 10 minutes). */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, 600_000);
}

function networkCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
