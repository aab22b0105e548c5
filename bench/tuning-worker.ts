// The worker-tuning bench's worker process: one Worker per option set, each on its own task queue, all
// sharing one bundle of the bare floors (bench/bare) and one connection. argv: <address> <namespace>
// <JSON {taskQueue: WorkerOptions subset}>. Prints `READY` once polling; stops on SIGTERM or stdin end.

import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { bareActivities } from './bare/activities';

async function main(): Promise<void> {
  const [address, namespace, json] = process.argv.slice(2);
  if (!address || !namespace || !json) throw new Error('usage: tuning-worker <address> <namespace> <json>');
  const configs = JSON.parse(json) as Record<string, Partial<WorkerOptions>>;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const [connection, workflowBundle] = await Promise.all([
    NativeConnection.connect({ address }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./bare/workflows'), logger: quiet }),
  ]);
  const workers = await Promise.all(
    Object.entries(configs).map(([taskQueue, options]) => Worker.create({ connection, namespace, taskQueue, workflowBundle, activities: bareActivities, ...options })),
  );
  const stop = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  const running = Promise.all(workers.map((w) => w.run()));
  process.stdout.write('READY\n');
  await running;
  await connection.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`tuning worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
