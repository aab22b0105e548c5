// stages-remote-100: a 100-stage pipeline of a no-work handler against a bare workflow running 100 no-op
// activities; interleaved on one server and worker. Every stage is a normal activity (the `activity`
// attribute is ignored), so `stages-local-100` is no longer in bench/index.ts: run against its local floor
// it would measure the difference between the two kinds of activity, not our overhead.
// remote: whole run (client start → result) vs the bare chain. local: the run after boot (client start →
// result, less client start → run.started) vs the bare local chain — the run's finalize stays in ours.

import type { WorkflowHandle } from '@temporalio/client';
import type { Benchmark, BenchResult } from './types';
import { interleaved, summarize } from './stats';
import { formatBreakdown, historyBreakdown, stageBodyProfile, type HistoryBreakdown } from './profile';
import { activityMeans, NOOP_TYPE, runDirEvents, sinceStart, temporalBenchEnv } from './temporal-env';

const STAGES = 100;
const WARMUP = 2;
const RUNS = 10;

/** start → s1 → … → sN → exit, every stage the no-work `bench.noop` type (placed `activity` when given). */
export function chainPipelineYaml(id: string, stages: number, activity?: 'local' | 'remote'): string {
  const nodes = ['  - { id: start, type: start }'];
  const edges: string[] = [];
  let prev = 'start';
  for (let i = 1; i <= stages; i++) {
    nodes.push(`  - { id: s${i}, type: ${NOOP_TYPE}${activity ? `, activity: ${activity}` : ''} }`);
    edges.push(`  - { from: ${prev}, to: s${i} }`);
    prev = `s${i}`;
  }
  nodes.push('  - { id: exit, type: exit }');
  edges.push(`  - { from: ${prev}, to: exit }`);
  return ['kind: PipelineSpec', `id: ${id}`, 'version: 1.0.0', 'goal: measure the run path', 'nodes:', ...nodes, 'edges:', ...edges, ''].join('\n');
}

/** One timed sample: client wall time and the server's start → close time. */
interface Sample {
  handle: WorkflowHandle;
  clientMs: number;
  serverMs: number;
  bootMs?: number;
}

/** Time a worker spent on an execution, without the waits for a worker to pick up workflow tasks. */
function busy(b: HistoryBreakdown): number {
  return b.activities * b.activityRunMs + b.workflowTasks * b.wftRunMs;
}

async function closedIn(handle: WorkflowHandle): Promise<number> {
  const d = await handle.describe();
  return (d.closeTime?.getTime() ?? Number.NaN) - d.startTime.getTime();
}

/** The two placements: the floor workflow and the target ratio for each. */
const MODES = {
  remote: { floor: 'bareSequence', ratio: 1.05, what: 'no-op activities' },
  local: { floor: 'bareLocalSequence', ratio: 1.25, what: 'no-op local activities' },
} as const;

/** The benchmark for one placement; the floor is the bare workflow of 100 activities of the same kind. */
export function stagesBenchmark(mode: 'local' | 'remote'): Benchmark {
  const m = MODES[mode];
  return {
  name: `stages-${mode}-${STAGES}`,
  description: `${STAGES}-stage pipeline of a no-work handler (activity=${mode}) vs a bare workflow of ${STAGES} ${m.what} (${mode === 'local' ? 'after boot' : 'client start → result'}; ${RUNS} each, interleaved, after ${WARMUP} warm-ups)`,
  async run(): Promise<BenchResult> {
    const env = await temporalBenchEnv();
    const file = env.writePipeline(`stages-${mode}`, chainPipelineYaml(`bench-stages-${mode}`, STAGES, mode));
    const pipeline = async (): Promise<Sample> => {
      const t0 = performance.now();
      const handle = await env.startRun(file);
      const result = await handle.result();
      const clientMs = performance.now() - t0;
      if (result.outcome !== 'succeeded') throw new Error(`pipeline run ${result.runId} ended ${result.outcome}`);
      const started = runDirEvents(result.runDir as string).find((e) => e.type === 'run.started');
      return { handle, clientMs, serverMs: await closedIn(handle), ...(started ? { bootMs: await sinceStart(handle, started.at) } : {}) };
    };
    const bare = async (): Promise<Sample> => {
      const t0 = performance.now();
      const handle = await env.client.workflow.start(m.floor, { taskQueue: env.taskQueue, workflowId: env.id('bare'), args: [STAGES] });
      await handle.result();
      const clientMs = performance.now() - t0;
      return { handle, clientMs, serverMs: await closedIn(handle) };
    };
    await new Promise((r) => setTimeout(r, 200)); // the worker's stage-times file catches up
    const before = env.stageTimes();
    const { a: ours, b: floor } = await interleaved({ warmup: WARMUP, runs: RUNS }, pipeline, bare);
    await new Promise((r) => setTimeout(r, 200));
    const after = env.stageTimes();
    const stage = activityMeans(before, after)['executeStage'] ?? { calls: 0, meanMs: Number.NaN };
    const inWorkerMs = stage.meanMs;
    const t = summarize(ours.map((s) => (mode === 'local' ? s.clientMs - (s.bootMs ?? Number.NaN) : s.clientMs)));
    const f = summarize(floor.map((s) => s.clientMs));
    const so = summarize(ours.map((s) => s.serverMs));
    const sf = summarize(floor.map((s) => s.serverMs));
    const boot = summarize(ours.map((s) => s.bootMs ?? Number.NaN));
    const perStage = (mode === 'local' ? t.median : t.median - boot.median) / STAGES;
    const [hOurs, hBare] = [await historyBreakdown(ours.map((s) => s.handle)), await historyBreakdown(floor.map((s) => s.handle))];
    const body = await stageBodyProfile();
    return {
      timing: t,
      floor: { name: `${m.floor}(${STAGES})`, timing: f },
      target: { stat: 'median', ratio: m.ratio },
      notes: [
        `server start → close: ours median ${so.median.toFixed(0)} ms, bare ${sf.median.toFixed(0)} ms, ratio ${(so.median / sf.median).toFixed(2)}x`,
        `ours: boot (start → run.started) median ${boot.median.toFixed(0)} ms; ~${perStage.toFixed(1)} ms per stage after boot vs ${(f.median / STAGES).toFixed(1)} ms per bare activity`,
        formatBreakdown('history, ours', hOurs),
        formatBreakdown('history, bare', hBare),
        `busy time per execution (activities run + workflow tasks run, pickup waits left out): ours ${busy(hOurs).toFixed(0)} ms, bare ${busy(hBare).toFixed(0)} ms, ratio ${(busy(hOurs) / busy(hBare)).toFixed(2)}x`,
        `executeStage wall time inside the worker during these runs: mean ${inWorkerMs.toFixed(2)} ms over ${stage.calls} calls (warm-ups included); per stage outside it (workflow code, SDK, server): ~${(perStage - inWorkerMs).toFixed(1)} ms vs ${(f.median / STAGES).toFixed(1)} ms per bare activity`,
        `stage activity body without Temporal (same disk): flushRun ${body.flushMs.toFixed(1)} ms, whole no-op executeStage ${body.stageMs.toFixed(1)} ms`,
        `setup (once per bench run): dev server ${env.setupMs.server.toFixed(0)} ms, worker process + bundle ${env.setupMs.worker.toFixed(0)} ms`,
      ],
    };
  },
};
}
