// The run budget inside a stage (issue 20, item 6), through executeStage's attempt function with a
// scripted model on the local mock server: the budget is checked before every model call against the
// run's usage journal; a failed, cut-off or retried attempt's calls are counted; loop detection stops
// the stage; an empty final answer is a failure.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDefaultHandlers } from '../../activities/handlers';
import { runStage } from '../../activities/stage';
import type { StageInput } from '../../activities/types';
import { askNodeProvider } from '../../activities/llm/ask';
import { readUsage, USAGE_FILE } from '../../activities/usage-journal';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import type { MockTurn } from '../helpers/llm-mock';
import { failureOf, node, stageContext, stageInput, useLlmMockDir } from './helpers';

const KEY = 'sk-mock-key';
const t = useLlmMockDir(KEY, 'factory-budget-');
const LOOPING: MockTurn = { tools: [{ name: 'shell', args: { command: 'true' } }], usage: { input: 100, output: 20 } };

function provider(limits: Record<string, unknown> = {}): ProviderConfig {
  return { kind: 'openai', api: 'chat', model: 'm-1', base_url: t.base, api_key_env: 'MOCK_KEY', timeout_ms: 10_000, limits: { max_turns: 50, max_tool_rounds: 0, command_timeout_ms: 10_000, max_command_timeout_ms: 60_000, loop_detection_window: 10, ...limits } } as ProviderConfig;
}

/** One attempt of stage `id` (workflow-driven: `attempt` of `maxAttempts`) whose prompt carries `marker`. */
function attempt(id: string, marker: string, extra: Partial<StageInput> & { limits?: Record<string, unknown>; n?: number; of?: number } = {}) {
  const { limits, n = 1, of = 1, ...rest } = extra;
  mkdirSync(join(t.dir, 'ws'), { recursive: true });
  const input = stageInput(t.dir, node(id, { prompt: `${marker}: build it` }), { provider: provider(limits), workdir: join(t.dir, 'ws'), maxAttempts: of, attempt: n, ...rest });
  const ctx = { attempt: n, heartbeat: () => undefined, signal: new AbortController().signal, activityKey: `wf-1/${id}` };
  return runStage(input, ctx, { handlers: createDefaultHandlers(), env: { PATH: process.env.PATH, MOCK_KEY: KEY } });
}

