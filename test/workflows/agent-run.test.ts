// Codergen stages on real providers through the run workflow: named providers picked per node, usage in
// events, status.json, the envelope and the summary, and the per-run budget ending the run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runQuery } from '../../workflows/messages';
import { gitIn } from '../helpers/git-repo';
import { LlmMock } from '../helpers/llm-mock';
import { agentProgress, formatAgentProgress } from '../../client/agent-progress';
import { allEvents, eventually, pipelineYaml, readJson, settle, testProfileYaml, useRunEnv, workspace } from '../helpers/runs';

const KEY = 'sk-agent-run-key';
process.env.AGENT_RUN_MOCK_KEY = KEY;
const env = useRunEnv();
let mock: LlmMock;
let base: string;
beforeAll(async () => {
  mock = new LlmMock(KEY);
  base = await mock.start();
});
afterAll(() => mock.stop());

function profile(extra = ''): string {
  return testProfileYaml(extra)
    .replace('provider: { kind: twin }\n', [
      'default_provider: fast',
      'providers:',
      `  fast: { kind: openai, model: gpt-x, base_url: "${base}", api_key_env: AGENT_RUN_MOCK_KEY, prices: { input_per_mtok: 1, output_per_mtok: 2 } }`,
      `  claude: { kind: anthropic, model: claude-x, base_url: "${base}", api_key_env: AGENT_RUN_MOCK_KEY, tools: false }`,
      '',
    ].join('\n'))
    .replace('dependencies: { llm: twin }', 'dependencies: {}');
}

