// A local LLM server for tests (real HTTP on 127.0.0.1): speaks OpenAI Chat Completions
// (`POST /v1/chat/completions`), OpenAI Responses (`POST /v1/responses`) and Anthropic Messages
// (`POST /v1/messages`). Conversations are scripted per marker (a string in the prompt): the reply is
// chosen by how many of this script's turns the request already carries (tool-call ids say so), so a
// retried request gets the same answer. Every request is logged; a turn can be held to kill a worker
// while it waits.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted model turn: text and/or tool calls, or an HTTP error. */
export interface MockTurn {
  text?: string;
  tools?: { name: string; args: Record<string, unknown> }[];
  usage?: { input: number; output: number };
  /** Answer with this HTTP status and an error body instead (e.g. 429, 500, 400). */
  status?: number;
  error?: string;
  headers?: Record<string, string>;
  /** OpenAI finish_reason override, e.g. content_filter. */
  finish?: string;
}

/** Which wire format a request used. */
export type MockApi = 'chat' | 'responses' | 'anthropic';

/** One logged request. */
export interface MockRequest {
  api: MockApi;
  script: string | undefined;
  /** 0-based turn of the script this request asked for. */
  turn: number;
  model: unknown;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  raw: string;
}

/** The mock server. */
export class LlmMock {
  readonly requests: MockRequest[] = [];
  private readonly scripts = new Map<string, MockTurn[]>();
  private readonly holds = new Map<string, { reached: () => void; gate: Promise<void> }>();
  private server: Server | undefined;

  constructor(readonly key = 'sk-mock-key') {}

  /** Scripts the conversation whose prompt contains `marker`; the last turn repeats. */
  script(marker: string, turns: MockTurn[]): this {
    this.scripts.set(marker, turns);
    return this;
  }

  /** Holds the reply to `turn` (0-based) of `marker` until release(); `reached` resolves when it is asked for. */
  hold(marker: string, turn: number): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    this.holds.set(`${marker}#${turn}`, { reached, gate });
    return { reached: reachedP, release };
  }

  /** Requests for one script, in arrival order. */
  of(marker: string): MockRequest[] {
    return this.requests.filter((r) => r.script === marker);
  }

  /** Starts listening; returns the base URL (…/v1). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => void this.handle(req, res, raw));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Stops the server (open connections are dropped). */
  async stop(): Promise<void> {
    for (const h of this.holds.values()) h.reached();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const api: MockApi | undefined =
      req.url === '/v1/chat/completions' ? 'chat' : req.url === '/v1/responses' ? 'responses' : req.url === '/v1/messages' ? 'anthropic' : undefined;
    if (req.method !== 'POST' || !api) return send(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    const authorized = api === 'anthropic' ? req.headers['x-api-key'] === this.key : req.headers.authorization === `Bearer ${this.key}`;
    const marker = this.markerOf(raw);
    const turn = marker === undefined ? 0 : turnsSoFar(raw, marker, [...this.scripts.keys()].indexOf(marker));
    this.requests.push({ api, script: marker, turn, model: body.model, headers: req.headers, body, raw });
    if (!authorized) {
      return send(res, 401, api === 'anthropic'
        ? { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }
        : { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    const hold = marker !== undefined ? this.holds.get(`${marker}#${turn}`) : undefined;
    if (hold) {
      hold.reached();
      await hold.gate;
    }
    const script = marker !== undefined ? this.scripts.get(marker) ?? [] : [];
    const t = script[Math.min(turn, script.length - 1)] ?? { text: 'mock answer' };
    if (t.status && t.status >= 400) {
      const message = t.error ?? `scripted HTTP ${t.status}`;
      return send(res, t.status, api === 'anthropic' ? { type: 'error', error: { type: 'api_error', message } } : { error: { message, type: 'server_error' } }, t.headers);
    }
    const k = [...this.scripts.keys()].indexOf(marker as string);
    const calls = (t.tools ?? []).map((c, i) => ({ id: `call_${k}_${turn}_${i}`, name: c.name, args: c.args }));
    const usage = t.usage ?? { input: 10, output: 5 };
    send(res, 200, reply(api, body.model, t, calls, usage), t.headers);
  }

  /** The script whose marker appears in the request; the one appearing last wins (a thread's newest prompt). */
  private markerOf(raw: string): string | undefined {
    let best: string | undefined;
    let at = -1;
    for (const m of this.scripts.keys()) {
      const i = raw.indexOf(JSON.stringify(m).slice(1, -1));
      if (i >= 0 && i >= at) [best, at] = [m, i];
    }
    return best;
  }
}

/** Distinct turns of script k already in the conversation (its tool-call ids are call_<k>_<turn>_<i>). */
function turnsSoFar(raw: string, _marker: string, k: number): number {
  const turns = new Set<string>();
  for (const m of raw.matchAll(new RegExp(`call_${k}_(\\d+)_\\d+`, 'g'))) turns.add(m[1] as string);
  return turns.size;
}

function reply(api: MockApi, model: unknown, t: MockTurn, calls: { id: string; name: string; args: unknown }[], usage: { input: number; output: number }): unknown {
  const id = `mock-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  if (api === 'chat') {
    return {
      id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: t.text ?? null, ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })) } : {}) },
        finish_reason: t.finish ?? (calls.length ? 'tool_calls' : 'stop'),
      }],
      usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
    };
  }
  if (api === 'responses') {
    return {
      id, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model, incomplete_details: null, error: null,
      output: [
        ...(t.text ? [{ type: 'message', id: `msg_${id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: t.text, annotations: [] }] }] : []),
        ...calls.map((c) => ({ type: 'function_call', id: `fc_${c.id}`, call_id: c.id, name: c.name, arguments: JSON.stringify(c.args), status: 'completed' })),
      ],
      usage: { input_tokens: usage.input, output_tokens: usage.output, total_tokens: usage.input + usage.output, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
    };
  }
  return {
    id, type: 'message', role: 'assistant', model,
    content: [...(t.text ? [{ type: 'text', text: t.text }] : []), ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.args }))],
    stop_reason: calls.length ? 'tool_use' : 'end_turn', stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
