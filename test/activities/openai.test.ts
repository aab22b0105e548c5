// The openai backend against a real HTTP server on 127.0.0.1 that speaks the Chat Completions API.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProviderRejectedError, ProviderUnavailableError } from '../../activities/errors';
import { createDefaultHandlers } from '../../activities/handlers';
import { retryAfterMs } from '../../activities/llm/errors';
import { createCodergenHandler } from '../../activities/handlers/codergen';
import { runStage } from '../../activities/stage';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { failureOf, node, stageContext, stageInput, tempDir } from './helpers';

const KEY = 'sk-test-123';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: { model?: unknown; messages?: { role: string; content: string }[]; [k: string]: unknown };
}

/** A scripted Chat Completions server: each request takes the next reply (the last one repeats). */
class FakeOpenAI {
  readonly requests: Recorded[] = [];
  private server!: Server;
  replies: ((req: Recorded, res: ServerResponse) => void)[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : {} };
        this.requests.push(rec);
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return json(res, 404, { error: { message: 'Not found', type: 'invalid_request_error' } });
        if (req.headers.authorization !== `Bearer ${KEY}`) {
          return json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
        }
        if (!String(req.headers['content-type']).startsWith('application/json') || !rec.body.model || !Array.isArray(rec.body.messages)) {
          return json(res, 400, { error: { message: 'you must provide a model and messages', type: 'invalid_request_error' } });
        }
        const reply = this.replies[Math.min(this.requests.filter((r) => r.url === '/v1/chat/completions').length - 1, this.replies.length - 1)];
        (reply ?? completion('default answer'))(rec, res);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function completion(content: string) {
  return (req: Recorded, res: ServerResponse) =>
    json(res, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: req.body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
}

const rateLimited = (req: Recorded, res: ServerResponse) =>
  json(res, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '2' });

describe('openai backend', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let server: FakeOpenAI;
  let baseUrl: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    server = new FakeOpenAI();
    baseUrl = await server.start();
  });
  afterEach(async () => {
    await server.stop();
    await cleanup();
  });

  const provider = (extra: Partial<Extract<ProviderConfig, { kind: 'openai' }>> = {}): ProviderConfig => ({
    kind: 'openai',
    model: 'gpt-test',
    base_url: baseUrl,
    api_key_env: 'TEST_OPENAI_KEY',
    timeout_ms: 5000,
    ...extra,
  });
  const env = { PATH: process.env.PATH, TEST_OPENAI_KEY: KEY };

  it('posts model and messages with the bearer key and returns choices[0].message.content when the tools are off', async () => {
    server.replies = [completion('Here is the plan.')];
    const n = node('plan', { prompt: 'Plan: ship it', attrs: { system: 'You are terse.' } });
    await mkdir(join(dir, 'plan'), { recursive: true });
    const out = await createCodergenHandler().execute(stageContext(dir, n, { provider: provider({ tools: false }), env }));
    expect(out).toMatchObject({ status: 'success', context_updates: { last_stage: 'plan', last_response: 'Here is the plan.' } });
    expect(await readFile(join(dir, 'plan', 'response.md'), 'utf8')).toBe('Here is the plan.');
    const req = server.requests[0] as Recorded;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.body).toEqual({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Plan: ship it' },
      ],
    });
  });

  it('uses the node llm_model over the provider model when the stylesheet set one', async () => {
    const n = node('plan', { prompt: 'p', llm_model: 'gpt-big' });
    await mkdir(join(dir, 'plan'), { recursive: true });
    await createCodergenHandler().execute(stageContext(dir, n, { provider: provider({ tools: false }), env }));
    expect(server.requests[0]?.body).toEqual({ model: 'gpt-big', messages: [{ role: 'user', content: 'p' }] });
  });

  it('retries a 429 and succeeds on the next attempt when the server recovers', async () => {
    server.replies = [rateLimited, completion('second time lucky')];
    const n = node('plan', { prompt: 'p' });
    const deps = { handlers: createDefaultHandlers(), env };
    const input = stageInput(dir, n, { provider: provider(), maxAttempts: 3 });
    const first = await failureOf(runStage(input, { attempt: 1, heartbeat: () => undefined, signal: new AbortController().signal }, deps));
    expect(first.type).toBe('STAGE_FAILED');
    expect(first.nonRetryable).toBe(false);
    expect(first.message).toContain('HTTP 429');
    expect(first.message).toContain('Rate limit reached');
    expect(first.nextRetryDelay).toBe(2000);
    const second = await runStage(input, { attempt: 2, heartbeat: () => undefined, signal: new AbortController().signal }, deps);
    expect(second).toMatchObject({ status: 'success', attempts: 2, context_updates: { last_response: 'second time lucky' } });
    expect(server.requests).toHaveLength(2);
  });

  it('raises a non-retryable ProviderRejectedError on 401 even when attempts remain', async () => {
    const n = node('plan', { prompt: 'p' });
    const input = stageInput(dir, n, { provider: provider(), maxAttempts: 5 });
    const f = await failureOf(
      runStage(input, { attempt: 1, heartbeat: () => undefined, signal: new AbortController().signal }, {
        handlers: createDefaultHandlers(),
        env: { ...env, TEST_OPENAI_KEY: 'sk-wrong' },
      }),
    );
    expect(f.type).toBe('ProviderRejectedError');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('HTTP 401');
    expect(f.message).toContain('Incorrect API key provided');
    expect(f.message).not.toContain('sk-wrong');
  });

  test.each([
    [400, ProviderRejectedError],
    [403, ProviderRejectedError],
    [404, ProviderRejectedError],
    [408, ProviderUnavailableError],
    [429, ProviderUnavailableError],
    [500, ProviderUnavailableError],
    [503, ProviderUnavailableError],
  ])('maps HTTP %i to %O', async (status, cls) => {
    server.replies = [(_req, res) => json(res, status, { error: { message: `status ${status}` } })];
    const n = node('plan', { prompt: 'p' });
    await mkdir(join(dir, 'plan'), { recursive: true });
    const err = await createCodergenHandler()
      .execute(stageContext(dir, n, { provider: provider(), env }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
  });

  it('throws ProviderUnavailableError when nothing listens at base_url', async () => {
    const n = node('plan', { prompt: 'p' });
    await mkdir(join(dir, 'plan'), { recursive: true });
    await server.stop();
    const err = await createCodergenHandler()
      .execute(stageContext(dir, n, { provider: provider(), env }))
      .catch((e: unknown) => e);
    server = new FakeOpenAI();
    baseUrl = await server.start();
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as Error).message).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it('throws ProviderUnavailableError when the server is slower than provider.timeout', async () => {
    server.replies = [(req, res) => setTimeout(() => completion('late')(req, res), 1500)];
    const n = node('plan', { prompt: 'p' });
    await mkdir(join(dir, 'plan'), { recursive: true });
    const err = await createCodergenHandler()
      .execute(stageContext(dir, n, { provider: provider({ timeout_ms: 200 }), env }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as Error).message).toContain('timed out after 200ms');
  });

  test.each([
    ['seconds', '3', 3000],
    ['zero', '0', 0],
    ['an HTTP date 5s ahead', new Date(1_000_000 + 5000).toUTCString(), 5000],
    ['garbage', 'soon', undefined],
    ['absent', null, undefined],
  ])('reads Retry-After given as %s', (_label, header, expected) => {
    expect(retryAfterMs(header, 1_000_000)).toBe(expected);
  });
});
