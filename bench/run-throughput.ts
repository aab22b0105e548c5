// throughput-50: 50 runs of a 20-stage pipeline started at once, until all have completed, against 50
// bare workflows of 20 no-op activities started at once (every stage is a normal activity);
// interleaved rounds on one server and worker. Target: completed runs per second ≥ 0.9× the bare
// chains', i.e. elapsed ≤ 1/0.9 ≈ 1.11× theirs.

import { interleaved, summarize } from './stats';
import { chainPipelineYaml } from './run-stages';
import { activityMeans, temporalBenchEnv } from './temporal-env';
import type { Benchmark, BenchResult } from './types';

const RUNS_AT_ONCE = 50;
const STAGES = 20;
const ROUNDS = 3;

/** The benchmark: elapsed time of one round (all started → all completed), median over rounds. */
export const throughputBenchmark: Benchmark = {
  name: 'throughput-50',
  description: `${RUNS_AT_ONCE} concurrent ${STAGES}-stage runs vs ${RUNS_AT_ONCE} concurrent bare chains of ${STAGES} activities (${ROUNDS} rounds each, interleaved, after 1 warm-up)`,
  async run(): Promise<BenchResult> {
    const env = await temporalBenchEnv();
    const file = env.writePipeline('throughput', chainPipelineYaml('bench-throughput', STAGES));
    const ours = async (): Promise<number> => {
      const t0 = performance.now();
      const handles = await Promise.all(Array.from({ length: RUNS_AT_ONCE }, () => env.startRun(file)));
      const results = await Promise.all(handles.map((h) => h.result()));
      const bad = results.find((r) => r.outcome !== 'succeeded');
      if (bad) throw new Error(`throughput: run ${bad.runId} ended ${bad.outcome}`);
      return performance.now() - t0;
    };
    const bare = async (): Promise<number> => {
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: RUNS_AT_ONCE }, () => env.client.workflow.execute('bareSequence', { taskQueue: env.taskQueue, workflowId: env.id('bare-tp'), args: [STAGES] })),
      );
      return performance.now() - t0;
    };
    await new Promise((r) => setTimeout(r, 200)); // the worker's activity-times file catches up
    const before = env.stageTimes();
    const { a, b } = await interleaved({ warmup: 1, runs: ROUNDS }, ours, bare);
    await new Promise((r) => setTimeout(r, 200));
    const after = env.stageTimes();
    const t = summarize(a);
    const f = summarize(b);
    return {
      timing: t,
      floor: { name: `${RUNS_AT_ONCE} × bareSequence(${STAGES})`, timing: f },
      target: { stat: 'median', ratio: 1 / 0.9 },
      notes: [
        `completed runs per second: ours ${((RUNS_AT_ONCE * 1000) / t.median).toFixed(1)}, bare ${((RUNS_AT_ONCE * 1000) / f.median).toFixed(1)}, ratio ${(f.median / t.median).toFixed(2)}x (target ≥ 0.90x)`,
        'ours include boot (4 activities), run-directory writes per stage, and finalize; the bare chains none of that',
        `mean wall time per call inside the worker (warm-ups included): ${Object.entries(activityMeans(before, after)).map(([n, m]) => `${n} ${m.meanMs.toFixed(1)} ms × ${m.calls}`).join(', ')}`,
      ],
    };
  },
};
