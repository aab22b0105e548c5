// worker-tuning: the same bare workflows on workers that differ only in their poller and cache
// options, all in one worker process, on one dev server, interleaved round-robin so load drift weighs
// on every configuration alike. Informational (no target): the numbers behind the options
// workers/pipeline.ts chooses (BENCHMARKS.md "Worker tuning").

import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { startDevServer } from '../infra/dev-server';
import { summarize } from './stats';
import { spawnBenchProcess, stopBenchProcess } from './temporal-env';
import type { Benchmark, BenchResult } from './types';

/** The configurations compared; `default` is the SDK's defaults. */
export const TUNING_CONFIGS: Readonly<Record<string, Partial<WorkerOptions>>> = {
  default: {},
  'sticky-ratio-1': { nonStickyToStickyPollRatio: 1 },
  'wft-simple-max-2': { workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 } },
  'wft-autoscaling': { workflowTaskPollerBehavior: { type: 'autoscaling' }, activityTaskPollerBehavior: { type: 'autoscaling' } },
  'sticky-ratio-1+wft-4': { nonStickyToStickyPollRatio: 1, workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 } },
  'no-cache': { maxCachedWorkflows: 0 },
  'no-eager': { maxEagerActivityReservationsPerWorkflowTask: 0 },
};

const CHAIN = 20;
const CONCURRENT = 20;
const ROUNDS = 5;

/** The benchmark: per configuration, a 20-activity chain (latency) and 20 concurrent 10-activity chains (throughput). */
export const tuningBenchmark: Benchmark = {
  name: 'worker-tuning',
  onlyWhenNamed: true,
  description: `bare ${CHAIN}-activity chains and ${CONCURRENT} concurrent 10-activity chains per worker configuration (${ROUNDS} rounds, round-robin)`,
  async run(): Promise<BenchResult> {
    const server = await startDevServer({ ui: false });
    const suffix = randomUUID().slice(0, 6);
    const queues = Object.fromEntries(Object.keys(TUNING_CONFIGS).map((name) => [name, `tune-${name}-${suffix}`]));
    const proc = await spawnBenchProcess('tuning-worker.ts', [
      server.address,
      server.namespace,
      JSON.stringify(Object.fromEntries(Object.entries(TUNING_CONFIGS).map(([name, o]) => [queues[name], o]))),
    ]);
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace: server.namespace });
      const run = (name: string, type: string, n: number) =>
        client.workflow.execute(type, { taskQueue: queues[name] as string, workflowId: `${name}-${randomUUID().slice(0, 8)}`, args: [n] });
      const chain: Record<string, number[]> = {};
      const many: Record<string, number[]> = {};
      const names = Object.keys(TUNING_CONFIGS);
      for (let round = -1; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? names : [...names].reverse();
        for (const name of order) {
          let t0 = performance.now();
          await run(name, 'bareSequence', CHAIN);
          const c = (performance.now() - t0) / CHAIN;
          t0 = performance.now();
          await Promise.all(Array.from({ length: CONCURRENT }, () => run(name, 'bareSequence', 10)));
          const m = performance.now() - t0;
          if (round < 0) continue; // warm-up
          (chain[name] ??= []).push(c);
          (many[name] ??= []).push(m);
        }
      }
      const base = summarize(chain['default'] as number[]);
      const baseMany = summarize(many['default'] as number[]);
      const notes = names.map((name) => {
        const c = summarize(chain[name] as number[]);
        const m = summarize(many[name] as number[]);
        return `${name.padEnd(18)} ${JSON.stringify(TUNING_CONFIGS[name])}: chain ${c.median.toFixed(1)} ms/activity (${(c.median / base.median).toFixed(2)}x default); ${CONCURRENT} concurrent: ${m.median.toFixed(0)} ms (${(m.median / baseMany.median).toFixed(2)}x)`;
      });
      return { timing: base, notes };
    } finally {
      await connection.close();
      await stopBenchProcess(proc.child, proc.guard);
      await server.stop();
    }
  },
};
