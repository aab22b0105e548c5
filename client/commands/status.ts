// `factory status <run>`: a run's status, current stage, open gates, what is pending, its failure. A run
// directory is read from run.json; a run id is read from the server: through its HTTP API when the address
// of that is known (the local server's record, TEMPORAL_HTTP_ADDRESS), which needs no Temporal SDK and so
// starts in a fraction of the time; else, or when the HTTP API is not there, over gRPC. Both print the same.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { RunEnvelope, RunEvent } from '../../core/run-model';
import { SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../../core/temporal-names';
import { sandboxText } from '../../core/sandbox-policy';
import { formatDuration } from '../../core/durations';
import { sanitizeFields } from '../../core/sanitize';
import type { RunResult } from '../../workflows/types';
import { ExitCode, UsageError, type CliContext } from '../context';
import { envelopeOfClosed, outcomeByStatus, type ClosedRun } from '../run-outcome';
import { envelopeWithEvents, runDirOf } from '../dir-status';
import { paintOutcome, palette } from '../colour';
import { formatStageRetry, isRetrying, pendingLines, retryingStages, type PendingView, type StageRetry } from '../pending';
import { connectClient, resolveHttpApi, resolveTarget, type TargetOptions } from '../temporal';
import { firstPayload, HttpApi, HttpApiStatusError, HttpApiTimeoutError, HttpApiUnavailableError, runFailureOf, searchAttributesOf, statusName, type RawDescription, type RawFailure, type RawPendingActivity } from '../http-api';
import { NoWorkerError, noWorkerMessage, ServerUnavailableError, workerWaitMs } from '../worker-errors';

/** How many of the latest events `status` reads to find stages between retry attempts. */
const RECENT_EVENTS = 200;
/** The run workflow's queries `status` sends (workflows/messages.ts defines them; a test checks the names agree). */
export const STATUS_QUERIES = { run: 'run', events: 'events' } as const;

interface StatusOptions extends TargetOptions {
  json?: boolean;
}

/** What `status` shows: the envelope, and for a live run what is pending and which stages wait to retry. */
interface StatusView {
  envelope: RunEnvelope & { temporalStatus?: string; lastRecordedStatus?: string };
  pending: PendingView[];
  retries: StageRetry[];
}


/** Registers `status`. */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show a run: status, current stage, open gates, failure')
    .argument('<run>', 'run id (workflow id) or run directory')
    .option('--address <host:port>', 'Temporal frontend')
    .option('--namespace <ns>', 'Temporal namespace')
    .option('--json', 'print JSON')
    .action(async (run: string, opts: StatusOptions) => {
      const dir = runDirOf(ctx.io.cwd, run);
      const view: StatusView = dir
        ? { envelope: envelopeWithEvents(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunEnvelope, readDirEvents(dir)), pending: [], retries: [] }
        : ((await overHttp(ctx, run, opts)) ?? (await overGrpc(ctx, run, opts)));
      const { envelope, pending, retries } = view;
      if (opts.json) ctx.io.out(JSON.stringify({ ...envelope, ...(pending.length ? { pending } : {}), ...(retries.length ? { retrying: retries } : {}) }, null, 2));
      else {
        printEnvelope(ctx, sanitizeFields(envelope, new Set(['message', 'recovery'])));
        for (const line of pendingLines(envelope, pending, Date.now())) ctx.io.out(line);
        for (const r of retries) ctx.io.out(`  ${formatStageRetry(r, Date.now())}`);
      }
      const ended = ['terminated', 'timed_out', 'cancelled'].includes(String(envelope.status));
      if (ended || envelope.failure || envelope.outcome === 'failed' || envelope.outcome === 'rejected') ctx.fail(ExitCode.failed);
    });
}

/** The envelope after a query that failed or found no worker: what the search attributes say, with a note on stderr. */
function fromSearchAttributes(ctx: CliContext, run: string, err: unknown, sa: Record<string, unknown[] | undefined>, server: string, pending: PendingView[]): StatusView {
  const status = sa[SEARCH_ATTRIBUTES.status]?.[0];
  if (status === undefined) throw err;
  ctx.io.err(`factory: ${err instanceof NoWorkerError ? err.message : `no worker answered the query (${err instanceof Error ? err.message : String(err)})`}; showing the search attributes`);
  const envelope = { runId: run, status, pipeline: { id: String(sa[SEARCH_ATTRIBUTES.pipeline]?.[0] ?? '?'), version: '?' }, openGates: [] } as unknown as RunEnvelope;
  return { envelope: withServerStatus(envelope, server), pending, retries: [] };
}

/**
 * The run read through the server's HTTP API; undefined when its address is unknown or it is not there
 * (said on stderr), so the caller reads over gRPC. A run the server does not have is the same usage error
 * the gRPC path reports.
 */
