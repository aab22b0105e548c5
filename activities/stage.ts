// executeStage: one attempt of one stage. Writes the workflow's pending run-directory writes first, runs the node's handler
// under a timeout with heartbeats, writes `<stage>/status.json`, and maps outcomes onto Temporal
// retries: FAIL/RETRY throw (retryable) while attempts remain; the last attempt RETURNS the outcome
// so the workflow routes it (Attractor §3.5-3.7 on top of Temporal's retry policy).

import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { lstatSync, mkdirSync, type Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration } from '../core/durations';
import { projectContext, resolveFidelity } from '../core/fidelity';
import type { Fidelity } from '../core/model';
import { StageStatus } from '../core/model';
import { failure, isStageStatus, type Outcome } from '../core/outcome';
import { errorMessage, NON_RETRYABLE_STAGE_ERRORS, ProviderUnavailableError, StageConfigError, StageFailureType } from './errors';
import type { HandlerRegistry, StageContext } from './handler-registry';
import { clearStatusFile, readStatusFile, writeStatusFile } from './handlers/status-file';
import { KILL_GRACE_MS } from './handlers/process';
import { loadPlugins } from './plugins';
import { flushRun } from './run-dir';
import type { StageInput, StageResult } from './types';
import { withStageSpent } from './usage-journal';
import type { SnapshotRecord, WorkspaceRef } from '../core/workspace';
import { writeJsonAtomic } from './atomic-files';
import { restoreWorkspace, snapshotWorkspace } from './workspace/snapshot';

/** Where a stage's snapshot is recorded in its stage directory. */
export const SNAPSHOT_FILE = 'snapshot.json';

/** What executeStage takes from Temporal's activity Context; a parameter so tests can drive attempts. */
export interface AttemptContext {
  /** 1-based attempt number (Context.current().info.attempt). */
  attempt: number;
  heartbeat(details?: unknown): void;
  /** Activity cancellation (Context.current().cancellationSignal). */
  signal: AbortSignal;
  /** Workflow id + node id: the agent loop resumes an unfinished conversation by it. */
  activityKey?: string;
}

/** What executeStage is bound to at worker start. */
export interface StageDeps {
  handlers: HandlerRegistry;
  env: NodeJS.ProcessEnv;
  /** How often to heartbeat while a handler runs (Temporal throttles what it sends). Default 1s. */
  heartbeatIntervalMs?: number;
}

/** The executeStage activity bound to a worker's handlers and env. */
export function createExecuteStage(deps: StageDeps): (input: StageInput) => Promise<StageResult> {
  return async function executeStage(input: StageInput): Promise<StageResult> {
    const ctx = Context.current();
    // the run's workflow id + node: stable across Temporal retries AND workflow-driven attempts, so a killed
    // worker's unfinished agent conversation is resumed by whichever attempt runs next
    // parallel branches at one node are different conversations: the branch is part of the key
    const activityKey = `${ctx.info.workflowExecution?.workflowId ?? input.runId}/${input.node.id}${input.branch !== undefined ? `@${input.branch}` : ''}`;
    // A local activity has no heartbeat (its worker's workflow task stands for it); beats would go nowhere.
    const heartbeat = ctx.info.isLocal ? () => undefined : (d: unknown) => ctx.heartbeat(d);
    return runStage(input, { attempt: ctx.info.attempt, heartbeat, signal: ctx.cancellationSignal, activityKey }, deps);
  };
}

/**
 * The stage directory, ready for this attempt: created when absent (then it holds no status.json to
 * clear), else checked and cleared of a previous attempt's status.json. One lstat in the usual case
 * instead of mkdir + lstat + rm; synchronous metadata calls (no thread-pool round trip, see flushRun).
 */
