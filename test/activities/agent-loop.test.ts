// A codergen stage on a real provider IS the coding-agent loop: against the local mock server speaking
// OpenAI Chat Completions, OpenAI Responses and Anthropic Messages, with scripted tool calls.
import { existsSync, readFileSync, symlinkSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCodergenHandler } from '../../activities/handlers/codergen';
import { readJournal } from '../../activities/agent/journal';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { LlmMock, type MockApi } from '../helpers/llm-mock';
import { node, stageContext, useLlmMockDir } from './helpers';

const KEY = 'sk-mock-key';
const t = useLlmMockDir(KEY, 'factory-agent-');

function provider(api: MockApi, extra: Record<string, unknown> = {}): ProviderConfig {
  const common = { model: 'm-1', base_url: t.base, timeout_ms: 10_000, ...extra };
  if (api === 'anthropic') return { kind: 'anthropic', api_key_env: 'MOCK_KEY', ...common } as ProviderConfig;
  return { kind: 'openai', api: api, api_key_env: 'MOCK_KEY', ...common } as ProviderConfig;
}
const env = { PATH: process.env.PATH, MOCK_KEY: KEY };

async function run(marker: string, api: MockApi, extra: { providerExtra?: Record<string, unknown>; activityKey?: string; signal?: AbortSignal } = {}) {
  const n = node('code', { prompt: `${marker}: make hello.txt` });
  mkdirSync(join(t.dir, 'code'), { recursive: true });
  const stage = stageContext(t.dir, n, {
    provider: provider(api, extra.providerExtra), env, workdir: join(t.dir, 'ws'),
    ...(extra.activityKey ? { activityKey: extra.activityKey } : {}), ...(extra.signal ? { signal: extra.signal } : {}),
  });
  mkdirSync(stage.workdir, { recursive: true });
  return createCodergenHandler().execute(stage);
}

