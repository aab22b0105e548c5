// The Temporal side of `factory run`: either the configured server, or an embedded stack (the project's
// persistent local dev server, found or started, plus an in-process pipeline worker and a scenario-worker
// process when the run has a suite). One object with one stop(), so a failure half-way through starting
// still stops what did start; the local server is not ours to stop and stays up for later commands.
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { FactoryProfile } from '../definitions/schemas/profile';
import { TASK_QUEUES } from '../core/temporal-names';
import { createPipelineWorker } from '../workers/pipeline';
import { refuseAlways } from '../activities/sandbox/net-proxy';
import type { CliIO } from './context';
import { startScenarioWorkerProcess, type ScenarioWorkerProcess } from './processes';
import { ensureLocalServer, type LocalServer } from './local-server';
import { connectClient, resolveTarget } from './temporal';

/** Where a run goes and what must be stopped after it. */
export interface RunStack {
  readonly client: Client;
  readonly target: { address: string; namespace: string; uiUrl?: string };
  /** Set in embedded mode: the local server this run uses (it outlives the run). */
  readonly server?: LocalServer;
  stop(): Promise<void>;
}

/** What openRunStack needs: the configured address (none: embedded) and the embedded workers' settings. */
export interface RunStackOptions {
  configured: string | undefined;
  namespace: string;
  taskQueue: string;
  temporal: FactoryProfile['environment']['temporal'] | undefined;
  registryRoot: string;
  /** Embedded mode: start a scenario-worker process with this scenarios root (undefined: none). */
  scenariosRoot: string | undefined;
  print: (line: string) => void;
}

/** Connects to the configured server, or starts the embedded stack; stop() undoes whatever started. */
export async function openRunStack(io: CliIO, opts: RunStackOptions): Promise<RunStack> {
  if (!io.env.FACTORY_LOG_LEVEL) quietRuntime();
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const server = opts.configured ? undefined : await ensureLocalServer(io.cwd, opts.namespace);
    if (server) {
      const how = server.started ? 'started the local Temporal server' : 'local Temporal server';
      opts.print(`${how} at ${server.address}, UI ${server.uiUrl} (state in ${server.dbFilename ?? '?'}; it stays up: \`factory server stop\`)`);
    }
    const target = server
      ? { address: server.address, namespace: opts.namespace, ...(server.uiUrl ? { uiUrl: server.uiUrl } : {}) }
      : resolveTarget(io, { address: opts.configured, namespace: opts.namespace }, opts.temporal?.tls);
    const client = await connectClient(target);
    stops.push(() => client.connection.close());
    if (server) await startEmbeddedWorkers(io, server, opts, stops);
    return { client, target, ...(server ? { server } : {}), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The in-process pipeline worker and, when asked, the scenario-worker process, on the embedded server. */
async function startEmbeddedWorkers(io: CliIO, server: LocalServer, opts: RunStackOptions, stops: (() => Promise<void>)[]): Promise<void> {
  const native = await NativeConnection.connect({ address: server.address });
  stops.push(() => native.close());
  // no sandbox of this worker may reach the embedded server, whatever a network allow-list says
  refuseAlways(server.address);
  const worker = await createPipelineWorker({ connection: native, namespace: opts.namespace, taskQueue: opts.taskQueue, registryRoot: opts.registryRoot });
  const done = worker.run();
  stops.push(async () => {
    worker.shutdown();
    await done.catch(() => undefined);
  });
  // new runs start once this version is current (they are pinned to it)
  await worker.ready();
  if (opts.scenariosRoot === undefined) return;
  const scenarios: ScenarioWorkerProcess = startScenarioWorkerProcess(io, {
    address: server.address,
    namespace: opts.namespace,
    taskQueue: opts.temporal?.scenario_task_queue ?? TASK_QUEUES.scenarios,
    scenariosRoot: opts.scenariosRoot,
  });
  stops.push(() => scenarios.stop());
  opts.print(`scenario worker process ${scenarios.pid} (log: ${scenarios.log})`);
}

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // The run's own events report failures; the SDK's per-workflow warnings would repeat them with stacks.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed
  }
}
