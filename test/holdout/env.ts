// Holdout tests as deployed: a pipeline worker (`factory worker`) and a scenario worker
// (`factory scenario-worker`) in SEPARATE child processes on the shared dev server, each with its own
// root. The pipeline root holds profiles, pipelines, the candidate workspace and only a copy of the
// scenario registry's lock (manifests, no bodies); the scenario root holds the suite files.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { WorkflowFailedError, ApplicationFailure, type Client, type WorkflowHandle } from '@temporalio/client';
import { guardChild, type ChildGuard } from '../../infra/process-guard';
import { LOCK_FILE } from '../../definitions/registry';
import type { RunEvent } from '../../core/run-model';
import { eventsQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import type { RunInput, RunResult } from '../../workflows/types';
import { BIN, REPO } from '../client/run-cli';
import { connectTestClient, testTemporalEnv, uniqueId } from '../helpers/temporal';
import { ScenarioRoot, type ScenarioDoc } from '../scenarios/helpers';

/** A `factory worker` / `factory scenario-worker` child process with its output captured. */
export class WorkerProcess {
  output = '';
  readonly startedAt = Date.now();
  readyMs = 0;
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly guard: ChildGuard,
  ) {
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
  }

  /** Spawns `node bin/factory <args>` in `cwd`; resolves once the process prints `ready`. */
  static async start(name: string, args: readonly string[], cwd: string, ready: string): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FACTORY_DEBUG: '' } });
    const proc = new WorkerProcess(name, child, guardChild(child, { graceMs: 5000, marker: args[0] as string }));
    const deadline = Date.now() + 110_000;
    while (!proc.output.includes(ready)) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${proc.output}`);
      if (Date.now() > deadline) throw new Error(`${name} not ready after 110 s:\n${proc.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    proc.readyMs = Date.now() - proc.startedAt;
    return proc;
  }

  /** SIGTERM and wait for the exit (the worker drains first). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    this.guard.release();
  }
}

/** Profile knobs the holdout tests vary. */
export interface ProfileOptions {
  mode?: 'auto' | 'human';
  approvers?: string[];
  passBar?: number;
  /** human_gate.allow_self_approval (default true). */
  allowSelfApproval?: boolean;
  /** environment.workspace.publish_branch (default unset). */
  publishBranch?: string;
}

/** What a pipeline written by `pipeline()` does before its exit. */
export interface PipelineOptions {
  /** Exported as `candidate.url` (http scenarios' base URL), written by the build stage's status file. */
  url?: string;
  /** A wait.human gate `review` before exit. */
  gate?: boolean;
}

/** What useHoldoutEnv gives a test file. */
export interface HoldoutEnv {
  readonly client: Client;
  readonly address: string;
  readonly namespace: string;
  /** The pipeline worker's project root (--registry); never holds a suite file. */
  readonly pipelineRoot: string;
  /** The scenario worker's root (--scenarios-root). */
  readonly scenarios: ScenarioRoot;
  readonly taskQueue: string;
  readonly scenarioQueue: string;
  readonly pipelineWorker: WorkerProcess;
  /** The scenario worker, once started (startScenarioWorker). */
  readonly scenarioWorker: WorkerProcess | undefined;
  startScenarioWorker(): Promise<WorkerProcess>;
  /** Publishes a suite in the scenario root and copies the lock (only) to the pipeline root; returns ref, file and digest. */
  publishSuite(id: string, scenarios: ScenarioDoc[], extra?: Record<string, unknown>): Promise<{ ref: string; file: string; digest: string }>;
  /** Writes a profile (queues of this env) into the pipeline root; returns its path. */
  profile(opts?: ProfileOptions): string;
  /** Writes pipeline `demo@1.0.0` (start → build → [review] → exit) into the pipeline root; returns its path. */
  pipeline(opts?: PipelineOptions): string;
  /** Starts a run by client (the worker's own --registry resolves everything). */
  start(input: { profile: string; pipeline: string; suite: NonNullable<RunInput['suite']>; runId?: string; historyLimit?: number }): Promise<WorkflowHandle<typeof runPipeline>>;
  /** Startup times of the worker processes (ms). */
  readonly timings: Record<string, number>;
}

/**
 * Registers beforeAll/afterAll: one pipeline worker process for the file and, unless `lateScenarioWorker`,
 * one scenario worker process started beside it (both take ~10–15 s to bundle workflows on 2 cores).
 */
