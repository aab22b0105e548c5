// Holdout evaluation throughput: a generated 200-scenario suite (cheap command scenarios) evaluated by
// evaluateSuite with 1 and with 2 scenario worker PROCESSES (`node bin/factory scenario-worker`) on the
// same dev server in the same bench run: one process polls queue A, two poll queue B, and runs alternate
// A, B, A, B... so load drift on a shared machine hits both alike. Reports both medians and the speedup.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { EvaluateInput, EvaluationSummary } from '../core/evaluation';
import { startDevServer, type DevServer } from '../infra/dev-server';
import { guardChild, type ChildGuard } from '../infra/process-guard';
import { openScenarioRegistry } from '../definitions/registry';
import { summarize } from './stats';
import type { Benchmark, BenchResult } from './types';

/** Scenarios in the generated suite. */
export const SUITE_SIZE = 200;
/** Scenarios the evaluate workflow runs at once (spread over however many workers poll); FACTORY_BENCH_MAX_PARALLEL overrides. */
export const MAX_PARALLEL = Number(process.env.FACTORY_BENCH_MAX_PARALLEL) || 16;
const WARMUP = 1;
const RUNS = 7;
const BIN = join(__dirname, '..', 'bin', 'factory');

/** The generated suite: `true` and `exit 0` alternately, all passing. */
export function generateSuiteYaml(size: number): string {
  const lines = ['kind: ScenarioSuite', 'id: bench-200', 'version: 1.0.0', 'pipeline_id: bench', 'pipeline_major: 1', 'scenarios:'];
  for (let i = 0; i < size; i++) lines.push(`  - { id: s${i}, kind: command, run: "${i % 2 ? 'exit 0' : 'true'}", timeout: 30s }`);
  return `${lines.join('\n')}\n`;
}

interface WorkerProcess {
  child: ChildProcess;
  guard: ChildGuard;
}

/** Starts `factory scenario-worker` and waits for its ready line (it bundles the workflows first). */
async function startScenarioWorker(server: DevServer, taskQueue: string, root: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'scenario-worker', '--address', server.address, '--namespace', server.namespace, '--task-queue', taskQueue, '--scenarios-root', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const guard = guardChild(child, { graceMs: 5000, marker: 'scenario-worker' });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('scenario worker on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`scenario worker exited during start-up (code ${code}): ${err.slice(-500)}`)));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('scenario worker not ready after 120 s')), 120_000)));
  try {
    await Promise.race([ready, timeout]);
  } catch (e) {
    await stopScenarioWorker({ child, guard });
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return { child, guard };
}

async function stopScenarioWorker(w: WorkerProcess): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) {
    const exited = once(w.child, 'exit');
    w.child.kill('SIGTERM');
    const timer = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  w.guard.release();
}

/** The benchmark: one server, one suite; timings with one worker process, then with two. */
export const scenariosBenchmark: Benchmark = {
  name: 'scenarios-200',
  description: `evaluateSuite on a ${SUITE_SIZE}-scenario command suite, maxParallel ${MAX_PARALLEL}: 2 scenario worker processes vs 1 (median of ${RUNS} interleaved runs each after ${WARMUP} warm-up)`,
  async run(): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'factory-bench-scenarios-'));
    const root = join(dir, 'scenarios');
    const candidateDir = join(dir, 'candidate');
    mkdirSync(root);
    mkdirSync(candidateDir);
    const draft = join(dir, 'bench-200.yaml');
    writeFileSync(draft, generateSuiteYaml(SUITE_SIZE));
    const { entry } = await openScenarioRegistry(root).publish(draft);
    const server = await startDevServer({ ui: false });
    const workers: WorkerProcess[] = [];
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: server.address });
      const client = new Client({ connection, namespace: server.namespace });
      const queues = { one: `bench-scenarios-1-${randomUUID().slice(0, 8)}`, two: `bench-scenarios-2-${randomUUID().slice(0, 8)}` };
      const input = (): EvaluateInput => ({
        runId: `bench-${randomUUID().slice(0, 12)}`,
        suite: { ref: `${entry.id}@${entry.version}` },
        expectedDigest: entry.sha256,
        candidate: { ref: pathToFileURL(candidateDir).href, exports: {} },
        provider: { kind: 'twin' },
        maxParallel: MAX_PARALLEL,
      });
      const evaluate = async (taskQueue: string): Promise<number> => {
        const args = input();
        const t = performance.now();
        const summary = (await client.workflow.execute('evaluateSuite', { taskQueue, workflowId: args.runId, args: [args] })) as EvaluationSummary;
        if (summary.passed !== SUITE_SIZE) throw new Error(`expected ${SUITE_SIZE} passing scenarios, got ${JSON.stringify(summary)}`);
        return performance.now() - t;
      };
      const t0 = performance.now();
      workers.push(await startScenarioWorker(server, queues.one, root));
      const startMs = performance.now() - t0;
      workers.push(await startScenarioWorker(server, queues.two, root), await startScenarioWorker(server, queues.two, root));
      const samples = { one: [] as number[], two: [] as number[] };
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const a = await evaluate(queues.one);
        const b = await evaluate(queues.two);
        if (i >= WARMUP) samples.one.push(a), samples.two.push(b);
      }
      const one = summarize(samples.one);
      const two = summarize(samples.two);
      const speedup = one.median / two.median;
      return {
        timing: two,
        floor: { name: '1 scenario worker process', timing: one },
        notes: [
          `1 worker process: median ${one.median.toFixed(0)} ms (p95 ${one.p95.toFixed(0)}), ${(SUITE_SIZE / (one.median / 1000)).toFixed(0)} scenarios/s`,
          `2 worker processes: median ${two.median.toFixed(0)} ms (p95 ${two.p95.toFixed(0)}), ${(SUITE_SIZE / (two.median / 1000)).toFixed(0)} scenarios/s`,
          `speedup with 2 processes: ${speedup.toFixed(2)}x (median 1 / median 2)`,
          `one-off: dev server ${server.startupMs.toFixed(0)} ms, first worker process ready (bundle included) ${startMs.toFixed(0)} ms`,
        ],
      };
    } finally {
      for (const w of workers) await stopScenarioWorker(w);
      await connection?.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
