// A pipeline worker SIGKILLed mid-stage (SPEC §1: events none lost or duplicated across worker restarts):
// the run continues on a fresh worker process and events.jsonl stays gapless and duplicate-free.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQuery } from '../../workflows/messages';
import { uniqueId } from '../helpers/temporal';
import { readFileSync } from 'node:fs';
import { readJournal } from '../../activities/agent/journal';
import { LlmMock } from '../helpers/llm-mock';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, readJson, startRun, startedNodes, testProfileYaml, useRunEnv, workspace } from '../helpers/runs';
import { gitIn } from '../helpers/git-repo';
import type { RunEnvelope } from '../../core/run-model';

const env = useRunEnv();
const ROOT = join(__dirname, '..', '..');

/** Starts test/fixtures/worker-main.ts in a child process; resolves once it polls. */
async function startWorkerProcess(vars: Record<string, string>, log: string): Promise<ChildProcess> {
  const out = openSync(log, 'a');
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(ROOT, 'test', 'fixtures', 'worker-main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'pipe', out],
  });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code} before it was ready; see ${log}`)));
  });
  return child;
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => child.once('exit', r));
}

/**
 * A stage activity whose worker died times out on its heartbeat and the workflow's retry loop runs
 * attempt 2 on the new worker.
 */
const secondAttempt = 2;

describe('worker killed mid-stage', () => {
  it('completes a stage on a restarted worker with events.jsonl gapless and without duplicates when the first worker is SIGKILLed during it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'factory-kill-'));
    const bundle = join(dir, 'workflow-bundle.js');
    writeFileSync(bundle, env.workflowBundle.code);
    const markers = join(dir, 'markers');
    mkdirSync(markers);
    const taskQueue = uniqueId('kill');
    const vars = { WORKER_TASK_QUEUE: taskQueue, WORKER_BUNDLE: bundle, WORKER_MARKER_DIR: markers };
    const ws = workspace(
      pipelineYaml(
        'kill',
        ['{ id: before, type: tool, tool_command: "echo before" }', '{ id: slow, type: test.slow, max_retries: 2, attrs: { sleep_ms: 3000 } }', '{ id: after, type: tool, tool_command: "echo after" }'],
        ['{ from: start, to: before }', '{ from: before, to: slow }', '{ from: slow, to: after }', '{ from: after, to: exit }'],
      ),
    );
    const started = Date.now();
    let first: ChildProcess | undefined;
    let second: ChildProcess | undefined;
    try {
      first = await startWorkerProcess(vars, join(dir, 'worker-1.log'));
      const handle = await startRun(env.client, taskQueue, ws, { registryRoot: ws.dir, stageHeartbeatMs: 2000 });
      await eventually(async () => readdirSync(markers).some((f) => f === `${first?.pid}-slow-1`), 30_000);
      first.kill('SIGKILL');
      await exited(first);
      second = await startWorkerProcess(vars, join(dir, 'worker-2.log'));
      const result = await handle.result();
      console.log(`worker-kill: run completed ${Date.now() - started} ms after start`);

      expect(result.outcome).toBe('succeeded');
      expect(result.context['slow.done_by']).toBe(second.pid);
      expect(readdirSync(markers).sort()).toEqual([`${first.pid}-slow-1`, `${second.pid}-slow-${secondAttempt}`].sort());
      const events = await allEvents(handle);
      expectGapless(events);
      const onDisk = readEvents(result.runDir as string);
      expectGapless(onDisk);
      expect(onDisk).toEqual(events);
      expect(startedNodes(events)).toEqual(['start', 'before', 'slow', 'after']);
      expect(events.filter((e) => e.type === 'stage.completed' && e.data['node'] === 'slow')).toHaveLength(1);
      const history = await handle.fetchHistory();
      const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeStage');
      // every stage is a scheduled activity task: `before`, `slow` twice, `after`. The lost worker (heartbeat
      // timeout) is a failed attempt of the workflow's retry loop (§3.5): the profile's maximum_attempts is 1
      // here, so attempt 2 is a second scheduled activity
      expect(scheduled).toHaveLength(4);
      expect(events[events.length - 1]?.type).toBe('run.completed');
      expect((await handle.query(runQuery)).stages['slow']).toMatchObject({ attempts: secondAttempt, executions: 1, status: 'success' });
    } finally {
      for (const child of [first, second]) {
        if (child && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited(child);
        }
      }
    }
  }, 90_000);

  it('resumes the agent conversation at turn 3 on a restarted worker without re-requesting turns 1-2 or re-running their tools when the worker is SIGKILLed after turn 2 of 4', async () => {
    const mock = new LlmMock('sk-kill-test-key');
    const base = await mock.start();
    mock.script('KILL-AGENT', [
      { tools: [{ name: 'shell', args: { command: 'echo one >> log.txt' } }] },
      { tools: [{ name: 'shell', args: { command: 'echo two >> log.txt' } }] },
      { tools: [{ name: 'shell', args: { command: 'echo three >> log.txt' } }] },
      { text: 'all done' },
    ]);
    const held = mock.hold('KILL-AGENT', 2);
    const dir = mkdtempSync(join(tmpdir(), 'factory-kill-agent-'));
    const bundle = join(dir, 'workflow-bundle.js');
    writeFileSync(bundle, env.workflowBundle.code);
    const markers = join(dir, 'markers');
    mkdirSync(markers);
    const taskQueue = uniqueId('kill-agent');
    const vars = { WORKER_TASK_QUEUE: taskQueue, WORKER_BUNDLE: bundle, WORKER_MARKER_DIR: markers, MOCK_LLM_KEY: 'sk-kill-test-key' };
    const profile = testProfileYaml().replace('provider: { kind: twin }', `provider: { kind: openai, model: m-1, base_url: "${base}", api_key_env: MOCK_LLM_KEY }`).replace('dependencies: { llm: twin }', 'dependencies: {}');
    const ws = workspace(
      pipelineYaml('killagent', ['{ id: code, type: codergen, prompt: "KILL-AGENT: log three lines", max_retries: 2 }'], ['{ from: start, to: code }', '{ from: code, to: exit }']),
      { profile },
    );
    let first: ChildProcess | undefined;
    let second: ChildProcess | undefined;
    try {
      first = await startWorkerProcess(vars, join(dir, 'worker-1.log'));
      const handle = await startRun(env.client, taskQueue, ws, { registryRoot: ws.dir, stageHeartbeatMs: 2000 });
      await held.reached;
      first.kill('SIGKILL');
      await exited(first);
      held.release();
      second = await startWorkerProcess(vars, join(dir, 'worker-2.log'));
      const result = await handle.result();
      expect(result.outcome).toBe('succeeded');
      // in the run's own workspace (issue 21): the candidate commit holds each line once
      const candidate = readJson<RunEnvelope>(join(result.runDir as string, 'run.json')).candidate;
      expect(gitIn(candidate?.remote as string, 'show', `${candidate?.commit}:log.txt`)).toBe('one\ntwo\nthree\n');
      // turns 0 and 1 asked once each; turn 2 was in flight when the worker died, so it is asked again
      expect(mock.of('KILL-AGENT').map((r) => r.turn)).toEqual([0, 1, 2, 2, 3]);
      const lines = await readJournal(join(result.runDir as string, 'code'));
      expect(lines.filter((l) => l.type === 'session')).toHaveLength(1);
      expect(lines.filter((l) => l.type === 'turn').map((l) => (l as { turn: number }).turn)).toEqual([1, 2, 3, 4]);
      expect(lines.filter((l) => l.type === 'tool')).toHaveLength(3);
      expect(readFileSync(join(result.runDir as string, 'code', 'response.md'), 'utf8')).toBe('all done');
    } finally {
      for (const child of [first, second]) {
        if (child && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited(child);
        }
      }
      await mock.stop();
    }
  }, 90_000);
});