async function prepareStageDir(stageDir: string): Promise<void> {
  let st: Stats | undefined;
  try {
    st = lstatSync(stageDir);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  if (!st) {
    mkdirSync(stageDir, { recursive: true });
    await refuseLink(stageDir); // a racing writer may have planted a link in between
    return;
  }
  await refuseLink(stageDir, st);
  await clearStatusFile(stageDir);
}

/** A stage directory that is a symbolic link (a earlier stage planted it) would send every write outside the run. */
async function refuseLink(stageDir: string, known?: Stats): Promise<void> {
  const st = known ?? lstatSync(stageDir);
  if (st.isSymbolicLink() || !st.isDirectory()) {
    const target = st.isSymbolicLink() ? ` → ${await readlink(stageDir)}` : '';
    throw new StageConfigError(`refusing to write the stage's files: ${stageDir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}${target}; nothing is written outside the run directory (remove it, or rerun)`);
  }
}

/** One attempt: returns the routed outcome, or throws a retryable STAGE_FAILED / STAGE_RETRY while attempts remain. */
export async function runStage(input: StageInput, temporalCtx: AttemptContext, deps: StageDeps): Promise<StageResult> {
  const started = Date.now();
  const workflowDriven = input.attempt !== undefined;
  const ctx: AttemptContext = workflowDriven ? { ...temporalCtx, attempt: input.attempt as number } : temporalCtx;
  // workflow code of release r1 sends `flush` (with runDir) instead of `pendingWrites`: runs parked at a
  // gate since then call the new activities with it after an upgrade
  const writes = input.pendingWrites ?? input.flush;
  if (!writes) throw new StageConfigError('executeStage input has neither pendingWrites nor flush: nothing to persist before the stage');
  // inside a local activity flushRun treats the writes as speculative by itself (run-dir inLocalActivity)
  await flushRun({ ...writes, runDir: input.runDir });
  const { node } = input;
  const stageDir = join(input.runDir, stageDirFor(node.id, input.branch, input.visit));
  await prepareStageDir(stageDir);

  if (input.workspace?.restoreTo !== undefined) await restoreWorkspace(input.workspace, input.workspace.restoreTo);

  const timeoutMs = node.timeout_ms ?? input.stageTimeoutMs;
  const abort = new AbortController();
  let timedOut = false;
  const onCancel = () => abort.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onCancel();
  else ctx.signal.addEventListener('abort', onCancel, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new Error(`stage ${node.id} timed out after ${formatDuration(timeoutMs)}`));
  }, timeoutMs);
  // the handler's latest progress (e.g. the agent's turn and tool) rides on every beat: `factory watch` reads it
  let progress: Record<string, unknown> = {};
  const beat = () => ctx.heartbeat({ node: node.id, attempt: ctx.attempt, elapsedMs: Date.now() - started, ...progress });
  // No beat at t=0: the SDK sends an activity's first heartbeat to the server at once (a round trip that
  // persists the activity's state, per stage); a stage shorter than the interval needs none, a longer
  // one beats from the first interval on, well within the heartbeat timeout.
  const beater = setInterval(beat, deps.heartbeatIntervalMs ?? 1000);

  const handler = deps.handlers.get(node.type) ?? (input.plugins?.length ? (await loadPlugins(input.plugins)).handlers[node.type] : undefined);
  let outcome: Outcome;
  let retryable = true;
  let retryDelayMs: number | undefined;
  let running: Promise<unknown> | undefined;
  try {
    if (!handler) {
      retryable = false;
      outcome = failure(`no handler registered for node type "${node.type}" (registered: ${deps.handlers.types().join(', ')})`);
    } else {
      const stage = stageContext(input, ctx, deps, stageDir, abort.signal, timeoutMs, beat, (p) => (progress = p));
      running = handler.execute(stage);
      const returned: unknown = await untilAborted(running, abort.signal);
      outcome = await applyStatusFile(withStatus(returned, node), stageDir);
    }
  } catch (err) {
    if (ctx.signal.aborted) {
      // cancelled: the handler killed its process group; the activity ends once it settled (bounded by the
      // SIGTERM→SIGKILL grace), so a run cancelled with WAIT_CANCELLATION_COMPLETED outlives no stage process
      await settled(running, KILL_GRACE_MS + 1000);
      throw ctx.signal.reason ?? err;
    }
    if (timedOut) {
      outcome = failure(`stage timed out after ${formatDuration(timeoutMs)}`);
    } else if (isNonRetryable(err, input.nonRetryableErrorTypes ?? [])) {
      // the workflow gets no outcome from a throw: the spend is recorded here and left unreported (usage-journal.ts)
      await writeStatusFile(stageDir, node.id, await withStageSpent(input.runDir, node.id, failure(errorMessage(err)), false), ctx.attempt);
      throw nonRetryableFailure(err, { node: node.id, attempt: ctx.attempt });
    } else {
      outcome = failure(errorMessage(err));
      if (err instanceof ProviderUnavailableError) retryDelayMs = err.retryAfterMs;
    }
  } finally {
    clearTimeout(timer);
    clearInterval(beater);
    ctx.signal.removeEventListener('abort', onCancel);
  }
  if (timedOut) outcome = failure(`stage timed out after ${formatDuration(timeoutMs)}`);

  const failing = outcome.status === StageStatus.fail || outcome.status === StageStatus.retry;
  // what the node's model calls spent, this attempt and every earlier one not yet reported (failed, retried,
  // cut off); marked reported only on the outcome the workflow keeps, not on one it retries
  outcome = await withStageSpent(input.runDir, node.id, outcome, !(failing && retryable && ctx.attempt < input.maxAttempts));
  if (failing && retryable && ctx.attempt < input.maxAttempts && workflowDriven) {
    await writeStatusFile(stageDir, node.id, outcome, ctx.attempt);
    return { ...outcome, attempts: ctx.attempt, durationMs: Date.now() - started, ...(retryDelayMs !== undefined ? { retryAfterMs: retryDelayMs } : {}) };
  }
  if (failing && retryable && ctx.attempt < input.maxAttempts) {
    const reason = outcome.failure_reason || `stage ${node.id} returned ${outcome.status}`;
    await writeStatusFile(stageDir, node.id, outcome, ctx.attempt);
    throw ApplicationFailure.create({
      type: outcome.status === StageStatus.retry ? StageFailureType.retry : StageFailureType.failed,
      message: reason,
      nonRetryable: false,
      details: [{ node: node.id, attempt: ctx.attempt, outcome }],
      ...(retryDelayMs !== undefined ? { nextRetryDelay: retryDelayMs } : {}),
    });
  }
  if (outcome.status === StageStatus.retry) outcome = retriesExhausted(outcome, node.allow_partial, ctx.attempt);
  await writeStatusFile(stageDir, node.id, outcome, ctx.attempt);
  const snapshot = input.workspace ? await snapshotStage(input, stageDir, ctx.attempt) : undefined;
  return { ...outcome, attempts: ctx.attempt, durationMs: Date.now() - started, ...(retryable ? {} : { retryable: false }), ...(snapshot ? { snapshot } : {}) };
}