async function overHttp(ctx: CliContext, run: string, opts: TargetOptions): Promise<StatusView | undefined> {
  const target = resolveHttpApi(ctx.io, opts);
  if (!target) return undefined;
  const api = new HttpApi(target);
  try {
    return await readOverHttp(ctx, api, run);
  } catch (err) {
    if (err instanceof HttpApiStatusError && err.workflowNotFound) throw new UsageError(`no run ${run} on this server (check the run id, --address and --namespace)`);
    if (err instanceof HttpApiUnavailableError || err instanceof HttpApiStatusError || err instanceof HttpApiTimeoutError) {
      ctx.io.err(`factory: the HTTP API at ${target.baseUrl} did not answer (${err.message}); reading over gRPC`);
      return undefined;
    }
    throw err;
  }
}

async function readOverHttp(ctx: CliContext, api: HttpApi, run: string): Promise<StatusView> {
  const desc = await api.describe(run);
  const server = statusName(desc);
  const sa = searchAttributesOf(desc);
  if (server !== 'RUNNING') {
    const closed = await closedOverHttp(api, run, desc, server, String(sa[SEARCH_ATTRIBUTES.status]?.[0] ?? '?'));
    const envelope = envelopeOfClosed(run, ctx.io.cwd, server, sa, closed);
    return { envelope: withServerStatus(envelope, envelope.temporalStatus), pending: [], retries: [] };
  }
  const pending = await pendingOverHttp(api, desc);
  const waitMs = workerWaitMs(ctx.io.env);
  let env: RunEnvelope;
  try {
    env = (await api.query(run, STATUS_QUERIES.run, [], waitMs)) as RunEnvelope;
  } catch (err) {
    if (err instanceof HttpApiUnavailableError || (err instanceof HttpApiStatusError && err.workflowNotFound)) throw err;
    let reason = err;
    if (err instanceof HttpApiTimeoutError) {
      // as over gRPC: a lost server is not a missing worker
      const again = await api.describe(run, 5000).catch(() => undefined);
      if (!again) throw new ServerUnavailableError('lost the Temporal server while waiting for the run query');
      reason = new NoWorkerError(noWorkerMessage('the run query', again.executionConfig?.taskQueue?.name, formatDuration(waitMs)));
    }
    const later = await api.describe(run).catch(() => desc);
    return fromSearchAttributes(ctx, run, reason, searchAttributesOf(later), statusName(later), pending);
  }
  const envelope = withServerStatus(env, statusName(await api.describe(run)));
  const after = Math.max(0, env.lastSeq - RECENT_EVENTS);
  const retries = await api.query(run, STATUS_QUERIES.events, [{ after, limit: RECENT_EVENTS }], waitMs).then((events) => retryingStages(events as RunEvent[]), () => []);
  return { envelope, pending, retries };
}

/** The closed execution's outcome from its close event, as closedOutcome reads it over gRPC. */
async function closedOverHttp(api: HttpApi, run: string, desc: RawDescription, server: string, factoryStatus: string): Promise<ClosedRun> {
  const byStatus = outcomeByStatus(server, factoryStatus);
  if (server !== 'COMPLETED' && server !== 'FAILED') return { outcome: byStatus };
  try {
    const event = (await api.closeEvent(run, desc.workflowExecutionInfo?.execution?.runId)) ?? {};
    const completed = event['workflowExecutionCompletedEventAttributes'] as { result?: unknown } | undefined;
    const failed = event['workflowExecutionFailedEventAttributes'] as { failure?: RawFailure } | undefined;
    if (failed?.failure) return { outcome: 'failed', failure: runFailureOf(failed.failure) };
    if (completed) {
      const result = firstPayload(completed.result) as RunResult;
      return { outcome: result.outcome ?? byStatus, result };
    }
  } catch (err) {
    if (err instanceof HttpApiUnavailableError) throw err;
  }
  return { outcome: byStatus };
}

const STATES: Record<string, PendingView['state']> = {
  PENDING_ACTIVITY_STATE_SCHEDULED: 'scheduled',
  PENDING_ACTIVITY_STATE_STARTED: 'started',
  PENDING_ACTIVITY_STATE_CANCEL_REQUESTED: 'cancel_requested',
  PENDING_ACTIVITY_STATE_PAUSED: 'paused',
};

/** Pending activities of a described workflow (proto JSON), as run-monitor's pendingActivities reads the SDK's. */
export function pendingOfRaw(raw: readonly RawPendingActivity[] | undefined): PendingView[] {
  return (raw ?? []).map((p) => {
    const next = p.nextAttemptScheduleTime ? Date.parse(p.nextAttemptScheduleTime) : NaN;
    const started = p.lastStartedTime ? Date.parse(p.lastStartedTime) : NaN;
    return {
      activityId: p.activityId ?? '?',
      type: p.activityType?.name ?? '?',
      state: STATES[String(p.state)] ?? 'unknown',
      attempt: p.attempt ?? 1,
      maximumAttempts: p.maximumAttempts ?? 0,
      ...(p.lastFailure?.message ? { lastFailure: p.lastFailure.message } : {}),
      ...(next > 0 ? { nextRetryAt: next } : {}),
      ...(started > 0 ? { lastStartedAt: started } : {}),
    };
  });
}

