// Bare-Temporal floors for the run benchmarks: the least a workflow can do for the same shape of work.
// Deterministic workflow code (bundled with the run workflow by bench/bare/all-workflows.ts).

import { condition, defineQuery, defineSignal, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type * as activities from './activities';

const { benchNoop } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** Runs `n` no-op activities one after another; returns the workflow time (ms) after the last one. */
export async function bareSequence(n: number): Promise<{ doneAt: number }> {
  for (let i = 0; i < n; i++) await benchNoop(i);
  return { doneAt: Date.now() };
}

/** The floor of a human gate: one per round, wait for `go`, then run a no-op activity. */
export const goSignal = defineSignal<[]>('go');
/** How many `go` signals the bare gate workflow has consumed, and the workflow time (ms) of each. */
export const roundsQuery = defineQuery<{ waitingFor: number; handledAt: number[] }>('rounds');

/**
 * `n` rounds of: wait for `go` → record the workflow time → no-op activity (the "next stage"). `lookupFirst`:
 * one no-op activity between the signal and the recorded time, the floor of a gate that reads its answer's
 * client identity before the run goes on (issue 20).
 */
export async function bareSignals(n: number, lookupFirst = false): Promise<{ handledAt: number[] }> {
  let received = 0;
  let waitingFor = 0;
  const handledAt: number[] = [];
  setHandler(goSignal, () => void received++);
  setHandler(roundsQuery, () => ({ waitingFor, handledAt }));
  for (let i = 0; i < n; i++) {
    waitingFor = i;
    await condition(() => received > i);
    if (lookupFirst) await benchNoop(-1);
    handledAt.push(Date.now());
    await benchNoop(i);
  }
  waitingFor = n;
  return { handledAt };
}

const { benchNoop: benchNoopLocal, benchNoopAt: benchNoopAtLocal } = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** Runs `n` no-op local activities one after another: the floor of a chain of short stages. */
export async function bareLocalSequence(n: number): Promise<{ doneAt: number; workflowDoneAt: number }> {
  for (let i = 0; i < n - 1; i++) await benchNoopLocal(i);
  const doneAt = n > 0 ? await benchNoopAtLocal(n - 1) : Date.now();
  return { doneAt, workflowDoneAt: Date.now() };
}