describe('the run budget inside a stage', () => {
  it('stops a looping model under a 1,000-token budget at most one call past it, and journals every call', async () => {
    t.mock.script('B1', [LOOPING]);
    const out = await attempt('code', 'B1', { budget: { max_tokens: 1000 } });
    // 8 calls (960 tokens) are within; the 9th crosses (1,080); none follows it
    expect(t.mock.of('B1')).toHaveLength(9);
    expect(out.status).toBe('fail');
    expect(out.failure_reason).toMatch(/agent stopped: run budget exceeded: 1080 tokens used, policy\.budget\.max_tokens is 1000; the agent stopped before model call 10/);
    expect(out.usage).toEqual({ input_tokens: 900, output_tokens: 180 });
    const calls = (await readUsage(t.dir)).filter((l) => l.type === 'call');
    expect(calls).toHaveLength(9);
    expect(calls[0]).toMatchObject({ node: 'code', attempt: 1, provider: 'openai', model: 'm-1', usage: { input_tokens: 100, output_tokens: 20 } });
    expect(JSON.parse(readFileSync(join(t.dir, 'code', 'status.json'), 'utf8'))).toMatchObject({ outcome: 'fail', usage: { input_tokens: 900, output_tokens: 180 } });
  });

  it('counts what earlier stages spent: a stage starting over budget makes no call at all', async () => {
    t.mock.script('B2', [{ text: 'done', usage: { input: 500, output: 100 } }]);
    t.mock.script('B3', [{ text: 'never asked' }]);
    expect((await attempt('first', 'B2', { budget: { max_tokens: 550 } })).status).toBe('success');
    const out = await attempt('second', 'B3', { budget: { max_tokens: 550 } });
    expect(t.mock.of('B3')).toHaveLength(0);
    expect(out).toMatchObject({ status: 'fail', failure_reason: expect.stringMatching(/run budget exceeded: 600 tokens used.*before model call 1 /) });
    expect(out.usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });

  it('records what a stage spent before the provider failed, retryable or not', async () => {
    t.mock.script('B4', [LOOPING, LOOPING, { status: 500, error: 'overloaded' }]);
    const failed = await attempt('code', 'B4');
    expect(failed).toMatchObject({ status: 'fail', usage: { input_tokens: 200, output_tokens: 40 } });
    t.mock.script('B5', [LOOPING, { status: 400, error: 'bad request' }]);
    const thrown = await failureOf(attempt('review', 'B5'));
    expect(thrown.nonRetryable).toBe(true);
    expect(JSON.parse(readFileSync(join(t.dir, 'review', 'status.json'), 'utf8'))).toMatchObject({ outcome: 'fail', usage: { input_tokens: 100, output_tokens: 20 } });
    // the throw reached the workflow without usage: the node's next outcome reports it
    t.mock.script('B6', [{ text: 'ok', usage: { input: 1, output: 1 } }]);
    expect((await attempt('review', 'B6')).usage).toEqual({ input_tokens: 101, output_tokens: 21 });
  });

  it('journals a call the provider billed and then refused (content filter)', async () => {
    t.mock.script('B12', [LOOPING, { text: 'I cannot help with that', finish: 'content_filter', usage: { input: 7, output: 3 } }]);
    const thrown = await failureOf(attempt('code', 'B12'));
    expect(thrown.message).toMatch(/content-filter/);
    expect((await readUsage(t.dir)).map((l) => l.usage)).toEqual([{ input_tokens: 100, output_tokens: 20 }, { input_tokens: 7, output_tokens: 3 }]);
    expect(JSON.parse(readFileSync(join(t.dir, 'code', 'status.json'), 'utf8'))).toMatchObject({ usage: { input_tokens: 107, output_tokens: 23 } });
  });

  it("counts a retried stage's earlier attempts in the outcome the workflow keeps, and each call once", async () => {
    t.mock.script('B7', [LOOPING]);
    const first = await attempt('code', 'B7', { n: 1, of: 3, limits: { max_turns: 3 } });
    expect(first).toMatchObject({ status: 'fail', failure_reason: expect.stringMatching(/max_turns \(3\)/) });
    t.mock.script('B7', [{ text: 'fixed it', usage: { input: 50, output: 5 } }]);
    const second = await attempt('code', 'B7', { n: 2, of: 3, limits: { max_turns: 3 } });
    expect(second.status).toBe('success');
    // 3 calls of the failed attempt + 1 of the retry: what the provider billed
    expect(second.usage).toEqual({ input_tokens: 350, output_tokens: 65 });
    // the next visit of the node starts from zero: the retry's outcome reported them
    const visit = await attempt('code', 'B7', { n: 1, of: 3 });
    expect(visit.usage).toEqual({ input_tokens: 50, output_tokens: 5 });
    expect(readFileSync(join(t.dir, USAGE_FILE), 'utf8').trim().split('\n')).toHaveLength(5 + 2);
  });

  it('counts the calls of an attempt cut off mid-conversation in the attempt that resumes it', async () => {
    t.mock.script('B10', [LOOPING, LOOPING, LOOPING, { text: 'done', usage: { input: 1, output: 1 } }]);
    const held = t.mock.hold('B10', 2);
    const abort = new AbortController();
    mkdirSync(join(t.dir, 'ws'), { recursive: true });
    const input = stageInput(t.dir, node('code', { prompt: 'B10: build it' }), { provider: provider(), workdir: join(t.dir, 'ws'), maxAttempts: 1, attempt: 1 });
    const cut = runStage(input, { attempt: 1, heartbeat: () => undefined, signal: abort.signal, activityKey: 'wf-1/code' }, { handlers: createDefaultHandlers(), env: { PATH: process.env.PATH, MOCK_KEY: KEY } }).catch((e: unknown) => e);
    await held.reached;
    abort.abort(new Error('worker lost'));
    expect(await cut).toMatchObject({ message: 'worker lost' });
    held.release();
    // the cancelled attempt's two calls are in the journal, reported by no outcome yet
    expect((await readUsage(t.dir)).filter((l) => l.type === 'call')).toHaveLength(2);
    const resumed = await attempt('code', 'B10');
    expect(resumed.status).toBe('success');
    expect(t.mock.of('B10').map((r) => r.turn)).toEqual([0, 1, 2, 2, 3]);
    // turns 0 and 1 (cut-off attempt), 2 and 3 (resumed): the held request was never answered, never billed
    expect(resumed.usage).toEqual({ input_tokens: 301, output_tokens: 61 });
  });

  it('stops a stage whose model repeats the same call after the loop warning, with the reason', async () => {
    t.mock.script('B8', [LOOPING]);
    const out = await attempt('code', 'B8', { limits: { loop_detection_window: 3 } });
    // rounds 3, 4 and 5 repeat the pattern: the first warns, the third stops
    expect(t.mock.of('B8')).toHaveLength(5);
    expect(t.mock.of('B8')[3]?.raw).toContain('Loop detected');
    expect(out).toMatchObject({ status: 'fail', failure_reason: expect.stringMatching(/loop detected: the last 3 tool calls repeated a pattern for 3 rounds in a row/) });
    expect(out.usage).toEqual({ input_tokens: 500, output_tokens: 100 });
  });

  it('keeps counting loop rounds across a resumed attempt (from the transcript)', async () => {
    t.mock.script('B13', [LOOPING]);
    const held = t.mock.hold('B13', 4);
    const abort = new AbortController();
    mkdirSync(join(t.dir, 'ws'), { recursive: true });
    const input = stageInput(t.dir, node('code', { prompt: 'B13: build it' }), { provider: provider({ loop_detection_window: 3 }), workdir: join(t.dir, 'ws'), maxAttempts: 1, attempt: 1 });
    const cut = runStage(input, { attempt: 1, heartbeat: () => undefined, signal: abort.signal, activityKey: 'wf-1/code' }, { handlers: createDefaultHandlers(), env: { PATH: process.env.PATH, MOCK_KEY: KEY } }).catch((e: unknown) => e);
    await held.reached;
    abort.abort(new Error('worker lost'));
    await cut;
    held.release();
    // rounds 3 and 4 fired before the cut: the resumed attempt's first round is the third strike
    const out = await attempt('code', 'B13', { limits: { loop_detection_window: 3 } });
    expect(out).toMatchObject({ status: 'fail', failure_reason: expect.stringMatching(/loop detected/) });
    expect(t.mock.of('B13').map((r) => r.turn)).toEqual([0, 1, 2, 3, 4, 4]);
  });

  it('fails a stage whose model ends with an empty answer, saying so', async () => {
    t.mock.script('B9', [LOOPING, { text: '' }]);
    const out = await attempt('code', 'B9');
    expect(out).toMatchObject({ status: 'fail', failure_reason: expect.stringMatching(/the model's final answer \(turn 2, finish reason stop\) was empty/) });
    expect(out.usage).toEqual({ input_tokens: 110, output_tokens: 25 });
  });

  it('journals a one-shot call (askNodeProvider) and refuses one once the run is over budget', async () => {
    t.mock.script('B11', [{ text: 'ranked', usage: { input: 700, output: 400 } }]);
    const stage = stageContext(t.dir, node('rank', { prompt: 'B11' }), { provider: provider(), env: { MOCK_KEY: KEY }, budget: { max_tokens: 1000 } });
    expect((await askNodeProvider(stage, 'B11: rank these')).text).toBe('ranked');
    expect(await readUsage(t.dir)).toEqual([expect.objectContaining({ type: 'call', node: 'rank', usage: { input_tokens: 700, output_tokens: 400 } })]);
    await expect(askNodeProvider(stage, 'B11: again')).rejects.toThrow(/run budget exceeded: 1100 tokens used, policy\.budget\.max_tokens is 1000; no model call made for rank/);
    expect(t.mock.of('B11')).toHaveLength(1);
  });
});
