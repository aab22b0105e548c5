// How a run ended, from what the server knows without a worker: the execution status, the workflow's
// result (RunResult.outcome) or failure, and FactoryStatus while it runs. Used by `runs`, `status`
// and every command that takes "a run id or a run directory".
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { RunStatus, type RunEnvelope, type RunFailure } from '../core/run-model';
import { SEARCH_ATTRIBUTES } from '../core/temporal-names';
import type { RunResult } from '../workflows/types';

/** Outcomes of an ended run, as `runs` shows and filters them. */
export const ENDED_OUTCOMES = ['succeeded', 'approved', 'rejected', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;

/** The run's outcome by the execution status alone (a completed run needs its result: see closedOutcome). */
export function outcomeByStatus(temporalStatus: string, factoryStatus: string): string {
  switch (temporalStatus) {
    case 'RUNNING':
      return factoryStatus;
    case 'FAILED':
      return 'failed';
    case 'CANCELLED':
      return 'cancelled';
    case 'TERMINATED':
      return 'terminated';
    case 'TIMED_OUT':
      return 'timed_out';
    case 'CONTINUED_AS_NEW':
      return 'continued_as_new';
    default:
      // the workflow publishes its outcome as FactoryStatus at the end (older runs say "completed")
      return (ENDED_OUTCOMES as readonly string[]).includes(factoryStatus) ? factoryStatus : 'completed';
  }
}

/** What the server recorded at the end of one closed execution. */
export interface ClosedRun {
  outcome: string;
  result?: RunResult;
  failure?: RunFailure;
}

/** Reads the closed execution's result or failure (one history read; no worker involved). */
export async function closedOutcome(client: Client, workflowId: string, runId: string | undefined, temporalStatus: string, factoryStatus = '?'): Promise<ClosedRun> {
  const byStatus = outcomeByStatus(temporalStatus, factoryStatus);
  if (temporalStatus !== 'COMPLETED' && temporalStatus !== 'FAILED') return { outcome: byStatus };
  // the SDK and the failure codec are loaded here, not at import: the HTTP `status` path shares this module
  const { WorkflowFailedError } = require('@temporalio/client') as typeof import('@temporalio/client');
  const { failureOf } = require('./outcome') as typeof import('./outcome');
  try {
    const result = (await client.workflow.getHandle(workflowId, runId, { followRuns: false }).result()) as RunResult;
    return { outcome: result.outcome ?? byStatus, result };
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { outcome: 'failed', failure: failureOf(err) };
    return { outcome: byStatus };
  }
}

/** `arg` as a run directory: itself when it holds run.json, else ./runs/<arg>; undefined when neither. */
export function localRunDir(cwd: string, arg: string): string | undefined {
  for (const dir of [resolve(cwd, arg), resolve(cwd, 'runs', arg)]) {
    if (existsSync(join(dir, 'run.json')) && statSync(dir).isDirectory()) return dir;
  }
  return undefined;
}

/** A closed run's directory as its result names it (completed runs), when it exists on this machine. */
export async function serverRunDir(client: Client, workflowId: string): Promise<string | undefined> {
  const desc = await client.workflow.getHandle(workflowId).describe();
  if (desc.status.name !== 'COMPLETED') return undefined;
  const closed = await closedOutcome(client, workflowId, desc.runId, desc.status.name);
  const dir = closed.result?.runDir;
  return dir && existsSync(join(dir, 'run.json')) ? dir : undefined;
}

/** An ended run as `status` shows it: its finalized run.json when this machine has it, else what the server holds; the outcome from the result or failure. */
export async function endedEnvelope(client: Client, workflowId: string, cwd: string): Promise<(RunEnvelope & { temporalStatus: string }) | undefined> {
  const desc = await client.workflow.getHandle(workflowId).describe();
  if (desc.status.name === 'RUNNING') return undefined;
  const sa = desc.searchAttributes as Record<string, unknown[] | undefined>;
  const factoryStatus = String(sa[SEARCH_ATTRIBUTES.status]?.[0] ?? '?');
  const closed = await closedOutcome(client, workflowId, desc.runId, desc.status.name, factoryStatus);
  return envelopeOfClosed(workflowId, cwd, desc.status.name, sa, closed);
}

/** The envelope `status` shows for a closed execution (shared by the gRPC and the HTTP reads): run.json here when found, the outcome and failure from what the server recorded. */
export function envelopeOfClosed(workflowId: string, cwd: string, temporalStatus: string, sa: Record<string, unknown[] | undefined>, closed: ClosedRun): RunEnvelope & { temporalStatus: string } {
  const factoryStatus = String(sa[SEARCH_ATTRIBUTES.status]?.[0] ?? '?');
  const dir = [closed.result?.runDir, localRunDir(cwd, workflowId)].find((d) => d !== undefined && existsSync(join(d, 'run.json')));
  const recorded = dir ? (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunEnvelope) : undefined;
  const base: RunEnvelope = recorded ?? ({ runId: workflowId, status: factoryStatus, pipeline: { id: String(sa[SEARCH_ATTRIBUTES.pipeline]?.[0] ?? '?'), version: '?' }, openGates: [], stages: {} } as unknown as RunEnvelope);
  const outcome = ['succeeded', 'approved', 'rejected', 'failed'].includes(closed.outcome) ? { outcome: closed.outcome as RunEnvelope['outcome'] } : {};
  const failure = closed.failure && !base.failure ? { failure: closed.failure } : {};
  const status = temporalStatus === 'COMPLETED' || temporalStatus === 'FAILED' ? { status: RunStatus.completed } : {};
  return { ...base, ...status, ...outcome, ...failure, ...(dir && !base.runDir ? { runDir: dir } : {}), temporalStatus };
}
