// The pipeline worker: runs the run workflow and the stage/boot activities on the pipeline task
// queue. Never polls the scenario queue (holdout isolation).

import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../activities';
import { HandlerRegistry, defaultHandlerRegistry } from '../activities/handlers';
import { TASK_QUEUES } from '../core/temporal-names';

export interface PipelineWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** Root holding specs/ and scenarios/ registries (default: current directory). */
  registryRoot?: string;
  /** Handlers by node type; custom types are registered here. */
  handlers?: HandlerRegistry;
  /** A prebuilt workflow bundle (tests and benchmarks bundle once). */
  workflowBundle?: WorkflowBundleWithSourceMap;
  maxConcurrentActivityTaskExecutions?: number;
}

/** The pipeline worker's workflow bundle entry: the run workflow, no scenario code. */
export const PIPELINE_WORKFLOWS = require.resolve('../workflows/bundle-pipeline');

/** Workflow interceptor modules bundled with it: stale operator commands are refused (issue 24). Prebuilt bundles must include them. */
export const PIPELINE_WORKFLOW_INTERCEPTORS: readonly string[] = [require.resolve('../core/command-expiry-interceptor')];

/**
 * Worker options chosen by measurement (bench/tuning.ts, BENCHMARKS.md "Worker tuning"): as many
 * non-sticky as sticky workflow-task pollers (20 concurrent chains 0.82x the default's time, a single
 * chain unchanged); eager activity dispatch and the workflow cache stay on (off: 1.9x and 1.2x slower).
 */
export const PIPELINE_WORKER_TUNING = { nonStickyToStickyPollRatio: 1 } as const;

/** Creates (does not run) a pipeline worker. */
export async function createPipelineWorker(opts: PipelineWorkerOptions): Promise<Worker> {
  const handlers = opts.handlers ?? defaultHandlerRegistry();
  const activities = createActivities({ handlers, registryRoot: opts.registryRoot ?? process.cwd() });
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue ?? TASK_QUEUES.pipeline,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: PIPELINE_WORKFLOWS, bundlerOptions: {}, interceptors: { workflowModules: [...PIPELINE_WORKFLOW_INTERCEPTORS] } }),
    activities,
    ...PIPELINE_WORKER_TUNING,
    ...(opts.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions } : {}),
  });
}
