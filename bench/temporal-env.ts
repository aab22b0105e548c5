// What the Temporal benchmarks share within one bench run: one embedded dev server (headless), one
// worker process (bench/temporal-worker.ts), one client, one temp workspace with the profile and the
// pipelines. Created on first use, closed by bench/index.ts after the last benchmark.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { RunEvent } from '../core/run-model';
import { startDevServer, type DevServer } from '../infra/dev-server';
import { guardChild, type ChildGuard } from '../infra/process-guard';
import type { runPipeline } from '../workflows/run';
import type { RunInput } from '../workflows/types';

/** The no-work custom node type the bench pipelines use (registered by the bench worker). */
export const NOOP_TYPE = 'bench.noop';
/** Where the bench worker sums each activity's in-worker wall time (ActivityTimes, in the workspace). */
export const STAGE_TIMES_FILE = 'stage-times.json';

/** Per activity name: calls so far in the bench worker and their summed wall time there. */
export type ActivityTimes = Record<string, { count: number; sumMs: number }>;

/** Mean in-worker ms per call of each activity between two readings of stageTimes(). */
export function activityMeans(before: ActivityTimes, after: ActivityTimes): Record<string, { calls: number; meanMs: number }> {
  const out: Record<string, { calls: number; meanMs: number }> = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name] ?? { count: 0, sumMs: 0 };
    if (a.count > b.count) out[name] = { calls: a.count - b.count, meanMs: (a.sumMs - b.sumMs) / (a.count - b.count) };
  }
  return out;
}

/** A profile with no retries to wait for, no suite, gates answerable by the bench itself. */
const PROFILE = `kind: FactoryProfile
id: bench
version: 1.0.0
provider: { kind: twin }
environment: { run_root: runs, workdir: ., capabilities: [], allowed_dependency_modes: [real, twin] }
dependencies: { llm: twin }
policy:
  retry: { initial_interval: 100ms, backoff_coefficient: 2, maximum_interval: 1s, maximum_attempts: 1 }
  stage_timeout: 1m
  human_gate: { timeout: 1h, on_timeout: default_choice, allow_self_approval: true }
  require_suite: false
`;

/** The shared server, worker process, client and workspace. */
export interface TemporalBenchEnv {
  readonly server: DevServer;
  readonly client: Client;
  readonly taskQueue: string;
  /** Temp dir holding profile.yaml, the pipelines and runs/. */
  readonly dir: string;
  /** Milliseconds spent starting the server, the worker process (bundle included). */
  readonly setupMs: { server: number; worker: number };
  /** Writes a pipeline file into the workspace; returns its path. */
  writePipeline(name: string, yaml: string): string;
  /** Starts a run of a workspace pipeline file. */
  startRun(pipelineFile: string, extra?: Partial<RunInput>): Promise<WorkflowHandle<typeof runPipeline>>;
  /** A fresh workflow id. */
  id(prefix: string): string;
  /** Each activity's calls so far in the worker and their summed in-worker wall time (written ≤ 50 ms late). */
  stageTimes(): ActivityTimes;
}

let pending: Promise<TemporalBenchEnv> | undefined;
let teardown: (() => Promise<void>) | undefined;

/** The shared environment, started on first call (dev server ~1.5 s, worker + bundle ~5-10 s). */
export function temporalBenchEnv(): Promise<TemporalBenchEnv> {
  return (pending ??= create());
}

/** Stops the worker process and the server, removes the workspace; safe when never started. */
export async function closeTemporalBenchEnv(): Promise<void> {
  const t = teardown;
  teardown = undefined;
  pending = undefined;
  await t?.();
}

async function create(): Promise<TemporalBenchEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'factory-bench-'));
  writeFileSync(join(dir, 'profile.yaml'), PROFILE);
  const t0 = performance.now();
  const server = await startDevServer({ ui: false });
  const serverMs = performance.now() - t0;
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  let worker: { child: ChildProcess; guard: ChildGuard } | undefined;
  let connection: Connection | undefined;
  teardown = async () => {
    if (worker) await stopBenchProcess(worker.child, worker.guard);
    await connection?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const t1 = performance.now();
  worker = await startWorker(server, taskQueue, dir);
  const workerMs = performance.now() - t1;
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const id = (prefix: string) => `${prefix}-${randomUUID().slice(0, 12)}`;
  return {
    server,
    client,
    taskQueue,
    dir,
    setupMs: { server: serverMs, worker: workerMs },
    id,
    stageTimes() {
      try {
        return JSON.parse(readFileSync(join(dir, STAGE_TIMES_FILE), 'utf8')) as ActivityTimes;
      } catch {
        return {};
      }
    },
    writePipeline(name, yaml) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, yaml);
      return file;
    },
    startRun(pipelineFile, extra = {}) {
      const runId = extra.runId ?? id('run');
      const input: RunInput = {
        runId,
        pipeline: { file: pipelineFile },
        profile: { file: join(dir, 'profile.yaml') },
        runRoot: join(dir, 'runs'),
        registryRoot: dir,
        startedBy: 'bench',
        ...extra,
      };
      return client.workflow.start('runPipeline', { taskQueue, workflowId: runId, args: [input] }) as Promise<WorkflowHandle<typeof runPipeline>>;
    },
  };
}

function startWorker(server: DevServer, taskQueue: string, dir: string): Promise<{ child: ChildProcess; guard: ChildGuard }> {
  return spawnBenchProcess('temporal-worker.ts', [server.address, server.namespace, taskQueue, dir]);
}

/** Spawns a bench/ script under tsx and waits until it prints `READY` (2 min at most); stop it with stopBenchProcess. */
export async function spawnBenchProcess(name: string, args: string[]): Promise<{ child: ChildProcess; guard: ChildGuard }> {
  const script = join(__dirname, name);
  // FACTORY_BENCH_NODE_ARGS: extra node flags for the bench's child processes (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`)
  const extra = (process.env.FACTORY_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...extra, '--require', require.resolve('tsx/cjs'), script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const guard = guardChild(child, { graceMs: 5000, marker: name.replace(/\.ts$/, '') });
  let out = '';
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(c));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('READY\n')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`bench process ${name} exited during start-up (code ${code}, signal ${signal})`)));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`bench process ${name} not ready after 120 s`)), 120_000).unref());
  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    await stopBenchProcess(child, guard);
    throw err;
  }
  return { child, guard };
}

/** Stops a process spawnBenchProcess started: SIGTERM, SIGKILL after 10 s. */
export async function stopBenchProcess(child: ChildProcess, guard: ChildGuard): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  guard.release();
}

/** The events a run directory's events.jsonl holds, in order. */
export function runDirEvents(runDir: string): RunEvent[] {
  return readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RunEvent);
}

/** Milliseconds from the workflow's start (server time) to `at` (an ISO time or epoch ms). */
export async function sinceStart(handle: WorkflowHandle, at: string | number): Promise<number> {
  const d = await handle.describe();
  return (typeof at === 'number' ? at : Date.parse(at)) - d.startTime.getTime();
}

/** Resolves after ms. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