/** The stage's last attempt ends with a snapshot of the workspace, recorded beside status.json (`factory diff` reads it). */
async function snapshotStage(input: StageInput, stageDir: string, attempt: number): Promise<SnapshotRecord> {
  const snapshot = await snapshotWorkspace(input.workspace as WorkspaceRef, { runId: input.runId, node: input.node.id, attempt });
  await writeJsonAtomic(join(stageDir, SNAPSHOT_FILE), snapshot);
  return snapshot;
}

/**
 * A handler that produced no status (returned nothing, or an object without a valid `status`): Attractor
 * §2.6 `auto_status=true` makes that a SUCCESS; otherwise it is a FAIL saying so. A status.json written
 * by the stage still wins afterwards (applyStatusFile).
 */
export function withStatus(returned: unknown, node: { id: string; auto_status: boolean }): Outcome {
  if (returned && typeof returned === 'object' && isStageStatus((returned as { status?: unknown }).status)) return returned as Outcome;
  const extra = returned && typeof returned === 'object' ? (returned as Omit<Outcome, 'status'>) : {};
  if (node.auto_status) return { ...extra, status: StageStatus.success, notes: `auto_status: ${node.id} wrote no status, success assumed` };
  return { ...extra, ...failure(`handler for ${node.id} wrote no status (set auto_status=true to treat that as success)`) };
}

/** RETRY on the last attempt: PARTIAL_SUCCESS when the node allows it, else FAIL (Attractor §3.5). */
export function retriesExhausted(outcome: Outcome, allowPartial: boolean, attempts: number): Outcome {
  const why = outcome.failure_reason ? `: ${outcome.failure_reason}` : '';
  if (allowPartial) return { ...outcome, status: StageStatus.partialSuccess, notes: `retries exhausted after ${attempts} attempts, partial accepted${why}` };
  return { ...outcome, status: StageStatus.fail, failure_reason: `max retries exceeded after ${attempts} attempts${why}` };
}

