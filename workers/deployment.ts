// Worker Deployment Versioning for the pipeline task queue (docs/upgrading.md). Every pipeline worker
// polls as a version of the deployment named after its task queue; runs are PINNED to the version they
// started on, so a worker never replays a history written by other workflow code. These helpers name
// the version, make a newly started version current, and pin runs an unversioned release left open
// to the legacy version that drains them (workers/legacy.ts).

import { createHash } from 'node:crypto';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';

/** The deployment of a pipeline task queue: one per queue, so queues (and tests) never move each other's current version. */
export function deploymentNameOf(taskQueue: string): string {
  return taskQueue;
}

/**
 * The build id of a workflow bundle: a digest of its code (source map left out), so the same workflow
 * code is one version on every host and any change to it is a new one. FACTORY_BUILD_ID overrides it.
 */
export function buildIdOf(bundleCode: string): string {
  const code = bundleCode.replace(/\/\/# sourceMappingURL=[^\n]*\n?$/, '');
  return `wf-${createHash('sha256').update(code).digest('hex').slice(0, 16)}`;
}

type Service = NativeConnection['workflowService'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` until it succeeds or `timeoutMs` passes (a version exists only once its pollers reached the server). */
async function retrying<T>(what: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      await sleep(250);
    }
  }
}

/** The deployment's current version, whether `version` is the newest one that ever polled it (`ignore`: the legacy one), and whether a routing change is still reaching the task queues. */
async function routing(svc: Service, namespace: string, version: WorkerDeploymentVersion, ignore: readonly string[]): Promise<{ current?: string; newest: boolean; propagating: boolean }> {
  const { workerDeploymentInfo: info } = await svc.describeWorkerDeployment({ namespace, deploymentName: version.deploymentName });
  const summaries = (info?.versionSummaries ?? []).filter((s) => !ignore.includes(s.deploymentVersion?.buildId ?? ''));
  const mine = summaries.find((s) => s.deploymentVersion?.buildId === version.buildId);
  if (!mine) throw new Error(`version ${version.buildId} has not polled deployment ${version.deploymentName} yet`);
  const created = (s: (typeof summaries)[number]) => Number(s.createTime?.seconds ?? 0) * 1e9 + (s.createTime?.nanos ?? 0);
  const current = info?.routingConfig?.currentDeploymentVersion?.buildId ?? undefined;
  const propagating = info?.routingConfigUpdateState === temporal.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS;
  return { ...(current ? { current } : {}), newest: summaries.every((s) => s === mine || created(s) <= created(mine)), propagating };
}

/**
 * Makes `version` the deployment's current version once its workers poll, so new runs start on it. Only
 * the newest version to register takes over (versions in `ignore` do not count): an older release's worker
 * restarting never takes current back (roll back with `temporal worker deployment set-current-version`).
 * Returns whether it is current, once the change reached the task queues (runs waiting on the old
 * version see `targetWorkerDeploymentVersionChanged` from then on).
 */
export async function activateVersion(connection: NativeConnection, namespace: string, version: WorkerDeploymentVersion, ignore: readonly string[] = [], timeoutMs = 60_000): Promise<boolean> {
  const svc = connection.workflowService;
  return retrying(`making ${version.deploymentName}/${version.buildId} the current version`, timeoutMs, async () => {
    const r = await routing(svc, namespace, version, ignore);
    if (r.current === version.buildId) {
      if (r.propagating) throw new Error('the routing change is still reaching the task queues');
      return true;
    }
    if (r.current !== undefined && !r.newest) return false;
    await svc.setWorkerDeploymentCurrentVersion({ namespace, deploymentName: version.deploymentName, buildId: version.buildId, identity: 'factory worker' });
    throw new Error('set current; waiting for the routing change to reach the task queues');
  });
}

/** Whether the deployment has a current version (false: first versioned start on this task queue). */
export async function hasCurrentVersion(connection: NativeConnection, namespace: string, deploymentName: string): Promise<boolean> {
  try {
    const { workerDeploymentInfo: info } = await connection.workflowService.describeWorkerDeployment({ namespace, deploymentName });
    return Boolean(info?.routingConfig?.currentDeploymentVersion?.buildId);
  } catch {
    return false; // no deployment yet: nothing has polled it
  }
}

/** An open run on the task queue and the version it is pinned to (undefined: started by an unversioned release). */
export interface OpenRun {
  workflowId: string;
  runId: string;
  pinnedTo?: string;
}

/** The open runs on `taskQueue` with the build id each is pinned to (by its worker or by an override). */
export async function openRuns(connection: NativeConnection, namespace: string, taskQueue: string): Promise<OpenRun[]> {
  const svc = connection.workflowService;
  const runs: OpenRun[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await svc.listWorkflowExecutions({ namespace, pageSize: 500, query: `TaskQueue = '${taskQueue.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Running'`, ...(nextPageToken ? { nextPageToken } : {}) });
    for (const e of page.executions ?? []) {
      const { workflowId, runId } = e.execution ?? {};
      if (!workflowId || !runId) continue;
      const d = await svc.describeWorkflowExecution({ namespace, execution: { workflowId, runId } });
      const v = d.workflowExecutionInfo?.versioningInfo;
      const pinnedTo = v?.versioningOverride?.pinned?.version?.buildId || (v?.behavior === temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED ? v.deploymentVersion?.buildId : undefined);
      runs.push({ workflowId, runId, ...(pinnedTo ? { pinnedTo } : {}) });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return runs;
}

/**
 * Pins each run to `version` (`temporal workflow update-options --versioning-override-behavior pinned`):
 * its next workflow task goes to that version's workers, and its continue-as-new runs inherit the pin.
 */
export async function pinRuns(connection: NativeConnection, namespace: string, runs: readonly OpenRun[], version: WorkerDeploymentVersion, timeoutMs = 60_000): Promise<void> {
  const svc = connection.workflowService;
  for (const run of runs) {
    await retrying(`pinning run ${run.workflowId} to ${version.buildId}`, timeoutMs, () =>
      svc.updateWorkflowExecutionOptions({
        namespace,
        workflowExecution: { workflowId: run.workflowId, runId: run.runId },
        workflowExecutionOptions: {
          versioningOverride: { pinned: { behavior: temporal.api.workflow.v1.VersioningOverride.PinnedOverrideBehavior.PINNED_OVERRIDE_BEHAVIOR_PINNED, version } },
        },
        updateMask: { paths: ['versioning_override'] },
      }),
    );
  }
}
