// The agent's file tools against a scripted model that tries to leave the workspace through links
// (issue 20, item 5): a dangling symbolic link, a hard link to an outside file, a linked parent
// directory. No file appears or changes outside, and the tool result the model reads says why.
import { linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../../activities/agent/journal';
import { createCodergenHandler } from '../../activities/handlers/codergen';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import type { MockTurn } from '../helpers/llm-mock';
import { node, stageContext, useLlmMockDir } from './helpers';

const KEY = 'sk-mock-key';
const t = useLlmMockDir(KEY, 'factory-escape-');
const P = (body: string) => `*** Begin Patch\n${body}\n*** End Patch\n`;

/** Runs one codergen stage (OpenAI chat: apply_patch is among the tools) whose model plays `turns`. */
async function attempt(marker: string, turns: MockTurn[]): Promise<{ results: { output: string; is_error: boolean }[]; sentBack: string }> {
  t.mock.script(marker, turns);
  const n = node('code', { prompt: `${marker}: do it` });
  mkdirSync(join(t.dir, 'code'), { recursive: true });
  const provider = { kind: 'openai', api: 'chat', model: 'm-1', base_url: t.base, api_key_env: 'MOCK_KEY', timeout_ms: 10_000 } as ProviderConfig;
  const out = await createCodergenHandler().execute(stageContext(t.dir, n, { provider, env: { PATH: process.env.PATH, MOCK_KEY: KEY }, workdir: join(t.dir, 'ws') }));
  expect(out.status).toBe('success');
  const results = (await readJournal(join(t.dir, 'code'))).filter((l) => l.type === 'tool') as unknown as { output: string; is_error: boolean }[];
  return { results, sentBack: t.mock.of(marker)[1]?.raw ?? '' };
}

describe('file tools and links out of the workspace', () => {
  let ws: string;
  let outside: string;
  beforeEach(() => {
    ws = join(t.dir, 'ws');
    outside = join(t.dir, 'outside');
    mkdirSync(ws);
    mkdirSync(outside);
    writeFileSync(join(outside, 'victim.txt'), 'precious\n');
  });

  it('creates nothing outside when write_file and apply_patch name a dangling link to an outside path', async () => {
    symlinkSync(join(outside, 'planted.txt'), join(ws, 'notes.txt'));
    symlinkSync(join(outside, 'patched.txt'), join(ws, 'new.py'));
    const { results, sentBack } = await attempt('E1', [
      { tools: [
        { name: 'write_file', args: { file_path: 'notes.txt', content: 'escaped\n' } },
        { name: 'apply_patch', args: { patch: P('*** Add File: new.py\n+escaped = True') } },
      ] },
      { text: 'gave up' },
    ]);
    expect(readdirSync(outside)).toEqual(['victim.txt']);
    expect(results.map((r) => r.is_error)).toEqual([true, true]);
    for (const r of results) expect(r.output).toMatch(/refusing (notes\.txt|new\.py): it goes through a symbolic link, which the file tools never follow/);
    expect(sentBack).toContain('refusing notes.txt: it goes through a symbolic link');
    expect(sentBack).toContain('refusing new.py: it goes through a symbolic link');
  });

  it('leaves an outside file unchanged when edit_file, write_file and apply_patch target a hard link to it', async () => {
    linkSync(join(outside, 'victim.txt'), join(ws, 'victim.txt'));
    const { results, sentBack } = await attempt('E2', [
      { tools: [
        { name: 'edit_file', args: { file_path: 'victim.txt', old_string: 'precious', new_string: 'owned' } },
        { name: 'write_file', args: { file_path: 'victim.txt', content: 'owned\n' } },
        { name: 'apply_patch', args: { patch: P('*** Update File: victim.txt\n@@\n-precious\n+owned') } },
        { name: 'read_file', args: { file_path: 'victim.txt' } },
      ] },
      { text: 'gave up' },
    ]);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
    expect(results.map((r) => r.is_error)).toEqual([true, true, true, false]);
    for (const r of results.slice(0, 3)) expect(r.output).toMatch(/refusing victim\.txt: it has 2 hard links .*never write such a file/);
    expect(sentBack).toContain('it has 2 hard links');
  });

  it('creates nothing outside through a parent directory that is a link, dangling or not', async () => {
    symlinkSync(outside, join(ws, 'lib'));
    symlinkSync(join(outside, 'later'), join(ws, 'build'));
    const { results, sentBack } = await attempt('E3', [
      { tools: [
        { name: 'write_file', args: { file_path: 'lib/a.txt', content: 'x' } },
        { name: 'write_file', args: { file_path: 'build/b.txt', content: 'x' } },
        { name: 'write_file', args: { file_path: 'build/deep/c.txt', content: 'x' } },
        { name: 'apply_patch', args: { patch: P('*** Add File: build/d.py\n+x = 1') } },
        { name: 'edit_file', args: { file_path: 'lib/victim.txt', old_string: 'precious', new_string: 'owned' } },
      ] },
      { text: 'gave up' },
    ]);
    expect(readdirSync(outside)).toEqual(['victim.txt']);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
    expect(results.every((r) => r.is_error)).toBe(true);
    expect(results[0]?.output).toMatch(/lib\/a\.txt leads outside the workspace through a symbolic link/);
    for (const r of results.slice(1, 4)) expect(r.output).toMatch(/refusing build\/.*: it goes through a symbolic link/);
    expect(sentBack).toContain('refusing build/b.txt: it goes through a symbolic link');
  });

  it('still reads and writes through a link that stays inside the workspace, and writes new files', async () => {
    mkdirSync(join(ws, 'src'));
    writeFileSync(join(ws, 'src', 'real.txt'), 'one\n');
    symlinkSync('src/real.txt', join(ws, 'alias.txt'));
    const { results } = await attempt('E4', [
      { tools: [
        { name: 'edit_file', args: { file_path: 'alias.txt', old_string: 'one', new_string: 'two' } },
        { name: 'write_file', args: { file_path: 'pkg/sub/new.txt', content: 'fresh\n' } },
        { name: 'apply_patch', args: { patch: P('*** Update File: src/real.txt\n@@\n-two\n+three') } },
      ] },
      { text: 'done' },
    ]);
    expect(results.map((r) => r.is_error)).toEqual([false, false, false]);
    expect(readFileSync(join(ws, 'src', 'real.txt'), 'utf8')).toBe('three\n');
    expect(readFileSync(join(ws, 'pkg', 'sub', 'new.txt'), 'utf8')).toBe('fresh\n');
  });
});
