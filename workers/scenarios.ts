// The scenario worker: runs evaluateSuite and the scenario activities on the isolated scenario task
// queue. It is the only process that reads scenario bodies (from its own scenarios root) and it never
// polls the pipeline queue (holdout isolation, SPEC §5).

import { resolve } from 'node:path';
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createScenarioActivities } from '../activities/scenarios';
import { TASK_QUEUES } from '../core/temporal-names';
import type { SandboxPolicy } from '../activities/sandbox/policy';

export interface ScenarioWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  /** Default TASK_QUEUES.scenarios; must differ from the pipeline queue. */
  taskQueue?: string;
  /** The scenario registry folder (holding registry.lock.json), or a project root whose scenarios/ holds it. */
  scenariosRoot: string;
  /** A prebuilt workflow bundle (tests and benchmarks bundle once). */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Environment scenario commands inherit (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The sandbox candidate code runs in (default bubblewrap, network off; `factory scenario-worker --no-sandbox` sets mode none). */
  sandbox?: SandboxPolicy;
  /** This worker's own directory for candidates fetched from their git remote (default <tmpdir>/factory-candidates). */
  scratchRoot?: string;
  /** Scenario activities this worker runs at once (Temporal default otherwise). */
  maxConcurrentActivityTaskExecutions?: number;
}

/** The scenario worker's workflow bundle entry: evaluateSuite only, never the run workflow. */
export const SCENARIO_WORKFLOWS = require.resolve('../workflows/bundle-scenarios');

/** Creates (does not run) a scenario worker; refuses the pipeline queue. */
export async function createScenarioWorker(opts: ScenarioWorkerOptions): Promise<Worker> {
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.scenarios;
  if (taskQueue === TASK_QUEUES.pipeline) {
    throw new Error(`a scenario worker must not poll the pipeline task queue "${taskQueue}"; use ${TASK_QUEUES.scenarios} or the profile's scenario_task_queue`);
  }
  const activities = createScenarioActivities({
    scenariosRoot: resolve(opts.scenariosRoot),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
    ...(opts.scratchRoot ? { scratchRoot: resolve(opts.scratchRoot) } : {}),
  });
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: SCENARIO_WORKFLOWS, bundlerOptions: {} }),
    activities,
    ...(opts.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions } : {}),
  });
}
