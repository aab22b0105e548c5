// The bench worker process (spawned once per bench run by bench/temporal-env.ts): one Worker with the
// run workflow and the bare floors in one bundle, the pipeline activities (default handlers plus the
// no-work `bench.noop` type) and the bare no-op activities, all on one task queue.
// argv: <address> <namespace> <taskQueue> <registryRoot>. Prints `READY` once polling; stops on SIGTERM
// or when stdin closes (the bench process is gone).

import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createDefaultHandlers } from '../activities/handlers';
import { PIPELINE_WORKER_TUNING } from '../workers/pipeline';
import { bareActivities } from './bare/activities';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOOP_TYPE, STAGE_TIMES_FILE, type ActivityTimes } from './temporal-env';

async function main(): Promise<void> {
  const [address, namespace, taskQueue, registryRoot] = process.argv.slice(2);
  if (!address || !namespace || !taskQueue || !registryRoot) throw new Error('usage: temporal-worker <address> <namespace> <taskQueue> <registryRoot>');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const [connection, workflowBundle] = await Promise.all([
    NativeConnection.connect({ address }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./bare/all-workflows'), logger: quiet }),
  ]);
  const handlers = createDefaultHandlers().register(NOOP_TYPE, { execute: async () => ({ status: 'success' }) });
  const activities = createActivities({ handlers, registryRoot });
  // each pipeline activity's wall time inside this worker (boot phases, stage bodies, finalize), summed
  // for the benchmarks' breakdowns: written to <registryRoot>/stage-times.json, at most one write pending
  const times: ActivityTimes = {};
  let writing = false;
  const record = (name: string, ms: number) => {
    const t = (times[name] ??= { count: 0, sumMs: 0 });
    t.count++;
    t.sumMs += ms;
    if (writing) return;
    writing = true;
    setTimeout(() => void writeFile(join(registryRoot, STAGE_TIMES_FILE), JSON.stringify(times)).finally(() => (writing = false)), 50);
  };
  const timed = Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          record(name, performance.now() - t0);
        }
      },
    ]),
  );
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle,
    activities: { ...timed, ...bareActivities },
    ...PIPELINE_WORKER_TUNING,
  });
  const stop = () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  const running = worker.run();
  process.stdout.write('READY\n');
  await running;
  await connection.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