/** The stage directory name: the node id when it is a safe file name, else its URI encoding. */
export function stageDirName(nodeId: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(nodeId) ? nodeId : encodeURIComponent(nodeId).replace(/\./g, '%2E');
}

/**
 * The stage directory's name for one attempt: the node's on the main line (as always); on a parallel branch
 * `<node>@<branch>` (and `@v<visit>` past the first visit), so branches that reach one node at once never
 * share files or a status.json. stageDirName always encodes `@`, so no node id can collide with these.
 */
export function stageDirFor(nodeId: string, branch?: string, visit?: number): string {
  if (branch === undefined) return stageDirName(nodeId);
  return `${stageDirName(nodeId)}@${stageDirName(branch)}${visit !== undefined && visit > 1 ? `@v${visit}` : ''}`;
}

/** A status.json the command/agent wrote itself decides the outcome; an unreadable one is a FAIL. */
async function applyStatusFile(outcome: Outcome, stageDir: string): Promise<Outcome> {
  const written = await readStatusFile(stageDir);
  if (written === undefined) return outcome;
  if (typeof written === 'string') return { ...failure(written), context_updates: outcome.context_updates ?? {} };
  return { ...written, context_updates: { ...outcome.context_updates, ...written.context_updates } };
}

function stageContext(
  input: StageInput,
  ctx: AttemptContext,
  deps: StageDeps,
  stageDir: string,
  signal: AbortSignal,
  timeoutMs: number,
  beat: () => void,
  setProgress: (p: Record<string, unknown>) => void,
): StageContext {
  return {
    runId: input.runId,
    runDir: input.runDir,
    stageDir,
    workdir: input.workspace?.dir ?? input.workdir,
    node: input.node,
    goal: input.goal,
    pipelineId: input.pipelineId,
    context: input.context,
    carried: carriedContext(input),
    provider: input.provider,
    ...(input.providers ? { providers: input.providers } : {}),
    ...(ctx.activityKey ? { activityKey: ctx.activityKey } : {}),
    attempt: ctx.attempt,
    ...(input.budget ? { budget: input.budget } : {}),
    signal,
    timeoutMs,
    env: deps.env,
    ...(input.sandbox ? { sandbox: input.sandbox } : {}),
    heartbeat: (details) => {
      if (details !== null && typeof details === 'object' && !Array.isArray(details)) setProgress(details as Record<string, unknown>);
      beat();
    },
  };
}

/** The stage's context projected by its fidelity (resolved by the workflow; compact by default). */
function carriedContext(input: StageInput): { mode: Fidelity; text: string } {
  const mode = resolveFidelity({ fidelity: input.fidelity }, {}, {});
  return { mode, text: projectContext(mode, input.context, { goal: input.goal, runId: input.runId }) };
}

function isNonRetryable(err: unknown, extra: readonly string[]): boolean {
  if (err instanceof ApplicationFailure) return err.nonRetryable || (err.type !== undefined && err.type !== null && extra.includes(err.type));
  const type = errorType(err);
  return type !== undefined && (NON_RETRYABLE_STAGE_ERRORS.includes(type) || extra.includes(type));
}

function nonRetryableFailure(err: unknown, where: { node: string; attempt: number }): ApplicationFailure {
  if (err instanceof ApplicationFailure) {
    if (err.nonRetryable) return err;
    return ApplicationFailure.create({ type: err.type ?? undefined, message: err.message, nonRetryable: true, details: err.details?.length ? [...err.details] : [where] });
  }
  return ApplicationFailure.create({ type: errorType(err), message: errorMessage(err), nonRetryable: true, details: [where] });
}

/** The Temporal failure type of a thrown value: its class name, as the SDK computes it. */
function errorType(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as { constructor?: { name?: string } }).constructor?.name ?? (err as { name?: string }).name;
}

/** Resolves with the promise, or rejects with the signal's reason as soon as it aborts. */
/** Waits until `promise` settles or `ms` pass, whichever is first; never throws. */
async function settled(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
