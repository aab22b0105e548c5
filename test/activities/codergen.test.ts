import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProviderUnavailableError, StageConfigError } from '../../activities/errors';
import { defaultTwinResponse } from '../../activities/handlers/backends/twin';
import { createCodergenHandler, stagePrompt } from '../../activities/handlers/codergen';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { node, stageContext, tempDir } from './helpers';

describe('codergen handler with the twin backend', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  const handler = createCodergenHandler();
  const fixtureFile = () => join(dir, 'twin.yaml');
  const call = async (id: string, extra: Parameters<typeof node>[1] = {}, fixture = true) => {
    const n = node(id, extra);
    await mkdir(join(dir, id), { recursive: true });
    const provider: ProviderConfig = fixture ? { kind: 'twin', fixture: fixtureFile() } : { kind: 'twin' };
    return handler.execute(stageContext(dir, n, { provider }));
  };

  it('writes prompt.md and response.md and sets last_stage/last_response when no fixture entry exists', async () => {
    const out = await call('plan', { prompt: 'Plan the feature: ship it' }, false);
    const response = defaultTwinResponse('plan', 'Plan the feature: ship it');
    expect(out).toMatchObject({ status: 'success', context_updates: { last_stage: 'plan', last_response: response } });
    expect(await readFile(join(dir, 'plan', 'prompt.md'), 'utf8')).toBe('Plan the feature: ship it');
    expect(await readFile(join(dir, 'plan', 'response.md'), 'utf8')).toBe(response);
  });

  it('answers the same prompt with the same response when run twice (deterministic)', async () => {
    expect(defaultTwinResponse('a', 'p')).toBe(defaultTwinResponse('a', 'p'));
    expect(defaultTwinResponse('a', 'p')).not.toBe(defaultTwinResponse('a', 'q'));
  });

  it('falls back to the label with $goal expanded when the prompt is empty', () => {
    expect(stagePrompt({ node: node('x', { label: 'Build $goal now' }), goal: 'a CLI' })).toBe('Build a CLI now');
    expect(stagePrompt({ node: node('x', { label: 'L', prompt: 'P' }), goal: 'g' })).toBe('P');
  });

  it('plays scripted steps in order, one per call, and repeats the last when the script runs out', async () => {
    await writeFile(
      fixtureFile(),
      [
        'impl:',
        '  - { status: fail, failure_reason: "tests red", response: "attempt 1" }',
        '  - { status: retry, failure_reason: "flaky" }',
        '  - { status: success, response: "done", preferred_label: "Ship", context_updates: { impl.ok: true } }',
      ].join('\n'),
    );
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await call('impl'));
    expect(statuses.map((o) => o.status)).toEqual(['fail', 'retry', 'success', 'success']);
    expect(statuses[0]).toMatchObject({ failure_reason: 'tests red', context_updates: { last_response: 'attempt 1' } });
    expect(statuses[2]).toMatchObject({ preferred_label: 'Ship', context_updates: { 'impl.ok': true, last_stage: 'impl', last_response: 'done' } });
  });

  it('reads a JSON Outcome out of a scripted response when the step sets no status', async () => {
    await writeFile(fixtureFile(), JSON.stringify({ review: { response: '{"outcome":"fail","failure_reason":"needs work","preferred_next_label":"Revise"}' } }));
    expect(await call('review')).toMatchObject({ status: 'fail', failure_reason: 'needs work', preferred_label: 'Revise' });
  });

  it('throws a retryable ProviderUnavailableError when the step scripts an error', async () => {
    await writeFile(fixtureFile(), 'flaky:\n  - { error: "rate limited" }\n  - { response: ok }\n');
    await expect(call('flaky')).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await call('flaky')).toMatchObject({ status: 'success', context_updates: { last_response: 'ok' } });
  });

  it('throws StageConfigError listing the problems when the fixture is invalid', async () => {
    await writeFile(fixtureFile(), 'plan:\n  - { status: maybe, bogus: 1 }\n');
    const err = await call('plan').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageConfigError);
    expect((err as Error).message).toMatch(/plan\.0\.status/);
    expect((err as Error).message).toMatch(/bogus/);
  });

  it('truncates last_response to 200 characters when the response is long', async () => {
    await writeFile(fixtureFile(), `long:\n  response: "${'y'.repeat(500)}"\n`);
    const out = await call('long');
    expect(String(out.context_updates?.last_response)).toHaveLength(200);
    expect(await readFile(join(dir, 'long', 'response.md'), 'utf8')).toHaveLength(500);
  });
});

describe('codergen handler with the agent backend', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  const agentScript = `
    let input = '';
    process.stdin.on('data', (c) => (input += c));
    process.stdin.on('end', () => {
      if (input.includes('FAIL')) { process.stderr.write('agent gave up'); process.exit(2); }
      if (input.includes('STATUS')) { process.stdout.write(JSON.stringify({ outcome: 'retry', failure_reason: 'agent wants another go' })); return; }
      process.stdout.write('agent saw: ' + input + ' | node=' + process.env.FACTORY_NODE_ID + ' | ctx=' + process.env.FACTORY_CTX_TICKET);
    });`;

  const call = async (prompt: string) => {
    const script = join(dir, 'agent.js');
    await writeFile(script, agentScript);
    const n = node('code', { prompt });
    await mkdir(join(dir, 'code'), { recursive: true });
    const provider: ProviderConfig = { kind: 'agent', command: [process.execPath, script], timeout_ms: 10_000 };
    return createCodergenHandler().execute(stageContext(dir, n, { provider, context: { ticket: 'T-1' } }));
  };

  it('sends the prompt on stdin and uses stdout as the response when the agent exits 0', async () => {
    const out = await call('write the code');
    expect(out.status).toBe('success');
    expect(await readFile(join(dir, 'code', 'response.md'), 'utf8')).toBe('agent saw: write the code | node=code | ctx=T-1');
  });

  it('fails with the exit code and stderr when the agent exits non-zero', async () => {
    const out = await call('please FAIL');
    expect(out.status).toBe('fail');
    expect(out.failure_reason).toContain('exit code 2');
    expect(out.failure_reason).toContain('agent gave up');
  });

  it('takes the outcome from stdout when the agent prints a JSON Outcome', async () => {
    expect(await call('STATUS please')).toMatchObject({ status: 'retry', failure_reason: 'agent wants another go' });
  });

  it('throws StageConfigError when the agent command does not exist', async () => {
    const n = node('code', { prompt: 'x' });
    await mkdir(join(dir, 'code'), { recursive: true });
    const provider: ProviderConfig = { kind: 'agent', command: [join(dir, 'no-such-agent')], timeout_ms: 1000 };
    await expect(createCodergenHandler().execute(stageContext(dir, n, { provider }))).rejects.toBeInstanceOf(StageConfigError);
  });
});
