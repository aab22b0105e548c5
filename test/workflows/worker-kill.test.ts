// A pipeline worker SIGKILLed mid-stage (SPEC §1: events none lost or duplicated across worker restarts):
// the run continues on a fresh worker process and events.jsonl stays gapless and duplicate-free.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQuery } from '../../workflows/messages';
import { uniqueId } from '../helpers/temporal';
import { allEvents, eventually, expectGapless, pipelineYaml, readEvents, startRun, startedNodes, useRunEnv, workspace } from '../helpers/runs';

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
 * A normal (remote) stage activity is retried by the server after its heartbeat times out: attempt 2 on the
 * new worker. A local one lives inside its workflow task: the task times out, the new worker replays the
 * run and runs the stage again from the top (attempt 1 again), recorded once in history when it completes.
 */
const MODES = [
  { mode: 'remote', secondAttempt: 2 },
  { mode: 'local', secondAttempt: 1 },
] as const;

describe('worker killed mid-stage', () => {
  it.each(MODES)('completes a $mode stage on a restarted worker with events.jsonl gapless and without duplicates when the first worker is SIGKILLed during it', async ({ mode, secondAttempt }) => {
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
        ['{ id: before, type: tool, tool_command: "echo before" }', `{ id: slow, type: test.slow, max_retries: 2, activity: ${mode}, attrs: { sleep_ms: 3000 } }`, '{ id: after, type: tool, tool_command: "echo after" }'],
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
      expect(events.find((e) => e.type === 'stage.started' && e.data['node'] === 'slow')?.data['activity']).toBe(mode);
      const history = await handle.fetchHistory();
      const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeStage');
      // tools `before` and `after` (timeout ≤ 60 s) run local by the rule; `slow` as the node says
      expect(scheduled).toHaveLength(mode === 'remote' ? 1 : 0);
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
});