describe('agent loop on a real provider', () => {
  it.each<MockApi>(['chat', 'responses', 'anthropic'])('writes, reads and runs tools until a text-only answer when the provider speaks %s', async (api) => {
    t.mock.script('M1', [
      { tools: [{ name: 'write_file', args: { file_path: 'hello.txt', content: 'hi there\n' } }], usage: { input: 100, output: 10 } },
      { tools: [{ name: 'read_file', args: { file_path: 'hello.txt' } }, { name: 'shell', args: { command: 'wc -c < hello.txt' } }], usage: { input: 200, output: 20 } },
      { text: 'Created hello.txt (9 bytes).', usage: { input: 300, output: 30 } },
    ]);
    const out = await run('M1', api);
    expect(out.status).toBe('success');
    expect(out.usage).toEqual({ input_tokens: 600, output_tokens: 60 });
    expect(readFileSync(join(t.dir, 'ws', 'hello.txt'), 'utf8')).toBe('hi there\n');
    expect(readFileSync(join(t.dir, 'code', 'response.md'), 'utf8')).toBe('Created hello.txt (9 bytes).');
    expect(t.mock.of('M1').map((r) => [r.api, r.turn])).toEqual([[api, 0], [api, 1], [api, 2]]);
    const third = t.mock.of('M1')[2]?.raw ?? '';
    expect(third).toContain('1 | hi there');
    expect(third).toMatch(/9\b/);
    const lines = await readJournal(join(t.dir, 'code'));
    expect(lines.map((l) => l.type)).toEqual(['session', 'turn', 'tool', 'turn', 'tool', 'tool', 'turn', 'end']);
    expect(t.mock.of('M1')[0]?.body).toMatchObject({ model: 'm-1' });
    expect(JSON.stringify(t.mock.of('M1')[0]?.body)).toContain('write_file');
  });

  it('refuses paths outside the workspace, .. and symlinks out, and tells the model why when it tries', async () => {
    const outside = join(t.dir, 'outside');
    mkdirSync(outside);
    mkdirSync(join(t.dir, 'ws'), { recursive: true });
    symlinkSync(outside, join(t.dir, 'ws', 'link'));
    t.mock.script('M2', [
      { tools: [
        { name: 'write_file', args: { file_path: '../outside/a.txt', content: 'x' } },
        { name: 'write_file', args: { file_path: join(outside, 'b.txt'), content: 'x' } },
        { name: 'write_file', args: { file_path: 'link/c.txt', content: 'x' } },
        { name: 'read_file', args: { file_path: '/etc/passwd' } },
      ] },
      { text: 'gave up' },
    ]);
    const out = await run('M2', 'chat');
    expect(out.status).toBe('success');
    expect(readdirSync(outside)).toEqual([]);
    const tools = (await readJournal(join(t.dir, 'code'))).filter((l) => l.type === 'tool');
    expect(tools.map((t) => (t as { is_error: boolean }).is_error)).toEqual([true, true, true, true]);
    expect(tools.map((t) => (t as { output: string }).output).join('\n')).toMatch(/outside the workspace[\s\S]*outside the workspace[\s\S]*symbolic link[\s\S]*outside the workspace/);
    expect(t.mock.of('M2')[1]?.raw).not.toContain('root:x:0');
  });

  it('never sends, records or reveals the API key when the model asks the shell for the environment', async () => {
    const canary = 'sk-CANARY-7f3a9c1d2e';
    const m2 = new LlmMock(canary);
    const url = await m2.start();
    try {
      m2.script('M3', [{ tools: [{ name: 'shell', args: { command: 'env; echo "k=$MOCK_KEY"' } }] }, { text: 'done' }]);
      const n = node('code', { prompt: 'M3 go' });
      mkdirSync(join(t.dir, 'code'), { recursive: true });
      mkdirSync(join(t.dir, 'ws'));
      const p = { kind: 'openai', model: 'm', base_url: url, api_key_env: 'MOCK_KEY', timeout_ms: 10_000 } as ProviderConfig;
      await createCodergenHandler().execute(stageContext(t.dir, n, { provider: p, env: { PATH: process.env.PATH, MOCK_KEY: canary, OTHER_TOKEN: canary }, workdir: join(t.dir, 'ws') }));
      expect(m2.requests[0]?.headers.authorization).toBe(`Bearer ${canary}`);
      expect(m2.requests[1]?.raw).toContain('k=');
      expect(m2.requests[1]?.raw).not.toContain(canary);
      for (const f of readdirSync(join(t.dir, 'code'), { recursive: true }) as string[]) {
        const path = join(t.dir, 'code', f);
        if (existsSync(path) && !f.endsWith('/')) {
          try {
            expect(readFileSync(path, 'utf8')).not.toContain(canary);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
          }
        }
      }
      // a refused key: the error names the status and the variable, never the key
      const wrong = { ...p, api_key_env: 'BAD_KEY' } as ProviderConfig;
      const err = await createCodergenHandler()
        .execute(stageContext(t.dir, n, { provider: wrong, env: { PATH: process.env.PATH, BAD_KEY: 'sk-CANARY-wrong-123456' }, workdir: join(t.dir, 'ws') }))
        .catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'ProviderRejectedError', status: 401 });
      expect((err as Error).message).not.toContain('sk-CANARY-wrong');
    } finally {
      await m2.stop();
    }
  });

  it('resumes a conversation at the next turn without re-requesting completed turns or re-running tools when the attempt is cut off', async () => {
    t.mock.script('M4', [
      { tools: [{ name: 'shell', args: { command: 'echo one >> log.txt' } }] },
      { tools: [{ name: 'shell', args: { command: 'echo two >> log.txt' } }] },
      { tools: [{ name: 'shell', args: { command: 'echo three >> log.txt' } }] },
      { text: 'all done' },
    ]);
    const held = t.mock.hold('M4', 2);
    const abort = new AbortController();
    const first = run('M4', 'chat', { activityKey: 'wf-1/7', signal: abort.signal }).catch((e: unknown) => e);
    await held.reached;
    abort.abort(new Error('worker lost'));
    expect(await first).toMatchObject({ message: 'worker lost' });
    held.release();
    const out = await run('M4', 'chat', { activityKey: 'wf-1/7' });
    expect(out.status).toBe('success');
    expect(readFileSync(join(t.dir, 'ws', 'log.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(t.mock.of('M4').map((r) => r.turn)).toEqual([0, 1, 2, 2, 3]);
    const lines = await readJournal(join(t.dir, 'code'));
    expect(lines.filter((l) => l.type === 'session')).toHaveLength(1);
    expect(lines.filter((l) => l.type === 'turn')).toHaveLength(4);
  });

  it('starts a fresh conversation when the previous one on this activity ended', async () => {
    t.mock.script('M5', [{ text: 'first' }]);
    await run('M5', 'chat', { activityKey: 'wf-1/9' });
    await run('M5', 'chat', { activityKey: 'wf-1/9' });
    expect(t.mock.of('M5').map((r) => r.turn)).toEqual([0, 0]);
    expect((await readJournal(join(t.dir, 'code'))).filter((l) => l.type === 'session').map((l) => l.session)).toEqual(['wf-1/9#1', 'wf-1/9#2']);
  });

  it('warns the model with a steering turn when the same tool call repeats for the whole detection window', async () => {
    t.mock.script('M6', [{ tools: [{ name: 'list_dir', args: {} }] }]);
    // max_turns 4 ends it before loop detection's third strike would (test/activities/stage-budget.test.ts)
    const out = await run('M6', 'chat', { providerExtra: { limits: { max_turns: 4, max_tool_rounds: 0, command_timeout_ms: 1000, max_command_timeout_ms: 2000, loop_detection_window: 3 } } });
    expect(out.status).toBe('fail');
    expect(out.failure_reason).toMatch(/max_turns \(4\)/);
    expect(t.mock.of('M6')).toHaveLength(4);
    expect(t.mock.of('M6')[3]?.raw).toContain('Loop detected: the last 3 tool calls');
    expect(t.mock.of('M6')[2]?.raw).not.toContain('Loop detected');
  });

  it('truncates a huge tool output for the model and keeps it whole in the transcript when a command prints 100k characters', async () => {
    t.mock.script('M7', [{ tools: [{ name: 'shell', args: { command: 'head -c 100000 /dev/zero | tr "\\0" a' } }] }, { text: 'ok' }]);
    await run('M7', 'chat');
    const second = t.mock.of('M7')[1]?.raw ?? '';
    expect(second).toContain('[WARNING: Tool output was truncated.');
    expect(second.length).toBeLessThan(60_000);
    const tool = (await readJournal(join(t.dir, 'code'))).find((l) => l.type === 'tool') as { output: string };
    expect(tool.output.length).toBeGreaterThanOrEqual(100_000);
  });

  it('injects a steering message dropped in the stage steer/ directory before the next model call', async () => {
    mkdirSync(join(t.dir, 'code', 'steer'), { recursive: true });
    writeFileSync(join(t.dir, 'code', 'steer', '001.md'), 'Use TypeScript, not JavaScript.');
    t.mock.script('M8', [{ text: 'ok' }]);
    await run('M8', 'anthropic');
    expect(t.mock.of('M8')[0]?.raw).toContain('Use TypeScript, not JavaScript.');
    expect((await readJournal(join(t.dir, 'code'))).some((l) => l.type === 'steer')).toBe(true);
  });

  it('does not retry a refusal and says why when the model stops on the content filter', async () => {
    t.mock.script('M9', [{ text: 'I cannot help with that.', finish: 'content_filter' }]);
    const err = await run('M9', 'chat').catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ProviderRejectedError' });
    expect((err as Error).message).toMatch(/refused \(finish reason content-filter\)/);
  });

  it('prices usage when the provider declares prices', async () => {
    t.mock.script('M10', [{ text: 'ok', usage: { input: 1_000_000, output: 500_000 } }]);
    const out = await run('M10', 'chat', { providerExtra: { prices: { input_per_mtok: 2, output_per_mtok: 8 } } });
    expect(out.usage).toEqual({ input_tokens: 1_000_000, output_tokens: 500_000, cost_usd: 6 });
  });
});
