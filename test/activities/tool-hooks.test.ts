// Attractor §9.7 tool call hooks around the agent loop's tool calls, against the local LLM mock server:
// the pre-hook vetoes a call (non-zero exit or timeout), the post-hook sees the result, both are
// journaled on the call's transcript line; graph-level hooks reach nodes through a built-in transform.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCodergenHandler } from '../../activities/handlers/codergen';
import { readJournal, type JournalLine } from '../../activities/agent/journal';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import type { AttrValue } from '../../core/model';
import { hooksOf } from '../../activities/agent/tool-hooks';
import { node, stageContext, useLlmMockDir } from './helpers';
import { loadOk } from '../definitions/dot-helpers';

const KEY = 'sk-mock-key';
const t = useLlmMockDir(KEY, 'factory-hooks-');

const env = { PATH: process.env.PATH, MOCK_KEY: KEY };

async function run(marker: string, attrs: Record<string, AttrValue>, limits: Record<string, unknown> = {}) {
  const n = node('code', { prompt: `${marker}: work`, attrs });
  mkdirSync(join(t.dir, 'code'), { recursive: true });
  const provider = { kind: 'openai', api: 'chat', api_key_env: 'MOCK_KEY', model: 'm-1', base_url: t.base, timeout_ms: 10_000, limits } as ProviderConfig;
  const stage = stageContext(t.dir, n, { provider, env, workdir: join(t.dir, 'ws') });
  mkdirSync(stage.workdir, { recursive: true });
  const out = await createCodergenHandler().execute(stage);
  const tools = (await readJournal(join(t.dir, 'code'))).filter((l): l is Extract<JournalLine, { type: 'tool' }> => l.type === 'tool');
  return { out, tools };
}

describe('tool hooks (§9.7)', () => {
  it('skips a tool call the pre-hook rejects and runs the ones it allows when the hook reads the call from stdin', async () => {
    t.mock.script('H1', [
      { tools: [{ name: 'write_file', args: { file_path: 'ok.txt', content: 'fine\n' } }, { name: 'shell', args: { command: 'touch forbidden.txt' } }] },
      { text: 'done' },
    ]);
    const pre = `if grep -q forbidden; then echo "no: $FACTORY_TOOL_NAME [$MOCK_KEY]"; exit 3; fi`;
    const { out, tools } = await run('H1', { 'tool_hooks.pre': pre });
    expect(out.status).toBe('success');
    expect(existsSync(join(t.dir, 'ws', 'ok.txt'))).toBe(true);
    expect(existsSync(join(t.dir, 'ws', 'forbidden.txt'))).toBe(false);
    const [write, shell] = tools;
    expect(write?.is_error).toBe(false);
    expect(write?.pre_hook).toMatchObject({ exit_code: 0, timed_out: false });
    expect(shell?.is_error).toBe(true);
    expect(shell?.pre_hook).toMatchObject({ exit_code: 3, output: 'no: shell []' });
    expect(shell?.for_model).toContain('Tool call skipped: the tool_hooks.pre hook exited 3');
    expect(t.mock.of('H1')[1]?.raw ?? '').toContain('Tool call skipped');
  });

  it('gives the post-hook the result and records its failure without blocking when the post-hook exits non-zero', async () => {
    t.mock.script('H2', [{ tools: [{ name: 'shell', args: { command: 'echo from-tool' } }] }, { text: 'done' }]);
    const post = `echo "post $FACTORY_TOOL_NAME error=$FACTORY_TOOL_IS_ERROR"; grep -c from-tool; exit 1`;
    const { out, tools } = await run('H2', { 'tool_hooks.post': post });
    expect(out.status).toBe('success');
    expect(tools[0]?.is_error).toBe(false);
    expect(tools[0]?.output).toContain('from-tool');
    expect(tools[0]?.post_hook).toMatchObject({ exit_code: 1, output: 'post shell error=false\n1' });
    expect(tools[0]?.pre_hook).toBeUndefined();
  });

  it('vetoes the call when the pre-hook outlives the command timeout', async () => {
    t.mock.script('H3', [{ tools: [{ name: 'write_file', args: { file_path: 'late.txt', content: 'x' } }] }, { text: 'done' }]);
    const { tools } = await run('H3', { 'tool_hooks.pre': 'sleep 5' }, { command_timeout_ms: 300 });
    expect(existsSync(join(t.dir, 'ws', 'late.txt'))).toBe(false);
    expect(tools[0]?.pre_hook?.timed_out).toBe(true);
    expect(tools[0]?.for_model).toContain('tool_hooks.pre hook timed out');
  });

  it('copies graph-level hooks onto nodes without their own when the DOT graph sets tool_hooks', () => {
    const g = loadOk('digraph p {\n  tool_hooks.pre="audit pre"\n  tool_hooks.post="audit post"\n  start [shape=Mdiamond]\n  a [prompt="A"]\n  b [prompt="B", tool_hooks.pre="own pre"]\n  c [prompt="C", tool_hooks.pre=""]\n  exit [shape=Msquare]\n  start -> a -> b -> c -> exit\n}\n');
    const attrs = (id: string) => g.nodes.find((n) => n.id === id)?.attrs;
    expect(attrs('a')).toMatchObject({ 'tool_hooks.pre': 'audit pre', 'tool_hooks.post': 'audit post' });
    expect(attrs('b')).toMatchObject({ 'tool_hooks.pre': 'own pre', 'tool_hooks.post': 'audit post' });
    expect(hooksOf({ attrs: attrs('c') ?? {} })).toEqual({ post: 'audit post' });
  });
});
