// `factory worker`: a pipeline worker on the pipeline task queue until SIGINT/SIGTERM.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { TASK_QUEUES } from '../../core/temporal-names';
import { createPipelineWorker } from '../../workers/pipeline';
import { type CliContext } from '../context';
import { resolveTarget, runWorkerUntilStopped, type TargetOptions } from '../temporal';

interface WorkerOptions extends TargetOptions {
  taskQueue: string;
  registry: string;
}

/** Registers `worker`. */
export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('run a pipeline worker (workflows + stage activities) until interrupted')
    .option('--address <host:port>', 'Temporal frontend (default TEMPORAL_ADDRESS or 127.0.0.1:7233)')
    .option('--namespace <ns>', 'Temporal namespace')
    .option('--task-queue <queue>', 'pipeline task queue', TASK_QUEUES.pipeline)
    .option('--registry <dir>', 'project root holding specs/ and scenarios/', '.')
    .action(async (opts: WorkerOptions) => {
      const target = resolveTarget(ctx.io, opts);
      await runWorkerUntilStopped(
        target,
        (connection) =>
          createPipelineWorker({ connection, namespace: target.namespace, taskQueue: opts.taskQueue, registryRoot: resolve(ctx.io.cwd, opts.registry) }),
        async (worker) => {
          await worker.ready();
          ctx.io.out(
            `pipeline worker on ${target.address} namespace ${target.namespace} task queue ${opts.taskQueue}, version ${worker.version.deploymentName}/${worker.version.buildId}${worker.drainingLegacy ? ' (and the legacy version draining runs of r4)' : ''}`,
          );
        },
      );
    });
}
