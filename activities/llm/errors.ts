// Maps what the AI SDK throws onto the worker's two provider errors: transient (429, 408, 5xx,
// network, timeout) → ProviderUnavailableError, retried by the activity policy with Retry-After
// honoured; a refusal (other 4xx, a content filter) → ProviderRejectedError, never retried. Every
// message is scrubbed of the API key.

import { APICallError, RetryError } from 'ai';
import { ProviderRejectedError, ProviderUnavailableError } from '../errors';

/** Replaces every occurrence of the key (and its Bearer form) with [redacted]. */
export function redact(text: string, key: string): string {
  if (!key || key.length < 4) return text;
  return text.split(key).join('[redacted]');
}

/** The error to throw for a failed model call on `provider` (signal/timeout decide aborts first). */
export function providerError(err: unknown, opts: { provider: string; key: string; timeoutMs: number; timedOut: boolean }): Error {
  const cause = RetryError.isInstance(err) ? err.lastError : err;
  const where = `provider ${opts.provider}`;
  if (opts.timedOut) return new ProviderUnavailableError(`${where}: request timed out after ${opts.timeoutMs}ms`);
  if (APICallError.isInstance(cause)) {
    const status = cause.statusCode;
    const detail = redact(apiMessage(cause), opts.key);
    const message = `${where}: ${status ? `HTTP ${status}` : 'request failed'}${detail ? `: ${detail}` : ''}`;
    if (status === undefined || status === 408 || status === 409 || status === 429 || status >= 500) {
      return new ProviderUnavailableError(message, status, retryAfter(cause.responseHeaders));
    }
    return new ProviderRejectedError(`${message} (refused: not retried; check the profile's provider, model and key)`, status);
  }
  const text = redact(cause instanceof Error ? cause.message : String(cause), opts.key);
  return new ProviderUnavailableError(`${where}: ${text}`);
}

/** The server's own error message (OpenAI/Anthropic `error.message`), else a network cause, else the body. */
function apiMessage(err: APICallError): string {
  const data = err.data as { error?: { message?: unknown } } | undefined;
  if (typeof data?.error?.message === 'string') return data.error.message.slice(0, 300);
  try {
    const msg = (JSON.parse(err.responseBody ?? '') as { error?: { message?: unknown } }).error?.message;
    if (typeof msg === 'string') return msg.slice(0, 300);
  } catch {
    // not JSON
  }
  const net = (err.cause as { cause?: { code?: string } } | undefined)?.cause?.code;
  if (net) return net;
  return (err.responseBody ?? err.message).trim().slice(0, 300);
}

function retryAfter(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers['retry-after-ms']);
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 600_000);
  return retryAfterMs(headers['retry-after'] ?? null);
}

/** Retry-After in seconds or as an HTTP date → milliseconds (capped at 10 minutes). */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, 600_000);
}
