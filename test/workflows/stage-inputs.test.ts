// What the run workflow hands every stage attempt (issues 20 and 24), through real runs: the run budget
// the agent loop checks before each model call, the profile's sandbox, and on parallel branches the
// branch and visit that keep each branch's stage directory its own. Also the sandbox recorded on the run.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQuery } from '../../workflows/messages';
import type { MockTurn } from '../helpers/llm-mock';
import { LlmMock } from '../helpers/llm-mock';
import { uniqueId } from '../helpers/temporal';
import { runCli } from '../client/run-cli';
import { allEvents, handlerOf, pipelineYaml, readJson, settle, testProfileYaml, useRunEnv, workspace } from '../helpers/runs';

const KEY = 'sk-stage-inputs-key';
process.env.STAGE_INPUTS_MOCK_KEY = KEY;
const env = useRunEnv();
let mock: LlmMock;
let base: string;
beforeAll(async () => {
  mock = new LlmMock(KEY);
  base = await mock.start();
});
afterAll(() => mock.stop());

/** A profile whose default provider is the mock (a real-LLM run: bubblewrap required unless `sandbox: none`). */
function llmProfile(extra: string): string {
  return testProfileYaml(extra)
    .replace('provider: { kind: twin }\n', `provider: { kind: openai, model: m-1, base_url: "${base}", api_key_env: STAGE_INPUTS_MOCK_KEY }\n`)
    .replace('dependencies: { llm: twin }', 'dependencies: {}');
}

describe('the budget inside a stage of a real run', () => {
  it('stops a looping model under budget max_tokens 1000 at most one call past the budget', async () => {
    // distinct commands, so loop detection never stops it: only the budget can
    const turns: MockTurn[] = Array.from({ length: 40 }, (_, i) => ({ tools: [{ name: 'shell', args: { command: `echo ${i}` } }], usage: { input: 100, output: 20 } }));
    mock.script('SI-LOOP', turns);
    const ws = workspace(pipelineYaml('si-budget', ['{ id: code, type: codergen, prompt: "SI-LOOP" }'], ['{ from: start, to: code }', '{ from: code, to: exit }']), {
      profile: llmProfile('').replace('require_suite: false', 'require_suite: false\n  budget: { max_tokens: 1000 }'),
    });
    const settled = await settle(await env.start(ws));
    // 8 calls (960 tokens) are within; the 9th crosses (1,080); none follows it
    expect(mock.of('SI-LOOP').length).toBeLessThanOrEqual(9);
    expect(mock.of('SI-LOOP').length).toBeGreaterThanOrEqual(1);
    expect(settled.ok).toBe(false);
    expect(settled.ok ? undefined : settled.failure.type).toBe('EXEC_FAILURE');
    expect(JSON.stringify(settled.ok ? {} : settled.failure.details)).toMatch(/budget/);
  }, 120_000);
});

describe('the sandbox a run uses', () => {
  it('reaches a tool stage unconfined with `sandbox: none`, and run.json, run.created and summary.md say so', async () => {
    const outside = join(tmpdir(), `${uniqueId('si-outside')}.txt`);
    const ws = workspace(
      pipelineYaml('si-none', [`{ id: probe, type: tool, tool_command: "echo unconfined > ${outside}" }`], ['{ from: start, to: probe }', '{ from: probe, to: exit }']),
      { profile: llmProfile('sandbox: none\n') },
    );
    try {
      const handle = await env.start(ws);
      const settled = await settle(handle);
      expect(settled.ok).toBe(true);
      // a private /tmp under bubblewrap: the file only appears on the host when the stage ran unconfined
      expect(readFileSync(outside, 'utf8')).toBe('unconfined\n');
      const runDir = (settled.ok ? settled.result.runDir : '') as string;
      expect(readJson(join(runDir, 'probe', 'status.json'))['notes']).toMatch(/sandbox: none/);
      const envelope = await handle.query(runQuery);
      expect(envelope.sandbox).toMatchObject({ mode: 'none', network: 'on', note: expect.stringContaining('sandbox: none') });
      expect(envelope.warnings).toEqual([expect.stringContaining('sandbox: none')]);
      expect(readJson(join(runDir, 'run.json'))['sandbox']).toMatchObject({ mode: 'none' });
      const created = (await allEvents(handle)).find((e) => e.type === 'run.created');
      expect(created?.data).toMatchObject({ sandbox: { mode: 'none' }, warnings: [expect.stringContaining('sandbox: none')] });
      const summary = readFileSync(join(runDir, 'summary.md'), 'utf8');
      expect(summary).toMatch(/- sandbox: none: agent commands, tool stages and hooks ran unconfined/);
      expect(summary).toMatch(/- warning: sandbox: none \(profile\)/);
      const status = await runCli(['status', runDir], ws.dir);
      expect(status.stdout).toContain('sandbox: none: agent commands, tool stages and hooks ran unconfined');
      expect(status.stdout).toContain('warning: sandbox: none (profile)');
    } finally {
      rmSync(outside, { force: true });
    }
  }, 120_000);

  it('records bubblewrap with the network off by default, and the tool stage cannot write outside', async () => {
    const outside = join(tmpdir(), `${uniqueId('si-boxed')}.txt`);
    const ws = workspace(pipelineYaml('si-bwrap', [`{ id: probe, type: tool, tool_command: "echo escaped > ${outside}; true" }`], ['{ from: start, to: probe }', '{ from: probe, to: exit }']), {
      profile: llmProfile(''),
    });
    const handle = await env.start(ws);
    const settled = await settle(handle);
    expect(settled.ok).toBe(true);
    expect(existsSync(outside)).toBe(false);
    expect((await handle.query(runQuery)).sandbox).toEqual({ mode: 'bwrap', network: 'off' });
    const runDir = (settled.ok ? settled.result.runDir : '') as string;
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain('- sandbox: bubblewrap, network off');
  }, 120_000);
});

