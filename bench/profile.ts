// Where a run's time goes, for the Temporal benchmarks' notes: per-phase averages read from workflow
// histories, and the stage activity's own body (run-directory writes + handler) timed without Temporal.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { createDefaultHandlers } from '../activities/handlers';
import { flushRun } from '../activities/run-dir';
import { runStage } from '../activities/stage';
import type { StageInput } from '../activities/types';
import type { PipelineNode } from '../core/model';
import type { Checkpoint, RunEvent } from '../core/run-model';
import { NOOP_TYPE } from './temporal-env';

/** Per-execution averages from history event times (ms). */
export interface HistoryBreakdown {
  events: number;
  activities: number;
  workflowTasks: number;
  /** ActivityTaskStarted → ActivityTaskCompleted, mean. */
  activityRunMs: number;
  /** WorkflowTaskScheduled → WorkflowTaskStarted (waiting for a worker to pick it up), mean. */
  wftPickupMs: number;
  /** WorkflowTaskStarted → WorkflowTaskCompleted (the worker running workflow code), mean. */
  wftRunMs: number;
}

// temporal.api.enums.v1.EventType numbers
const WFT_SCHEDULED = 5;
const WFT_STARTED = 6;
const WFT_COMPLETED = 7;
const ACT_STARTED = 11;
const ACT_COMPLETED = 12;

/** Averages over the histories of `handles` (fetched after timing, so fetching costs no sample anything). */
export async function historyBreakdown(handles: readonly WorkflowHandle[]): Promise<HistoryBreakdown> {
  const sum = { events: 0, activities: 0, workflowTasks: 0, act: 0, pickup: 0, run: 0 };
  for (const h of handles) {
    const events = (await h.fetchHistory()).events ?? [];
    const time = (i: number) => {
      const t = events[i]?.eventTime;
      return Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
    };
    const type = (i: number) => Number(events[i]?.eventType);
    sum.events += events.length;
    for (let i = 1; i < events.length; i++) {
      const [prev, cur] = [type(i - 1), type(i)];
      if (cur === ACT_COMPLETED && prev === ACT_STARTED) {
        sum.activities++;
        sum.act += time(i) - time(i - 1);
      }
      if (cur === WFT_STARTED && prev === WFT_SCHEDULED) sum.pickup += time(i) - time(i - 1);
      if (cur === WFT_COMPLETED && prev === WFT_STARTED) {
        sum.workflowTasks++;
        sum.run += time(i) - time(i - 1);
      }
    }
  }
  const n = Math.max(1, handles.length);
  return {
    events: sum.events / n,
    activities: sum.activities / n,
    workflowTasks: sum.workflowTasks / n,
    activityRunMs: sum.act / Math.max(1, sum.activities),
    wftPickupMs: sum.pickup / Math.max(1, sum.workflowTasks),
    wftRunMs: sum.run / Math.max(1, sum.workflowTasks),
  };
}

/** One line for the notes. */
export function formatBreakdown(name: string, b: HistoryBreakdown): string {
  return (
    `${name}: ${b.events.toFixed(0)} history events, ${b.activities.toFixed(0)} activities, ${b.workflowTasks.toFixed(0)} workflow tasks; ` +
    `mean activity run ${b.activityRunMs.toFixed(1)} ms, workflow task pickup ${b.wftPickupMs.toFixed(1)} ms, workflow task run ${b.wftRunMs.toFixed(1)} ms`
  );
}

/** The stage activity's body without Temporal: mean ms of flushRun alone and of a whole no-op runStage. */
export async function stageBodyProfile(runs = 50): Promise<{ flushMs: number; stageMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'factory-bench-io-'));
  try {
    const handlers = createDefaultHandlers().register(NOOP_TYPE, { execute: async () => ({ status: 'success' }) });
    let seq = 0;
    const ev = (type: string): RunEvent => ({ seq: ++seq, type: type as RunEvent['type'], runId: 'bench', at: new Date().toISOString(), data: { node: `s${seq}` } });
    const checkpoint = (i: number): Checkpoint => ({
      timestamp: new Date().toISOString(),
      current_node: `s${i}`,
      completed_nodes: Array.from({ length: i }, (_, k) => `s${k}`),
      node_retries: {},
      node_outcomes: Object.fromEntries(Array.from({ length: i }, (_, k) => [`s${k}`, 'success'])) as Checkpoint['node_outcomes'],
      context: { 'graph.goal': 'bench', outcome: 'success' },
      logs: [],
    });
    const batch = (i: number) => ({ runDir: dir, events: [ev('stage.completed'), ev('stage.started')], checkpoint: checkpoint(i) });
    let t0 = performance.now();
    for (let i = 0; i < runs; i++) await flushRun(batch(i));
    const flushMs = (performance.now() - t0) / runs;
    const signal = new AbortController().signal;
    t0 = performance.now();
    for (let i = 0; i < runs; i++) {
      const input: StageInput = {
        runId: 'bench', runDir: dir, workdir: dir, goal: 'bench', pipelineId: 'bench', context: {}, provider: { kind: 'twin' } as StageInput['provider'],
        node: { id: `s${i}`, type: NOOP_TYPE, attrs: {} } as unknown as PipelineNode,
        maxAttempts: 1, stageTimeoutMs: 60_000, pendingWrites: batch(i),
      };
      await runStage(input, { attempt: 1, heartbeat: () => undefined, signal }, { handlers, env: process.env });
    }
    return { flushMs, stageMs: (performance.now() - t0) / runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
