// Helpers for run-workflow tests: write a pipeline/profile pair into a temp dir, start runs,
// read run directories back.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { createActivities, type Handler, type StageContext } from '../../activities';
import { createDefaultHandlers } from '../../activities/handlers';
import type { Outcome } from '../../core/outcome';
import type { RunEvent } from '../../core/run-model';
import { eventsQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { PIPELINE_WORKFLOWS } from '../../workers/pipeline';
import type { RunInput, RunResult } from '../../workflows/types';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTestWorker, testTemporalEnv, uniqueId, useFileWorker } from './temporal';

/** A profile for tests: twin provider, fast retries, no suite required. Override with `extra` YAML. */
export function testProfileYaml(extra = ''): string {
  return `kind: FactoryProfile
id: test
version: 1.0.0
provider: { kind: twin }
environment: { run_root: runs, workdir: ., capabilities: [git, node], allowed_dependency_modes: [real, twin] }
dependencies: { llm: twin }
policy:
  retry: { initial_interval: 100ms, backoff_coefficient: 2, maximum_interval: 1s, maximum_attempts: 1 }
  stage_timeout: 1m
  human_gate: { timeout: 1h, on_timeout: default_choice, allow_self_approval: true }
  require_suite: false
${extra}`;
}

export interface Workspace {
  dir: string;
  pipeline: string;
  profile: string;
  write(name: string, text: string): string;
}

/** A temp project dir with pipeline.yaml (or .dot) and profile.yaml. */
export function workspace(pipeline: string, opts: { profile?: string; ext?: 'yaml' | 'dot' } = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'factory-run-'));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  return { dir, pipeline: write(`pipeline.${opts.ext ?? 'yaml'}`, pipeline), profile: write('profile.yaml', opts.profile ?? testProfileYaml()), write };
}

/** Starts a run of the workspace's pipeline on `taskQueue`. */
/** Start options tests may set: the workflow task timeout, and what the Temporal UI shows (static summary/details). */
export interface StartOptions {
  workflowTaskTimeout?: Duration;
  staticSummary?: string;
  staticDetails?: string;
}

export async function startRun(
  client: Client,
  taskQueue: string,
  ws: Workspace,
  extra: Partial<RunInput> = {},
  workflowId?: string,
  options: StartOptions = {},
): Promise<WorkflowHandle<typeof runPipeline>> {
  const runId = extra.runId ?? uniqueId('run');
  const input: RunInput = {
    runId,
    pipeline: { file: ws.pipeline },
    profile: { file: ws.profile },
    runRoot: join(ws.dir, 'runs'),
    startedBy: 'tester',
    ...extra,
  };
  return client.workflow.start('runPipeline', { taskQueue, workflowId: workflowId ?? runId, args: [input], ...options }) as Promise<WorkflowHandle<typeof runPipeline>>;
}

