// `factory runs [--status s] [--pipeline id] [--json]`: the runs the server's visibility knows, each
// with its outcome (a live FactoryStatus, or how it ended: the result's outcome, failed, cancelled...,
// see client/run-outcome.ts) and, for running ones, the current stage from the `status` query when a
// worker answers in time. Never claims more than the server says.
import type { Command } from 'commander';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { RunStatus } from '../../core/run-model';
import { SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../../core/temporal-names';
import { statusQuery } from '../../workflows/messages';
import { UsageError, type CliContext } from '../context';
import { paintOutcome, palette, type Palette } from '../colour';
import { closedOutcome, ENDED_OUTCOMES, outcomeByStatus } from '../run-outcome';
import { connectClient, resolveTarget, type TargetOptions } from '../temporal';

interface RunsOptions extends TargetOptions {
  status?: string;
  pipeline?: string;
  limit: string;
  stage: boolean;
  json?: boolean;
}

/** One listed run. `status` is FactoryStatus; `temporalStatus` is what the server says of the execution; `outcome` the two read together. */
export interface RunRow {
  runId: string;
  status: string;
  /** The live FactoryStatus while it runs, else how it ended (approved, rejected, failed, cancelled, ...). */
  outcome: string;
  /** Of a failed run: its failure domain and message. */
  failure?: { domain: string; message: string };
  temporalStatus: string;
  pipeline: string;
  started: string;
  closed?: string;
  /** From the `status` query; undefined when the run is closed or no worker answered. */
  currentStage?: string;
}

/**
 * Statuses a run only has while it executes: filtering on them also asks for a running execution. `finalizing`
 * is the FactoryStatus of a run whose freeze is running (issue 24 item 6: `factory runs` shows it, so it filters by it).
 */
const LIVE = new Set<string>([RunStatus.booting, RunStatus.executing, RunStatus.awaitingHuman, RunStatus.evaluating, 'finalizing']);
/** Every --status value: live ones, ended outcomes, and `completed` (the workflow completed, whatever its outcome). */
const STATUSES = new Set<string>([...LIVE, ...ENDED_OUTCOMES, RunStatus.completed]);
/** The execution status (visibility names) that each ended outcome can have; the outcome itself is checked per row. */
const EXECUTION_OF: Record<string, string[]> = {
  succeeded: ['Completed'], approved: ['Completed'], rejected: ['Completed'], completed: ['Completed'],
  failed: ['Failed', 'Completed'], cancelled: ['Canceled'], terminated: ['Terminated'], timed_out: ['TimedOut'],
};
const SAFE_VALUE = /^[A-Za-z0-9._@/-]+$/;
/** How long one run's `status` query may take before its stage shows as unknown. */
const STAGE_QUERY_MS = 2000;

/** The visibility query for the filters; refuses values that cannot be quoted safely. */
export function runsQuery(filters: { status?: string; pipeline?: string }): string {
  const parts = [`WorkflowType = "${WORKFLOW_TYPES.run}"`];
  if (filters.status !== undefined) {
    if (!STATUSES.has(filters.status)) throw new UsageError(`--status: unknown status "${filters.status.slice(0, 40)}"; one of: ${[...STATUSES].join(', ')}`);
    if (LIVE.has(filters.status)) parts.push(`${SEARCH_ATTRIBUTES.status} = "${filters.status}"`, `ExecutionStatus = "Running"`);
    else {
      const execution = EXECUTION_OF[filters.status] ?? [];
      parts.push(execution.length === 1 ? `ExecutionStatus = "${execution[0]}"` : `(${execution.map((e) => `ExecutionStatus = "${e}"`).join(' OR ')})`);
    }
  } else parts.push('ExecutionStatus != "ContinuedAsNew"');
  if (filters.pipeline !== undefined) {
    if (!SAFE_VALUE.test(filters.pipeline)) throw new UsageError('--pipeline: a pipeline id is letters, digits and . _ @ / - only');
    parts.push(`${SEARCH_ATTRIBUTES.pipeline} = "${filters.pipeline}"`);
  }
  return parts.join(' AND ');
}

/** A visibility row as a RunRow (FactoryStatus of a closed, non-completed execution is marked stale). */
export function rowOf(info: WorkflowExecutionInfo): RunRow {
  const sa = info.searchAttributes as Record<string, unknown[] | undefined>;
  const status = String(sa[SEARCH_ATTRIBUTES.status]?.[0] ?? '?');
  return {
    runId: info.workflowId,
    status,
    outcome: outcomeByStatus(info.status.name, status),
    temporalStatus: info.status.name,
    pipeline: String(sa[SEARCH_ATTRIBUTES.pipeline]?.[0] ?? '?'),
    started: info.startTime.toISOString(),
    ...(info.closeTime ? { closed: info.closeTime.toISOString() } : {}),
  };
}

/** Whether a row (outcome read) passes the --status filter the visibility query could only narrow. */
export function matchesStatus(row: RunRow, status: string | undefined): boolean {
  if (status === undefined || LIVE.has(status)) return true;
  if (status === RunStatus.completed) return row.temporalStatus === 'COMPLETED';
  return row.outcome === status;
}

/** The table `factory runs` prints: the outcome (coloured by `paint`, after padding); a closed execution whose FactoryStatus still says it is live shows both. */
export function formatRuns(rows: readonly RunRow[], paint: Palette = palette({ env: {} })): string[] {
  if (rows.length === 0) return ['no runs'];
  const status = (r: RunRow) => (r.temporalStatus !== 'RUNNING' && LIVE.has(r.status) ? `${r.outcome} (was ${r.status})` : r.outcome);
  const table = [['RUN', 'STATUS', 'PIPELINE', 'STARTED', 'STAGE'], ...rows.map((r) => [r.runId, status(r), r.pipeline, r.started.slice(0, 19).replace('T', ' '), r.currentStage ?? (r.temporalStatus === 'RUNNING' ? '?' : '-')])];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  return table.map((row, r) => {
    const cells = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)));
    const rowOfRun = rows[r - 1];
    if (rowOfRun) cells[1] = paintOutcome(paint, rowOfRun.outcome, cells[1] as string);
    return r === 0 ? paint.bold(cells.join('  ')) : cells.join('  ');
  });
}