describe('codergen on named providers', () => {
  it('runs each node on the provider it names and records usage in events, status.json, the envelope and the summary', async () => {
    mock.script('NP-PLAN', [{ text: 'the plan', usage: { input: 40, output: 4 } }]);
    mock.script('NP-CODE', [{ tools: [{ name: 'write_file', args: { file_path: 'out.txt', content: 'x' } }], usage: { input: 100, output: 10 } }, { text: 'coded', usage: { input: 200, output: 20 } }]);
    const ws = workspace(
      pipelineYaml('np', ['{ id: plan, type: codergen, prompt: "NP-PLAN", llm_provider: claude }', '{ id: code, type: codergen, prompt: "NP-CODE" }'], ['{ from: start, to: plan }', '{ from: plan, to: code }', '{ from: code, to: exit }']),
      { profile: profile() },
    );
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(mock.of('NP-PLAN').map((r) => [r.api, r.model])).toEqual([['anthropic', 'claude-x']]);
    expect(mock.of('NP-CODE').map((r) => [r.api, r.model])).toEqual([['chat', 'gpt-x'], ['chat', 'gpt-x']]);
    // the agent wrote into the run's own workspace (issue 21): the file is in the run's candidate commit, not the base
    expect(existsSync(join(ws.dir, 'out.txt'))).toBe(false);
    const candidate = (await handle.query(runQuery)).candidate;
    expect(gitIn(candidate?.remote as string, 'show', `${candidate?.commit}:out.txt`)).toBe('x');
    const events = await allEvents(handle);
    const done = Object.fromEntries(events.filter((e) => e.type === 'stage.completed').map((e) => [e.data['node'], e.data['usage']]));
    expect(done['plan']).toEqual({ input_tokens: 40, output_tokens: 4 });
    expect(done['code']).toEqual({ input_tokens: 300, output_tokens: 30, cost_usd: 0.00036 });
    const runDir = result.runDir as string;
    expect(readJson(join(runDir, 'code', 'status.json'))).toMatchObject({ usage: { input_tokens: 300, output_tokens: 30, cost_usd: 0.00036 } });
    const envelope = await handle.query(runQuery);
    expect(envelope.usage).toEqual({ input_tokens: 340, output_tokens: 34, cost_usd: 0.00036 });
    expect(readJson(join(runDir, 'summary.json'))).toMatchObject({ usage: { input_tokens: 340, output_tokens: 34 } });
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain('Tokens: 340 in, 34 out; cost $0.0004.');
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it('ends the run with EXEC_FAILURE naming the budget when a stage pushes usage past policy.budget.max_tokens', async () => {
    mock.script('BUDGET-1', [{ text: 'one', usage: { input: 30, output: 5 } }]);
    mock.script('BUDGET-2', [{ text: 'two', usage: { input: 30, output: 5 } }]);
    const ws = workspace(
      pipelineYaml('budget', ['{ id: a, type: codergen, prompt: "BUDGET-1" }', '{ id: b, type: codergen, prompt: "BUDGET-2" }', '{ id: c, type: tool, tool_command: "echo never" }'], ['{ from: start, to: a }', '{ from: a, to: b }', '{ from: b, to: c }', '{ from: c, to: exit }']),
      { profile: profile().replace('  require_suite: false', '  require_suite: false\n  budget: { max_tokens: 50 }') },
    );
    const handle = await env.start(ws);
    const settled = await settle(handle);
    if (settled.ok) throw new Error('expected the run to fail');
    expect(settled.failure.type).toBe('EXEC_FAILURE');
    expect(settled.failure.message).toContain('run budget exceeded: 70 tokens used, policy.budget.max_tokens is 50');
    const events = await allEvents(handle);
    expect(events.filter((e) => e.type === 'stage.started').map((e) => e.data['node'])).toEqual(['start', 'a', 'b']);
  });

  it('fails at boot naming the declared providers when a node asks for an undeclared llm_provider', async () => {
    const ws = workspace(pipelineYaml('unknownp', ['{ id: plan, type: codergen, prompt: "x", llm_provider: gemini }'], ['{ from: start, to: plan }', '{ from: plan, to: exit }']), { profile: profile() });
    const settled = await settle(await env.start(ws));
    if (settled.ok) throw new Error('expected the run to fail');
    expect(settled.failure.type).toBe('BOOT_FAILURE');
    expect(settled.failure.message).toContain('node plan: llm_provider "gemini" is not declared in the profile (providers: fast, claude)');
  });

  it('shows the running agent turn and its tool calls to `factory watch` through heartbeat details while a model turn is pending', async () => {
    mock.script('WATCH-1', [{ tools: [{ name: 'shell', args: { command: 'echo watched' } }] }, { text: 'done' }]);
    const held = mock.hold('WATCH-1', 1);
    const ws = workspace(pipelineYaml('watch', ['{ id: code, type: codergen, prompt: "WATCH-1" }'], ['{ from: start, to: code }', '{ from: code, to: exit }']), { profile: profile() });
    const handle = await env.start(ws, { stageHeartbeatMs: 2000 });
    await held.reached;
    const seen = await eventually(async () => (await agentProgress(handle)).find((p) => p.agent.turn === 2), 20_000, 200);
    expect(seen).toMatchObject({ node: 'code', agent: { turn: 2, phase: 'model', tool_calls: 1 } });
    expect(formatAgentProgress(seen)).toBe('    ↳ code turn 2: waiting for the model (1 tool calls, 15 tokens)');
    held.release();
    expect((await handle.result()).outcome).toBe('succeeded');
  });

  it('continues one conversation across nodes when fidelity is full with the same thread_id, and sends the projected context otherwise', async () => {
    mock.script('THREAD-A', [{ tools: [{ name: 'write_file', args: { file_path: 'notes.txt', content: 'A was here' } }] }, { text: 'A finished' }]);
    mock.script('THREAD-B', [{ text: 'B continues' }]);
    mock.script('COMPACT-C', [{ text: 'C alone' }]);
    const ws = workspace(
      pipelineYaml(
        'threads',
        [
          '{ id: a, type: codergen, prompt: "THREAD-A", fidelity: full, thread_id: t1 }',
          '{ id: b, type: codergen, prompt: "THREAD-B", fidelity: full, thread_id: t1 }',
          '{ id: c, type: codergen, prompt: "COMPACT-C", fidelity: compact }',
        ],
        ['{ from: start, to: a }', '{ from: a, to: b }', '{ from: b, to: c }', '{ from: c, to: exit }'],
      ),
      { profile: profile() },
    );
    const result = await (await env.start(ws)).result();
    expect(result.outcome).toBe('succeeded');
    const b = mock.of('THREAD-B')[0]?.raw ?? '';
    expect(b).toContain('THREAD-A');
    expect(b).toContain('A finished');
    expect(b).toContain('wrote 10 bytes to notes.txt');
    // the thread carries node a's opening context; b adds no second preamble
    expect(b.split('# Run context').length - 1).toBe(1);
    const c = mock.of('COMPACT-C')[0]?.raw ?? '';
    expect(c).toContain('# Run context (fidelity: compact)');
    expect(c).not.toContain('wrote 10 bytes');
  });
});
