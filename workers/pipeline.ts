// The pipeline worker: runs the run workflow and the stage/boot activities on the pipeline task
// queue, as a Worker Deployment Version (workers/deployment.ts) whose runs are pinned to it. Never
// polls the scenario queue (holdout isolation).

import type { WorkerDeploymentVersion } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../activities';
import { HandlerRegistry, defaultHandlerRegistry } from '../activities/handlers';
import { TASK_QUEUES } from '../core/temporal-names';
import { activateVersion, buildIdOf, deploymentNameOf, hasCurrentVersion, openRuns, pinRuns } from './deployment';
import { LEGACY_BUILD_ID, LEGACY_BUNDLE, legacyVersion } from './legacy';

export interface PipelineWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** Root holding specs/ and scenarios/ registries (default: current directory). */
  registryRoot?: string;
  /** Handlers by node type; custom types are registered here. */
  handlers?: HandlerRegistry;
  /** A prebuilt workflow bundle (tests and benchmarks bundle once). */
  workflowBundle?: WorkflowBundleWithSourceMap | { codePath: string };
  /** The version's build id (default FACTORY_BUILD_ID, else the digest of the workflow bundle). */
  buildId?: string;
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

/** The pipeline worker of this release and, while runs of an unversioned release are open, the legacy one draining them. */
export class PipelineWorker {
  private running?: Promise<void>;
  private readyPromise?: Promise<void>;

  constructor(
    readonly version: WorkerDeploymentVersion,
    private readonly namespace: string,
    private readonly connection: NativeConnection,
    private readonly worker: Worker,
    /** The legacy worker and the unversioned runs it takes over (pinned by run()). */
    private readonly legacy?: { worker: Worker; pin: { workflowId: string; runId: string }[] },
  ) {}

  /**
   * Polls until shutdown(). Once polling: pins the unversioned runs to the legacy version (before any
   * current version exists: their next task would otherwise go to this code), then makes this version current.
   */
  run(): Promise<void> {
    if (this.running) return this.running;
    const workers = [this.worker.run(), ...(this.legacy ? [this.legacy.worker.run()] : [])];
    this.readyPromise = this.activate();
    const failed = this.readyPromise.catch((err: unknown) => {
      this.shutdown();
      throw err;
    });
    this.running = Promise.all([...workers, failed]).then(() => undefined);
    return this.running;
  }

  /** Resolves once this version is current (or an older one restarted: see activateVersion); rejects if that failed. */
  ready(): Promise<void> {
    if (!this.readyPromise) throw new Error('PipelineWorker.ready() before run()');
    return this.readyPromise;
  }

  shutdown(): void {
    for (const w of [this.worker, this.legacy?.worker]) if (w && w.getState() === 'RUNNING') w.shutdown();
  }

  /** Whether a legacy worker drains runs of the last unversioned release. */
  get drainingLegacy(): boolean {
    return this.legacy !== undefined;
  }

  private async activate(): Promise<void> {
    if (this.legacy?.pin.length) await pinRuns(this.connection, this.namespace, this.legacy.pin, legacyVersion(this.version.deploymentName));
    await activateVersion(this.connection, this.namespace, this.version, [LEGACY_BUILD_ID]);
  }
}

/** Creates (does not run) a pipeline worker; run() polls and makes its version current. */
export async function createPipelineWorker(opts: PipelineWorkerOptions): Promise<PipelineWorker> {
  const handlers = opts.handlers ?? defaultHandlerRegistry();
  const activities = createActivities({ handlers, registryRoot: opts.registryRoot ?? process.cwd() });
  const namespace = opts.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.pipeline;
  const workflowBundle = opts.workflowBundle ?? (await bundleWorkflowCode({ workflowsPath: PIPELINE_WORKFLOWS, workflowInterceptorModules: [...PIPELINE_WORKFLOW_INTERCEPTORS] }));
  const buildId = opts.buildId ?? process.env.FACTORY_BUILD_ID ?? ('code' in workflowBundle ? buildIdOf(workflowBundle.code) : undefined);
  if (!buildId) throw new Error('createPipelineWorker: a bundle given by codePath needs a buildId');
  const version = { deploymentName: deploymentNameOf(taskQueue), buildId };
  const base = {
    connection: opts.connection,
    namespace,
    taskQueue,
    activities,
    ...(opts.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions } : {}),
  };
  const worker = await Worker.create({
    ...base,
    workflowBundle,
    workerDeploymentOptions: { useWorkerVersioning: true, version, defaultVersioningBehavior: 'PINNED' },
    ...PIPELINE_WORKER_TUNING,
  });
  // Runs left open by an unversioned release (no pin): pinned to the legacy version on the first
  // versioned start only; afterwards every run is pinned at its start. Runs already pinned there keep it polled.
  const open = await openRuns(opts.connection, namespace, taskQueue);
  const first = !(await hasCurrentVersion(opts.connection, namespace, version.deploymentName));
  const pin = first ? open.filter((r) => r.pinnedTo === undefined) : [];
  if (pin.length === 0 && !open.some((r) => r.pinnedTo === LEGACY_BUILD_ID)) return new PipelineWorker(version, namespace, opts.connection, worker);
  const legacy = await Worker.create({
    ...base,
    workflowBundle: { codePath: LEGACY_BUNDLE },
    workerDeploymentOptions: { useWorkerVersioning: true, version: legacyVersion(version.deploymentName), defaultVersioningBehavior: 'PINNED' },
  });
  return new PipelineWorker(version, namespace, opts.connection, worker, { worker: legacy, pin });
}