/** Registers `runs`. */
export function registerRuns(program: Command, ctx: CliContext): void {
  program
    .command('runs')
    .description('list runs from the server (status, pipeline, started, current stage), newest first')
    .option('--status <status>', `only runs in this state or with this outcome (${[...STATUSES].join('|')})`)
    .option('--pipeline <id>', 'only runs of this pipeline id')
    .option('--limit <n>', 'at most this many runs', '50')
    .option('--no-stage', 'do not query running runs for their current stage')
    .option('--address <host:port>', 'Temporal frontend')
    .option('--namespace <ns>', 'Temporal namespace')
    .option('--json', 'print the runs as one JSON array')
    .action(async (opts: RunsOptions) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got "${opts.limit.slice(0, 20)}"`);
      const query = runsQuery(opts);
      const client = await connectClient(resolveTarget(ctx.io, opts));
      try {
        const rows: RunRow[] = [];
        for await (const info of client.workflow.list({ query })) {
          const row = await withOutcome(client, info);
          if (matchesStatus(row, opts.status)) rows.push(row);
          if (rows.length >= limit) break;
        }
        if (opts.stage) await Promise.all(rows.map((r) => addStage(client, r)));
        if (opts.json) ctx.io.out(JSON.stringify(rows, null, 2));
        else for (const line of formatRuns(rows, palette(ctx.io))) ctx.io.out(line);
      } finally {
        await client.connection.close();
      }
    });
}

/** The row with its outcome read from the closed execution's result or failure. */
async function withOutcome(client: Client, info: WorkflowExecutionInfo): Promise<RunRow> {
  const row = rowOf(info);
  if (row.temporalStatus !== 'COMPLETED' && row.temporalStatus !== 'FAILED') return row;
  const closed = await closedOutcome(client, info.workflowId, info.runId, row.temporalStatus, row.status);
  return { ...row, outcome: closed.outcome, ...(closed.failure ? { failure: { domain: closed.failure.domain, message: closed.failure.message } } : {}) };
}

/** The current stage of a running run, if a worker answers the `status` query within STAGE_QUERY_MS. */
async function addStage(client: Client, row: RunRow): Promise<void> {
  if (row.temporalStatus !== 'RUNNING') return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), STAGE_QUERY_MS)));
  const status = await Promise.race([client.workflow.getHandle(row.runId).query(statusQuery).catch(() => undefined), timeout]);
  clearTimeout(timer);
  if (status?.currentNode) row.currentStage = status.currentNode;
}