/** The run's pending activities and, while it evaluates, the scenario attempts being retried (without their failure text). */
async function pendingOverHttp(api: HttpApi, desc: RawDescription): Promise<PendingView[]> {
  const pending = pendingOfRaw(desc.pendingActivities);
  const child = (desc.pendingChildren ?? []).find((c) => c.workflowTypeName === WORKFLOW_TYPES.evaluate && c.workflowId);
  if (!child?.workflowId) return pending;
  const childPending = await api.describe(child.workflowId).then((d) => pendingOfRaw(d.pendingActivities), () => []);
  // holdout isolation: a scenario attempt's failure text stays on the scenario side; attempts and timing only
  return [...pending, ...childPending.filter(isRetrying).map(({ lastFailure: _hidden, ...p }) => p)];
}

/** The run read over gRPC with the Temporal SDK (loaded here only). */
async function overGrpc(ctx: CliContext, run: string, opts: TargetOptions): Promise<StatusView> {
  const { endedEnvelope } = require('../run-outcome') as typeof import('../run-outcome');
  const { snapshot } = require('../run-monitor') as typeof import('../run-monitor');
  const { withWorkerDeadline } = require('../worker-wait') as typeof import('../worker-wait');
  const { eventsQuery, runQuery } = require('../../workflows/messages') as typeof import('../../workflows/messages');
  const client: Client = await connectClient(resolveTarget(ctx.io, opts));
  try {
    const ended = await endedEnvelope(client, run, ctx.io.cwd);
    if (ended) return { envelope: withServerStatus(ended, ended.temporalStatus), pending: [], retries: [] };
    const handle = client.workflow.getHandle(run);
    const pending = (await snapshot(client, run))?.pending ?? [];
    try {
      const envelope = withServerStatus(await withWorkerDeadline(handle, 'the run query', workerWaitMs(ctx.io.env), () => handle.query(runQuery)), (await handle.describe()).status.name);
      const retries = await handle.query(eventsQuery, { after: Math.max(0, envelope.lastSeq - RECENT_EVENTS), limit: RECENT_EVENTS }).then(retryingStages, () => []);
      return { envelope, pending, retries };
    } catch (err) {
      const desc = await handle.describe();
      return fromSearchAttributes(ctx, run, err, desc.searchAttributes as Record<string, unknown[] | undefined>, desc.status.name, pending);
    }
  } finally {
    await client.connection.close();
  }
}

/** events.jsonl of a run directory (none when it is missing; a torn last line is left out). */
function readDirEvents(dir: string): RunEvent[] {
  const file = join(dir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as RunEvent];
      } catch {
        return [];
      }
    });
}

/** What `status` may claim: never more than the server knows (closed how, or still finalizing). */
export function withServerStatus(env: RunEnvelope, server: string): RunEnvelope & { temporalStatus: string } {
  const ended = ['TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(server);
  if (ended) return { ...env, status: server.toLowerCase() as RunEnvelope['status'], temporalStatus: server, ...(env.status !== 'completed' ? { lastRecordedStatus: env.status } : {}) };
  // the workflow sets "completed" before its last writes: until the server closes it, it is finalizing
  if (server === 'RUNNING' && env.status === 'completed') return { ...env, status: 'finalizing' as RunEnvelope['status'], temporalStatus: server };
  return { ...env, temporalStatus: server };
}

function printEnvelope(ctx: CliContext, env: RunEnvelope & { temporalStatus?: string; lastRecordedStatus?: string }): void {
  const out = ctx.io.out;
  const paint = palette(ctx.io);
  out(`run ${env.runId}: ${paintOutcome(paint, String(env.status))}${env.outcome ? ` (${paintOutcome(paint, env.outcome)})` : ''}`);
  if (env.lastRecordedStatus) out(`  the server ended the workflow (${env.temporalStatus}) while the run said ${env.lastRecordedStatus}`);
  out(`  pipeline: ${env.pipeline.id}@${env.pipeline.version}   profile: ${env.profile?.id ?? '?'}@${env.profile?.version ?? '?'}`);
  if (env.currentNode) out(`  current node: ${env.currentNode}`);
  if (env.openGates?.length) out(`  open gates: ${env.openGates.join(', ')}`);
  if (env.runDir) out(`  run directory: ${env.runDir}`);
  if (env.sandbox) out(`  sandbox: ${sandboxText(env.sandbox)}`);
  for (const w of env.warnings ?? []) out(`  warning: ${w}`);
  for (const s of Object.values(env.stages ?? {})) {
    out(`  - ${s.node} (${s.type}): ${s.status ?? 'running'}, ${s.executions} run(s), ${s.attempts} attempt(s)${s.failure_reason ? ` — ${s.failure_reason}` : ''}`);
  }
  if (env.failure) out(`  failure: ${env.failure.domain}: ${env.failure.message}\n  recovery: ${env.failure.recovery}`);
}
