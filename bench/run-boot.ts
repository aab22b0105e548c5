// boot: client start → the `run.started` event (boot phases 1–4 as activities, run directory created)
// against a bare workflow running 4 no-op activities (client start → the workflow time after its last one):
// the boot phases are normal activities. Both end points are workflow time recorded in the worker, so
// neither side pays for result delivery or query polling: ours is `run.started`'s `at`, the floor's the
// `doneAt` bareSequence returns (bench/bare).

import type { Benchmark, BenchResult } from './types';
import { interleaved, summarize } from './stats';
import type { WorkflowHandle } from '@temporalio/client';
import { formatBreakdown, historyBreakdown } from './profile';
import { activityMeans, NOOP_TYPE, runDirEvents, sinceStart, temporalBenchEnv } from './temporal-env';

const WARMUP = 2;
const RUNS = 10;

const PIPELINE = `kind: PipelineSpec
id: bench-boot
version: 1.0.0
goal: measure boot
nodes:
  - { id: start, type: start }
  - { id: work, type: ${NOOP_TYPE} }
  - { id: exit, type: exit }
edges:
  - { from: start, to: work }
  - { from: work, to: exit }
`;

interface Sample {
  handle: WorkflowHandle;
  /** Client start call → end point. */
  clientMs: number;
  /** Server start time → end point. */
  serverMs: number;
}

/** The benchmark; the floor is `bareSequence(4)`. */
export const bootBenchmark: Benchmark = {
  name: 'boot',
  description: `client start → run.started (3-node pipeline) vs a bare workflow of 4 no-op activities (client start → its workflow time after the last; ${RUNS} each, interleaved, after ${WARMUP} warm-ups)`,
  async run(): Promise<BenchResult> {
    const env = await temporalBenchEnv();
    const file = env.writePipeline('boot', PIPELINE);
    const pipeline = async (): Promise<Sample> => {
      const t0 = Date.now();
      const handle = await env.startRun(file);
      const result = await handle.result();
      const started = runDirEvents(result.runDir as string).find((e) => e.type === 'run.started');
      if (!started) throw new Error(`run ${result.runId} has no run.started event`);
      return { handle, clientMs: Date.parse(started.at) - t0, serverMs: await sinceStart(handle, started.at) };
    };
    const bare = async (): Promise<Sample> => {
      const t0 = Date.now();
      const handle = await env.client.workflow.start('bareSequence', { taskQueue: env.taskQueue, workflowId: env.id('bare'), args: [4] });
      const { doneAt } = (await handle.result()) as { doneAt: number };
      return { handle, clientMs: doneAt - t0, serverMs: await sinceStart(handle, doneAt) };
    };
    await new Promise((r) => setTimeout(r, 200)); // the worker's activity-times file catches up
    const before = env.stageTimes();
    const { a: ours, b: floor } = await interleaved({ warmup: WARMUP, runs: RUNS }, pipeline, bare);
    await new Promise((r) => setTimeout(r, 200));
    const after = env.stageTimes();
    const so = summarize(ours.map((s) => s.serverMs));
    const sf = summarize(floor.map((s) => s.serverMs));
    return {
      timing: summarize(ours.map((s) => s.clientMs)),
      floor: { name: 'bareSequence(4)', timing: summarize(floor.map((s) => s.clientMs)) },
      target: { stat: 'median', ratio: 1.25 },
      notes: [
        `server start → end point: ours median ${so.median.toFixed(0)} ms, bare ${sf.median.toFixed(0)} ms, ratio ${(so.median / sf.median).toFixed(2)}x`,
        'ours = resolveProfile, resolveSpecs, preflight, createRun as activities, then run.started',
        `mean wall time per call inside the worker (warm-ups included): ${Object.entries(activityMeans(before, after)).map(([n, m]) => `${n} ${m.meanMs.toFixed(1)} ms × ${m.calls}`).join(', ')}`,
        formatBreakdown('history, ours (whole run: boot, 1 stage, final flush)', await historyBreakdown(ours.map((s) => s.handle))),
        formatBreakdown('history, bare', await historyBreakdown(floor.map((s) => s.handle))),
      ],
    };
  },
};
