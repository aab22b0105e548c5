// A scenario worker for a test file (own task queue, own scenarios root) on the shared dev server,
// plus helpers to start evaluations and read their history as text.
import { ApplicationFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { NativeConnection, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { EvaluateInput, EvaluationSummary } from '../../core/evaluation';
import type { DomainFailureDetails } from '../../core/failures';
import type { evaluateSuite } from '../../workflows/evaluate';
import { createScenarioWorker, SCENARIO_WORKFLOWS } from '../../workers/scenarios';
import { testTemporalEnv, uniqueId, useFileWorker } from '../helpers/temporal';
import { ScenarioRoot } from './helpers';

/** How an evaluation ended. */
export type EvalOutcome =
  | { ok: true; summary: EvaluationSummary; workflowId: string }
  | { ok: false; failure: ApplicationFailure; details: DomainFailureDetails; workflowId: string };

/** What useScenarioEnv gives a test file. */
export interface ScenarioEnv {
  readonly client: Client;
  readonly native: NativeConnection;
  readonly bundle: WorkflowBundleWithSourceMap;
  readonly taskQueue: string;
  readonly root: ScenarioRoot;
  /** Starts evaluateSuite on the file's scenario queue (or `taskQueue`). */
  start(input: Omit<EvaluateInput, 'runId' | 'provider'> & Partial<EvaluateInput>, taskQueue?: string): Promise<WorkflowHandle<typeof evaluateSuite>>;
  /** Waits for an evaluation without throwing. */
  settle(handle: WorkflowHandle<typeof evaluateSuite>): Promise<EvalOutcome>;
}

/** One scenario worker (createScenarioWorker) running for the whole test file. */
export function useScenarioEnv(): ScenarioEnv {
  const taskQueue = uniqueId('scenarios');
  const root = new ScenarioRoot();
  const file = useFileWorker('useScenarioEnv', SCENARIO_WORKFLOWS, (native, bundle) =>
    createScenarioWorker({ connection: native, namespace: testTemporalEnv().namespace, taskQueue, scenariosRoot: root.dir, workflowBundle: bundle }),
  );

  return {
    get client() {
      return file.client;
    },
    get native() {
      return file.native;
    },
    get bundle() {
      return file.bundle;
    },
    taskQueue,
    root,
    start(input, tq = taskQueue) {
      const runId = input.runId ?? uniqueId('eval');
      const args: EvaluateInput = { provider: { kind: 'twin' }, ...input, runId };
      return file.client.workflow.start('evaluateSuite', { taskQueue: tq, workflowId: runId, args: [args] }) as Promise<WorkflowHandle<typeof evaluateSuite>>;
    },
    settle: settleEvaluation,
  };
}

/** The evaluation's summary, or its failure and EVAL_FAILURE details. */
export async function settleEvaluation(handle: WorkflowHandle<typeof evaluateSuite>): Promise<EvalOutcome> {
  try {
    return { ok: true, summary: await handle.result(), workflowId: handle.workflowId };
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
      return { ok: false, failure: err.cause, details: err.cause.details?.[0] as DomainFailureDetails, workflowId: handle.workflowId };
    }
    throw err;
  }
}

/** A workflow's full history as JSON text with every payload's bytes decoded (so a canary in any payload shows). */
export async function historyText(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // The proto's toJSON writes bytes as base64: decode payload data and metadata values.
  return JSON.stringify(history, (key, value: unknown) => {
    if (typeof value === 'string' && (key === 'data' || key === 'encoding')) return Buffer.from(value, 'base64').toString('utf8');
    return value;
  });
}

/** Attempts of every ActivityTaskStarted event in a history, in order. */
export async function activityAttempts(client: Client, workflowId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 0] : []));
}
