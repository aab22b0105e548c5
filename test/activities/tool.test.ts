import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contextEnvName, contextEnvValue } from '../../activities/handlers/stage-env';
import { toolHandler } from '../../activities/handlers/tool';
import { runStage } from '../../activities/stage';
import { createDefaultHandlers } from '../../activities/handlers';
import { node, stageContext, stageInput, tempDir } from './helpers';

describe('tool handler', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  const run = async (command: string, context: Record<string, unknown> = {}, signal?: AbortSignal) => {
    const n = node('t', { type: 'tool', tool_command: command });
    await mkdir(join(dir, 't'), { recursive: true });
    return toolHandler.execute(stageContext(dir, n, { context, ...(signal ? { signal } : {}) }));
  };

  it('succeeds with stdout in tool.output and the log files when the command exits 0', async () => {
    const out = await run('echo hello; echo oops >&2');
    expect(out.status).toBe('success');
    expect(out.context_updates).toEqual({ 'tool.output': 'hello', 'tool.exit_code': 0 });
    expect(await readFile(join(dir, 't', 'stdout.log'), 'utf8')).toBe('hello\n');
    expect(await readFile(join(dir, 't', 'stderr.log'), 'utf8')).toBe('oops\n');
  });

  it('fails naming the exit code and the stderr tail when the command exits non-zero', async () => {
    const out = await run('echo partial; echo "broken thing" >&2; exit 3');
    expect(out.status).toBe('fail');
    expect(out.failure_reason).toContain('exit code 3');
    expect(out.failure_reason).toContain('broken thing');
    expect(out.context_updates?.['tool.exit_code']).toBe(3);
    expect(out.context_updates?.['tool.output']).toBe('partial');
  });

  it('fails without running anything when tool_command is empty', async () => {
    expect(await run('   ')).toMatchObject({ status: 'fail', failure_reason: 'No tool_command specified' });
  });

  it('passes run data as FACTORY_* env vars when the command reads them', async () => {
    const out = await run('printf "%s|%s|%s|%s|%s" "$FACTORY_RUN_ID" "$FACTORY_NODE_ID" "$FACTORY_GOAL" "$FACTORY_CTX_REVIEW_VERDICT" "$FACTORY_CTX_SCORE"', {
      'review.verdict': 'ok',
      score: 7,
    });
    expect(out.context_updates?.['tool.output']).toBe('run-1|t|ship it|ok|7');
  });

  it('writes the whole context as JSON to FACTORY_CONTEXT_FILE when the command wants structure', async () => {
    const out = await run('cat "$FACTORY_CONTEXT_FILE"', { a: { nested: [1, 2] }, 'b.c': 'x' });
    expect(JSON.parse(String(out.context_updates?.['tool.output']))).toEqual({ a: { nested: [1, 2] }, 'b.c': 'x' });
  });

  it('never runs shell code hidden in context values when they contain $(...), ; and backticks', async () => {
    const evil = '$(touch pwned); rm -rf ./victim; `touch pwned2` && touch pwned3';
    await mkdir(join(dir, 'victim'));
    const out = await run('printf "%s" "$FACTORY_CTX_EVIL"; echo "$FACTORY_CTX_EVIL" > seen.txt', { evil });
    expect(out.status).toBe('success');
    expect(out.context_updates?.['tool.output']).toBe(evil);
    const files = await readdir(dir);
    expect(files).not.toEqual(expect.arrayContaining(['pwned']));
    expect(files.filter((f) => f.startsWith('pwned'))).toEqual([]);
    expect(files).toContain('victim');
    expect(await readFile(join(dir, 'seen.txt'), 'utf8')).toBe(`${evil}\n`);
  });

  it('runs in the workdir when the command uses relative paths', async () => {
    const out = await run('pwd');
    expect(out.context_updates?.['tool.output']).toBe(dir);
  });

  it('kills the command and its children when the stage signal aborts', async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(new Error('timeout')), 200);
    const out = await run('sleep 30 & sleep 30; echo never', {}, abort.signal);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(out.status).toBe('fail');
    expect(out.failure_reason).toContain('aborted');
  });

  it('truncates tool.output when stdout is huge, keeping the full log on disk', async () => {
    const out = await run('head -c 100000 /dev/zero | tr "\\0" a');
    expect(String(out.context_updates?.['tool.output']).length).toBeLessThan(4200);
    expect(String(out.context_updates?.['tool.output'])).toContain('truncated');
    expect((await readFile(join(dir, 't', 'stdout.log'), 'utf8')).length).toBe(100000);
  });
});

describe('tool handler through executeStage', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());
  const attempt = (n = 3) => ({ attempt: n, heartbeat: () => undefined, signal: new AbortController().signal });

  it('uses the status.json the command wrote itself when it writes one', async () => {
    const cmd = `echo '{"outcome":"partial_success","preferred_next_label":"Fix","context_updates":{"k":"v"},"notes":"by tool"}' > "$FACTORY_STAGE_DIR/status.json"; exit 1`;
    const n = node('t', { type: 'tool', tool_command: cmd });
    const res = await runStage(stageInput(dir, n), attempt(), { handlers: createDefaultHandlers(), env: process.env });
    expect(res).toMatchObject({ status: 'partial_success', preferred_label: 'Fix', notes: 'by tool' });
    expect(res.context_updates).toMatchObject({ k: 'v', 'tool.exit_code': 1 });
    const status = JSON.parse(await readFile(join(dir, 't', 'status.json'), 'utf8'));
    expect(status).toMatchObject({ outcome: 'partial_success', preferred_next_label: 'Fix', attempt: 3, node: 't' });
  });

  it('fails the stage when the command writes an unreadable status.json', async () => {
    const n = node('t', { type: 'tool', tool_command: 'echo "{not json" > "$FACTORY_STAGE_DIR/status.json"' });
    const res = await runStage(stageInput(dir, n), attempt(), { handlers: createDefaultHandlers(), env: process.env });
    expect(res.status).toBe('fail');
    expect(res.failure_reason).toMatch(/invalid status.json/);
  });

  it('fails with "timed out" when the command outlives node.timeout_ms', async () => {
    const n = node('t', { type: 'tool', tool_command: 'sleep 20', timeout_ms: 300 });
    const started = Date.now();
    const res = await runStage(stageInput(dir, n), attempt(), { handlers: createDefaultHandlers(), env: process.env });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res).toMatchObject({ status: 'fail', failure_reason: 'stage timed out after 300ms' });
  });
});

describe('context env names and values', () => {
  test.each([
    ['tool.output', 'FACTORY_CTX_TOOL_OUTPUT'],
    ['human.gate.selected', 'FACTORY_CTX_HUMAN_GATE_SELECTED'],
    ['camelCase-key', 'FACTORY_CTX_CAMELCASE_KEY'],
    ['$(x)', 'FACTORY_CTX___X_'],
  ])('maps %s to %s', (key, name) => expect(contextEnvName(key)).toBe(name));

  test.each([
    ['a string', 'text', 'text'],
    ['a number', 42, '42'],
    ['a boolean', true, 'true'],
    ['an object', { a: 1 }, '{"a":1}'],
    ['undefined', undefined, undefined],
    ['a 40k string', 'x'.repeat(40_000), undefined],
    ['a string with NUL', 'nul\0byte', undefined],
  ])('encodes %s for the env', (_label, value, expected) => expect(contextEnvValue(value)).toBe(expected));
});