export function useHoldoutEnv(opts: { lateScenarioWorker?: boolean } = {}): HoldoutEnv {
  const pipelineRoot = mkdtempSync(join(tmpdir(), 'factory-pipeline-root-'));
  const scenarios = new ScenarioRoot();
  const taskQueue = uniqueId('ho-pipeline');
  const scenarioQueue = uniqueId('ho-scenarios');
  const timings: Record<string, number> = {};
  let client: Client | undefined;
  let pipelineWorker: WorkerProcess | undefined;
  let scenarioWorker: WorkerProcess | undefined;
  let starting: Promise<WorkerProcess> | undefined;
  let n = 0;
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useHoldoutEnv: use inside a test, after beforeAll');
    return v;
  };
  const target = () => testTemporalEnv();
  const targetArgs = () => ['--address', target().address, '--namespace', target().namespace];

  mkdirSync(join(pipelineRoot, 'workspace'));
  writeFileSync(join(pipelineRoot, 'workspace', 'greeting.txt'), 'hello from the candidate\n');

  const startScenarioWorker = (): Promise<WorkerProcess> => {
    starting ??= WorkerProcess.start(
      'scenario worker',
      ['scenario-worker', ...targetArgs(), '--task-queue', scenarioQueue, '--scenarios-root', scenarios.dir],
      scenarios.dir,
      'scenario worker on',
    ).then((w) => {
      scenarioWorker = w;
      timings['scenario worker ready'] = w.readyMs;
      return w;
    });
    return starting;
  };

  beforeAll(async () => {
    client = await connectTestClient();
    const pipeline = WorkerProcess.start('pipeline worker', ['worker', ...targetArgs(), '--task-queue', taskQueue, '--registry', pipelineRoot], pipelineRoot, 'pipeline worker on');
    const [p] = await Promise.all([pipeline, opts.lateScenarioWorker ? undefined : startScenarioWorker()]);
    pipelineWorker = p;
    timings['pipeline worker ready'] = p.readyMs;
  }, 150_000);

  afterAll(async () => {
    await Promise.all([pipelineWorker?.stop(), (starting ?? Promise.resolve(undefined)).then((w) => w?.stop())]);
    await client?.connection.close();
    console.log(`holdout env: ${Object.entries(timings).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  }, 60_000);

  return {
    get client() {
      return need(client);
    },
    get address() {
      return target().address;
    },
    get namespace() {
      return target().namespace;
    },
    pipelineRoot,
    scenarios,
    taskQueue,
    scenarioQueue,
    get pipelineWorker() {
      return need(pipelineWorker);
    },
    get scenarioWorker() {
      return scenarioWorker;
    },
    startScenarioWorker,
    timings,
    async publishSuite(id, docs, extra = {}) {
      const published = await scenarios.publish(id, docs, extra);
      mkdirSync(join(pipelineRoot, 'scenarios'), { recursive: true });
      copyFileSync(join(scenarios.dir, LOCK_FILE), join(pipelineRoot, 'scenarios', LOCK_FILE));
      return published;
    },
    profile(p = {}) {
      const doc = {
        kind: 'FactoryProfile',
        id: 'holdout',
        version: '1.0.0',
        provider: { kind: 'twin' },
        environment: {
          temporal: { address: target().address, namespace: target().namespace, task_queue: taskQueue, scenario_task_queue: scenarioQueue },
          run_root: 'runs',
          workdir: 'workspace',
          capabilities: ['git', 'node'],
          allowed_dependency_modes: ['real', 'twin'],
          ...(p.publishBranch ? { workspace: { publish_branch: p.publishBranch } } : {}),
        },
        dependencies: { llm: 'twin' },
        policy: {
          retry: { initial_interval: '100ms', backoff_coefficient: 2, maximum_interval: '1s', maximum_attempts: 1 },
          stage_timeout: '1m',
          human_gate: { timeout: '1h', on_timeout: 'fail', approvers: p.approvers ?? [], allow_self_approval: p.allowSelfApproval ?? true },
          decision: { mode: p.mode ?? 'auto', pass_bar: p.passBar ?? 1 },
          require_suite: true,
        },
      };
      const file = join(pipelineRoot, `profile-${++n}.yaml`);
      writeFileSync(file, stringify(doc));
      return file;
    },
    pipeline(p = {}) {
      const status = p.url ? JSON.stringify({ outcome: 'success', context_updates: { 'candidate.url': p.url } }) : undefined;
      const build = { id: 'build', type: 'tool', goal_gate: true, tool_command: status ? `printf '%s' '${status}' > "$FACTORY_STATUS_FILE"` : 'echo built' };
      const nodes: object[] = [{ id: 'start', type: 'start' }, build];
      const edges: object[] = [{ from: 'start', to: 'build' }];
      if (p.gate) {
        nodes.push({ id: 'review', type: 'wait.human', label: 'Review the build' });
        edges.push({ from: 'build', to: 'review' }, { from: 'review', to: 'exit', label: '[A] Approve' }, { from: 'review', to: 'build', label: '[R] Rework' });
      } else {
        edges.push({ from: 'build', to: 'exit' });
      }
      nodes.push({ id: 'exit', type: 'exit' });
      const doc = { kind: 'PipelineSpec', id: 'demo', version: '1.0.0', goal: 'a candidate the holdout suite judges', exports: ['candidate.url'], nodes, edges };
      const file = join(pipelineRoot, `pipeline-${++n}.yaml`);
      writeFileSync(file, stringify(doc));
      return file;
    },
    async start(input) {
      const runId = input.runId ?? uniqueId('ho');
      const args: RunInput = { runId, startedBy: 'tester', suite: input.suite, pipeline: { file: input.pipeline }, profile: { file: input.profile }, ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}) };
      return need(client).workflow.start('runPipeline', { taskQueue, workflowId: runId, args: [args] }) as Promise<WorkflowHandle<typeof runPipeline>>;
    },
  };
}

/** How a run ended, without throwing. */
export type RunEnd = { ok: true; result: RunResult } | { ok: false; failure: ApplicationFailure };

/** Waits for a run's result or its domain failure. */
export async function settleRun(handle: WorkflowHandle<typeof runPipeline>): Promise<RunEnd> {
  try {
    return { ok: true, result: await handle.result() };
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) return { ok: false, failure: err.cause };
    throw err;
  }
}

/** A run's events in order (events query, paged); works on any handle to a run workflow. */
export async function allEvents(handle: WorkflowHandle): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for (;;) {
    const page = await handle.query(eventsQuery, { after: out.length ? (out[out.length - 1] as RunEvent).seq : 0, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
  }
}

/** Every regular file under `dir` (relative path → content), recursively. */
export function filesUnder(dir: string, base = dir): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [k, v] of filesUnder(path, base)) out.set(k, v);
    else out.set(path.slice(base.length + 1), readFileSync(path));
  }
  return out;
}

export { REPO };