/** Events persisted in a run directory's events.jsonl. */
export function readEvents(runDir: string): RunEvent[] {
  const file = join(runDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RunEvent);
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`eventually: timed out${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A custom handler from a function (register it under a `test.*` type). */
export function handlerOf(fn: (stage: StageContext) => Promise<Outcome> | Outcome): Handler {
  return { execute: async (stage) => fn(stage) };
}

/** One handler invocation a Probe saw. */
export interface ProbeCall {
  node: string;
  attempt: number;
  at: number;
  context: Readonly<Record<string, unknown>>;
}

/** Wraps a scripted handler and records every invocation (node, attempt, wall time, context). */
export class Probe {
  readonly calls: ProbeCall[] = [];
  constructor(private readonly fn: (stage: StageContext, call: number) => Promise<Outcome> | Outcome = () => ({ status: 'success' })) {}

  readonly handler: Handler = {
    execute: async (stage) => {
      this.calls.push({ node: stage.node.id, attempt: stage.attempt, at: Date.now(), context: { ...stage.context } });
      return this.fn(stage, this.calls.length);
    },
  };

  /** Calls seen for one node. */
  of(node: string): ProbeCall[] {
    return this.calls.filter((c) => c.node === node);
  }
}

/** Pipeline worker activities for a workspace: the default handlers plus `extra` custom ones. */
export function testActivities(ws: Workspace, extra: Record<string, Handler> = {}, env: NodeJS.ProcessEnv = process.env) {
  const handlers = createDefaultHandlers();
  for (const [type, h] of Object.entries(extra)) handlers.register(type, h);
  return createActivities({ handlers, registryRoot: ws.dir, env, heartbeatIntervalMs: 200 });
}

/** How a run ended: its result, or the workflow failure's ApplicationFailure cause. */
export type Settled =
  | { ok: true; result: RunResult }
  | { ok: false; failure: ApplicationFailure; error: WorkflowFailedError };

/** Waits for the run to end, without throwing when it fails. */
export async function settle(handle: WorkflowHandle<typeof runPipeline>): Promise<Settled> {
  try {
    return { ok: true, result: await handle.result() };
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) return { ok: false, failure: err.cause, error: err };
    throw err;
  }
}

/** The run's events in order (events query, paged). */
export async function allEvents(handle: WorkflowHandle<typeof runPipeline>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for (;;) {
    const page = await handle.query(eventsQuery, { after: out.length ? (out[out.length - 1] as RunEvent).seq : 0, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
  }
}

/** Event types, for ordered assertions. */
export function typesOf(events: readonly RunEvent[]): string[] {
  return events.map((e) => e.type);
}

/** Asserts seqs are exactly 1..N (gapless, no duplicates). */
export function expectGapless(events: readonly RunEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

/** Resolves after ms. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What useRunEnv gives a test file: one shared pipeline worker plus the means to start runs on it. */
export interface RunEnv {
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
  readonly workflowBundle: WorkflowBundleWithSourceMap;
  /** The shared worker's task queue. */
  readonly taskQueue: string;
  /** Adds (or replaces) a custom handler on the shared worker; use a type unique to the test. */
  register(type: string, handler: Handler): void;
  /** Starts a run of `ws` on the shared worker (registryRoot = the workspace; workflow id = run id unless given). */
  start(ws: Workspace, extra?: Partial<RunInput>, workflowId?: string, options?: StartOptions): Promise<WorkflowHandle<typeof runPipeline>>;
  /** Runs `body` while a dedicated worker (own task queue, own activities) polls. */
  withWorker<T>(activities: object, body: (taskQueue: string) => Promise<T>): Promise<T>;
}

/**
 * Registers beforeAll/afterAll for a test file: one bundle, one client, one pipeline worker running for
 * the whole file (creating a Worker costs ~1 s on 2 cores), with the default handlers plus custom ones.
 */
export function useRunEnv(opts: { heartbeatIntervalMs?: number } = {}): RunEnv {
  const handlers = createDefaultHandlers();
  const taskQueue = uniqueId('runs');
  const file = useFileWorker('useRunEnv', PIPELINE_WORKFLOWS, (native, bundle) => {
    // its own empty root: a run started by the CLI against this worker (no registryRoot in its input) resolves
    // a relative workdir here, and a run copies its base (issue 21) — never the whole of tmpdir
    const root = mkdtempSync(join(tmpdir(), 'factory-shared-root-'));
    const activities = createActivities({ handlers, registryRoot: root, heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 200 });
    return Worker.create({ connection: native, namespace: testTemporalEnv().namespace, taskQueue, workflowBundle: bundle, activities });
  });

  return {
    get client() {
      return file.client;
    },
    get nativeConnection() {
      return file.native;
    },
    get workflowBundle() {
      return file.bundle;
    },
    taskQueue,
    register: (type, handler) => void handlers.register(type, handler),
    start: (ws, extra = {}, workflowId, options) => startRun(file.client, taskQueue, ws, { registryRoot: ws.dir, ...extra }, workflowId, options),
    async withWorker(activities, body) {
      const { worker: w, taskQueue: tq } = await createTestWorker({ connection: file.native, workflowBundle: file.bundle, activities });
      return w.runUntil(body(tq));
    },
  };
}

/** One call of the script handler: which run and node, when, and the context the stage saw. */
export interface ScriptCall extends ProbeCall {
  runId: string;
  visit: number;
  endedAt: number;
}

/**
 * A handler scripted by node attrs, for pipelines written in tests:
 * `outcomes: "fail,success"` (one per visit of the node in a run; the last repeats; default success),
 * `set: "k=v,k2=v2"` (context_updates), `label: "x"` (preferred_label), `sleep_ms: 200`.
 */
export function scriptHandler(): { handler: Handler; calls: ScriptCall[]; of(runId: string, node?: string): ScriptCall[] } {
  const calls: ScriptCall[] = [];
  const visits = new Map<string, number>();
  const handler: Handler = {
    async execute(stage) {
      const key = `${stage.runId}/${stage.node.id}`;
      const visit = (visits.get(key) ?? 0) + 1;
      visits.set(key, visit);
      const call: ScriptCall = { runId: stage.runId, node: stage.node.id, attempt: stage.attempt, visit, at: Date.now(), endedAt: 0, context: { ...stage.context } };
      calls.push(call);
      const a = stage.node.attrs;
      const sleepMs = Number(a['sleep_ms'] ?? 0);
      if (sleepMs > 0) await sleep(sleepMs);
      call.endedAt = Date.now();
      const outcomes = String(a['outcomes'] ?? 'success').split(',').map((s) => s.trim());
      const status = (outcomes[Math.min(visit, outcomes.length) - 1] ?? 'success') as Outcome['status'];
      const updates: Record<string, unknown> = {};
      for (const pair of String(a['set'] ?? '').split(',').filter(Boolean)) {
        const [k, ...v] = pair.split('=');
        updates[(k as string).trim()] = v.join('=').trim();
      }
      return {
        status,
        context_updates: updates,
        ...(a['label'] !== undefined ? { preferred_label: String(a['label']) } : {}),
        ...(status === 'fail' ? { failure_reason: `scripted fail at ${stage.node.id} visit ${visit}` } : {}),
      };
    },
  };
  return { handler, calls, of: (runId, node) => calls.filter((c) => c.runId === runId && (node === undefined || c.node === node)) };
}

/** Node ids of `stage.started` events, in order (optionally for one branch). */
export function startedNodes(events: readonly RunEvent[]): string[] {
  return events.filter((e) => e.type === 'stage.started').map((e) => String(e.data['node']));
}

/** A PipelineSpec YAML with `start` and `exit` nodes added; nodes and edges are YAML flow mappings. */
export function pipelineYaml(id: string, nodes: readonly string[], edges: readonly string[], top = ''): string {
  return [
    'kind: PipelineSpec',
    `id: ${id}`,
    'version: 1.0.0',
    ...(top ? [top] : []),
    'nodes:',
    '  - { id: start, type: start }',
    ...nodes.map((n) => `  - ${n}`),
    '  - { id: exit, type: exit }',
    'edges:',
    ...edges.map((e) => `  - ${e}`),
    '',
  ].join('\n');
}
