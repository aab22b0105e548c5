// Helpers for tests that run workflows on the real dev server started by test/global-setup.ts.
// Typical use in a test file:
//   const t = useTemporalTestEnv({ workflowsPath: PIPELINE_WORKFLOWS, activities });
//   it('does X when Y', () => t.withWorker(async ({ client, taskQueue }) => { ... }));
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { TEST_ENV } from './test-env';
import { PIPELINE_WORKFLOW_INTERCEPTORS } from '../../workers/pipeline';

export { TEST_ENV } from './test-env';

/** Where the shared test server is; read from FACTORY_TEST_TEMPORAL_* set by global-setup. */
export interface TestTemporalEnv {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
}

/** The shared dev server of this jest run; throws if global-setup did not run. */
export function testTemporalEnv(): TestTemporalEnv {
  const address = process.env[TEST_ENV.address];
  if (!address) {
    throw new Error(`${TEST_ENV.address} is not set: run tests through jest (test/global-setup.ts starts the server)`);
  }
  return { address, namespace: process.env[TEST_ENV.namespace] || 'default', uiUrl: process.env[TEST_ENV.ui] || undefined };
}

let runtimeChecked = false;
/** Quiet the SDK's INFO logs (FACTORY_TEST_LOG_LEVEL overrides); must run before the first Worker/NativeConnection. */
export function installTestRuntime(): void {
  if (runtimeChecked) return;
  runtimeChecked = true;
  const level = (process.env.FACTORY_TEST_LOG_LEVEL ?? 'WARN') as LogLevel;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // already installed or instantiated in this process: keep it
  }
}

/** Short unique id for workflow ids, task queues and search-attribute values. */
export function uniqueId(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

/** A fresh task queue, so concurrent tests and test files never steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'tq'): string {
  return uniqueId(prefix);
}

/** A Client on the shared server; close with `client.connection.close()`. */
export async function connectTestClient(env: TestTemporalEnv = testTemporalEnv()): Promise<Client> {
  const connection = await Connection.connect({ address: env.address });
  return new Client({ connection, namespace: env.namespace });
}

/** A NativeConnection (for Workers) on the shared server; close with `.close()`. */
export async function connectTestNativeConnection(env: TestTemporalEnv = testTemporalEnv()): Promise<NativeConnection> {
  installTestRuntime();
  return NativeConnection.connect({ address: env.address });
}

/** Bundle workflow code once (webpack, a few seconds): call in beforeAll, reuse for every Worker. The pipeline's interceptors come along, as in production. */
export async function bundleTestWorkflows(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  installTestRuntime();
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [...PIPELINE_WORKFLOW_INTERCEPTORS], logger: new DefaultLogger('WARN') });
}

/** Options of createTestWorker. */
export interface TestWorkerOptions {
  connection: NativeConnection;
  workflowBundle: WorkflowBundleWithSourceMap;
  activities?: object;
  taskQueue?: string;
  namespace?: string;
}

/** A Worker on a unique task queue (per test); run it with `worker.runUntil(promise)`. */
export async function createTestWorker(opts: TestWorkerOptions): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = opts.taskQueue ?? uniqueTaskQueue();
  const worker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? testTemporalEnv().namespace,
    taskQueue,
    workflowBundle: opts.workflowBundle,
    activities: opts.activities ?? {},
  });
  return { worker, taskQueue };
}

/** What withWorker hands to the test body. */
export interface WorkerScope {
  client: Client;
  worker: Worker;
  taskQueue: string;
  /** A unique workflow id with an optional prefix. */
  workflowId(prefix?: string): string;
}

/** Per-file context from useTemporalTestEnv; fields are usable once beforeAll ran. */
export interface TemporalTestContext {
  readonly env: TestTemporalEnv;
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
  readonly workflowBundle: WorkflowBundleWithSourceMap;
  /** Run `body` while a fresh Worker (unique task queue) polls; the worker stops when body settles. */
  withWorker<T>(body: (scope: WorkerScope) => Promise<T>, opts?: { activities?: object; taskQueue?: string }): Promise<T>;
}

/** Registers beforeAll/afterAll: connects a Client and a NativeConnection and bundles `workflowsPath` once. */
export function useTemporalTestEnv(opts: { workflowsPath: string; activities?: object }): TemporalTestContext {
  let client: Client | undefined;
  let native: NativeConnection | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: use it inside a test, after beforeAll`);
    return value;
  };

  beforeAll(async () => {
    [client, native, bundle] = await Promise.all([
      connectTestClient(),
      connectTestNativeConnection(),
      bundleTestWorkflows(opts.workflowsPath),
    ]);
  }, 120_000);

  afterAll(async () => {
    await native?.close();
    await client?.connection.close();
  });

  const ctx: TemporalTestContext = {
    get env() {
      return testTemporalEnv();
    },
    get client() {
      return need(client, 'client');
    },
    get nativeConnection() {
      return need(native, 'nativeConnection');
    },
    get workflowBundle() {
      return need(bundle, 'workflowBundle');
    },
    async withWorker(body, workerOpts = {}) {
      const { worker, taskQueue } = await createTestWorker({
        connection: ctx.nativeConnection,
        workflowBundle: ctx.workflowBundle,
        activities: workerOpts.activities ?? opts.activities,
        taskQueue: workerOpts.taskQueue,
      });
      const scope: WorkerScope = { client: ctx.client, worker, taskQueue, workflowId: (p = 'wf') => uniqueId(p) };
      return worker.runUntil(body(scope));
    },
  };
  return ctx;
}

/** What useFileWorker gives: the file's client, connection, bundle and its one running worker. */
export interface FileWorker {
  readonly client: Client;
  readonly native: NativeConnection;
  readonly bundle: WorkflowBundleWithSourceMap;
}

/**
 * Registers beforeAll/afterAll for one worker that runs for the whole test file (creating a Worker
 * costs ~1 s on 2 cores): connects, bundles `workflowsPath` once, builds the worker with `create`.
 */
export function useFileWorker(
  name: string,
  workflowsPath: string,
  create: (native: NativeConnection, bundle: WorkflowBundleWithSourceMap) => Promise<Worker>,
): FileWorker {
  let client: Client | undefined;
  let native: NativeConnection | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error(`${name}: use inside a test, after beforeAll`);
    return v;
  };

  beforeAll(async () => {
    [client, native, bundle] = await Promise.all([connectTestClient(), connectTestNativeConnection(), bundleTestWorkflows(workflowsPath)]);
    worker = await create(native, bundle);
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await native?.close();
    await client?.connection.close();
  }, 60_000);

  return {
    get client() {
      return need(client);
    },
    get native() {
      return need(native);
    },
    get bundle() {
      return need(bundle);
    },
  };
}
