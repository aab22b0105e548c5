// What the upgrade tests share (docs/upgrading.md): a client and native connection to the test server,
// the current workflow bundle, the committed release bundles (r1–r3 here, r4 as the legacy worker's
// bundle in workers/legacy/), and an unversioned worker on any of them (how r1–r4 ran).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LEGACY_BUNDLE } from '../../workers/legacy';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { bundleTestWorkflows, connectTestClient, connectTestNativeConnection, testTemporalEnv } from '../helpers/temporal';

/** The previous releases' workflow bundles (test/fixtures/bundles/<release>/, scripts/build-release-bundle.ts). */
export const BUNDLES = join(__dirname, '..', 'fixtures', 'bundles');
/** r4, the last unversioned release: the bundle the legacy worker drains r1–r4 runs on (workers/legacy.ts). */
export const R4 = 'r4-dd51da6';
const LEGACY_DIR = dirname(LEGACY_BUNDLE);
/** Every unversioned release, oldest first. */
export const RELEASES = [...readdirSync(BUNDLES).sort(), R4];

/** The directory holding a release's bundle and VERSION.json. */
export function releaseDir(release: string): string {
  return release === R4 ? LEGACY_DIR : join(BUNDLES, release);
}

/** A workflow bundle a worker can run: a release's committed file or the current code. */
export type AnyBundle = { codePath: string } | WorkflowBundleWithSourceMap;

/** A release's committed bundle. */
export function releaseBundle(release: string): AnyBundle {
  return { codePath: join(releaseDir(release), 'workflows.js') };
}

export interface UpgradeEnv {
  readonly client: Client;
  readonly native: NativeConnection;
  /** The current code's bundle. */
  readonly current: WorkflowBundleWithSourceMap;
  /** A worker on `bundle`; its sticky queue is abandoned quickly, so a replacing worker gets the next task. */
  worker(bundle: AnyBundle, taskQueue: string, activities: object): Promise<Worker>;
}

/** Connects once per test file and bundles the current code; closes after the file. */
export function useUpgradeEnv(): UpgradeEnv {
  let client: Client;
  let native: NativeConnection;
  let current: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    [client, native, current] = await Promise.all([connectTestClient(), connectTestNativeConnection(), bundleTestWorkflows(require.resolve('../../workflows/bundle-pipeline'))]);
  }, 120_000);
  afterAll(async () => {
    await native?.close();
    await client?.connection.close();
  });
  return {
    get client() {
      return client;
    },
    get native() {
      return native;
    },
    get current() {
      return current;
    },
    worker: (bundle, taskQueue, activities) =>
      Worker.create({ connection: native, namespace: testTemporalEnv().namespace, taskQueue, workflowBundle: bundle, activities, stickyQueueScheduleToStartTimeout: '1s' }),
  };
}