describe('a network allow-list in a real run', () => {
  it('reaches the tool stage through the workflow: a host off the list is refused by the proxy, and the run records the list', async () => {
    const ws = workspace(
      pipelineYaml('si-allow', ['{ id: probe, type: tool, tool_command: "curl -sS http://blocked.example/x; true" }'], ['{ from: start, to: probe }', '{ from: probe, to: exit }']),
      { profile: llmProfile('sandbox: { network: { allow: [registry.npmjs.org] } }\n') },
    );
    const handle = await env.start(ws);
    const settled = await settle(handle);
    expect(settled.ok).toBe(true);
    const runDir = (settled.ok ? settled.result.runDir : '') as string;
    // without the list in the stage's input there is no proxy: curl could not resolve, and nothing would be refused
    expect(readFileSync(join(runDir, 'probe', 'stderr.log'), 'utf8')).toContain('factory sandbox: network: refused GET blocked.example:80: not on the allow-list');
    expect((await handle.query(runQuery)).sandbox).toEqual({ mode: 'bwrap', network: 'off', allow: ['registry.npmjs.org'] });
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain('- sandbox: bubblewrap, network through the allow-list proxy: registry.npmjs.org');
  }, 120_000);
});

describe('parallel branches that reach the same node', () => {
  it("keep separate stage directories, so branch A's fail is not read back as B's success", async () => {
    // A's `check` writes fail and waits until B's has written success: one shared directory would hand A B's status.json
    const waiting = new Map<string, () => void>();
    const bWrote = new Map<string, Promise<void>>();
    const gateFor = (runId: string) => {
      if (!bWrote.has(runId)) bWrote.set(runId, new Promise<void>((r) => waiting.set(runId, r)));
      return bWrote.get(runId) as Promise<void>;
    };
    env.register('test.si_mark', handlerOf((stage) => ({ status: 'success', context_updates: { who: stage.node.id === 'left' ? 'A' : 'B' } })));
    env.register(
      'test.si_check',
      handlerOf(async (stage) => {
        const fail = stage.context['who'] === 'A';
        writeFileSync(join(stage.stageDir, 'status.json'), JSON.stringify({ outcome: fail ? 'fail' : 'success', ...(fail ? { failure_reason: 'A broke' } : {}) }));
        writeFileSync(join(stage.stageDir, `${String(stage.context['who'])}.txt`), 'mine');
        const done = gateFor(stage.runId);
        if (fail) await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
        else waiting.get(stage.runId)?.();
        return { status: 'success' };
      }),
    );
    const ws = workspace(
      pipelineYaml(
        'si-branches',
        ['{ id: par, type: parallel }', '{ id: left, type: test.si_mark }', '{ id: right, type: test.si_mark }', '{ id: check, type: test.si_check }', '{ id: join, type: parallel.fan_in }'],
        [
          '{ from: start, to: par }',
          '{ from: par, to: left }',
          '{ from: par, to: right }',
          '{ from: left, to: check }',
          '{ from: right, to: check }',
          '{ from: check, to: join }',
          '{ from: join, to: exit }',
        ],
      ),
    );
    const handle = await env.start(ws);
    const settled = await settle(handle);
    const events = await allEvents(handle);
    const par = events.find((e) => (e.type === 'stage.completed' || e.type === 'stage.failed') && e.data['node'] === 'par');
    expect(par?.data['status']).toBe('partial_success');
    const checks = events.filter((e) => (e.type === 'stage.completed' || e.type === 'stage.failed') && e.data['node'] === 'check');
    expect(checks.map((e) => [e.data['branch'], e.data['status']]).sort()).toEqual([
      ['left', 'fail'],
      ['right', 'success'],
    ]);
    const runDir = join(ws.dir, 'runs', handle.workflowId);
    const dirs = readdirSync(runDir).filter((d) => d.startsWith('check@')).sort();
    expect(dirs).toHaveLength(2);
    // each branch is at its first visit of `check`, whichever came second (visits count per branch)
    expect(dirs).toEqual(['check@left', 'check@right']);
    expect(readdirSync(join(runDir, dirs[0] as string)).filter((f) => f.endsWith('.txt'))).toEqual(['A.txt']);
    expect(readdirSync(join(runDir, dirs[1] as string)).filter((f) => f.endsWith('.txt'))).toEqual(['B.txt']);
    expect(settled.ok).toBe(true);
  }, 120_000);
});
