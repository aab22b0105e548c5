// The legacy version: the workflow code of r4 (dd51da6), the last release before Worker Versioning, frozen
// as its generated bundle (workers/legacy/r4-dd51da6/, scripts/build-release-bundle.ts). Runs that r1–r4
// left open are unversioned; the first versioned worker on a task queue pins them to this version before it
// makes itself current, and this worker drains them on the code that wrote their histories (r4 replays
// r1–r3 histories too: its patch branches are still in the bundle). Delete it, and this file, once
// `temporal workflow list --query "TemporalWorkerDeploymentVersion='<queue>:legacy-r4-dd51da6' AND
// ExecutionStatus='Running'"` is empty on every task queue (docs/upgrading.md).

import { join } from 'node:path';
import type { WorkerDeploymentVersion } from '@temporalio/common';

/** The frozen r4 bundle (generated code, not source: it still holds r4's patch machinery). */
export const LEGACY_BUNDLE = join(__dirname, 'legacy', 'r4-dd51da6', 'workflows.js');

/** The build id the legacy runs are pinned to. */
export const LEGACY_BUILD_ID = 'legacy-r4-dd51da6';

/** The legacy version in a task queue's deployment. */
export function legacyVersion(deploymentName: string): WorkerDeploymentVersion {
  return { deploymentName, buildId: LEGACY_BUILD_ID };
}
