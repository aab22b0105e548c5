// `factory scenario-worker`: a holdout scenario worker on the scenario task queue until SIGINT/SIGTERM.
// It reads scenarios from its own root, apart from the pipeline worker's registry.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { TASK_QUEUES } from '../../core/temporal-names';
import { scenarioRegistryRoot } from '../../activities/scenarios/suites';
import { createScenarioWorker } from '../../workers/scenarios';
import { DEFAULT_SANDBOX } from '../../activities/sandbox/policy';
import { type CliContext } from '../context';
import { resolveTarget, runWorkerUntilStopped, type TargetOptions } from '../temporal';

interface ScenarioWorkerOptions extends TargetOptions {
  taskQueue: string;
  scenariosRoot: string;
  /** false with --no-sandbox. */
  sandbox: boolean;
  scratchRoot?: string;
}

/** Registers `scenario-worker`. */
export function registerScenarioWorker(program: Command, ctx: CliContext): void {
  program
    .command('scenario-worker')
    .description('run a holdout scenario worker (evaluation workflow + scenario activities) until interrupted')
    .option('--address <host:port>', 'Temporal frontend (default TEMPORAL_ADDRESS or 127.0.0.1:7233)')
    .option('--namespace <ns>', 'Temporal namespace')
    .option('--task-queue <queue>', 'scenario task queue', TASK_QUEUES.scenarios)
    .option('--scenarios-root <dir>', 'scenario registry folder (holding registry.lock.json) or a project root with scenarios/', 'scenarios')
    .option('--no-sandbox', 'run command scenarios\' candidate code unconfined (no bubblewrap): it can then read this worker\'s scenarios, environment and log (docs/security.md)')
    .option('--scratch-root <dir>', 'where pinned candidates are fetched from their git remote (default <tmpdir>/factory-candidates)')
    .action(async (opts: ScenarioWorkerOptions) => {
      const target = resolveTarget(ctx.io, opts);
      const root = resolve(ctx.io.cwd, opts.scenariosRoot);
      const sandbox = opts.sandbox ? DEFAULT_SANDBOX : { ...DEFAULT_SANDBOX, mode: 'none' as const };
      await runWorkerUntilStopped(
        target,
        (connection) =>
          createScenarioWorker({
            connection,
            namespace: target.namespace,
            taskQueue: opts.taskQueue,
            scenariosRoot: root,
            sandbox,
            ...(opts.scratchRoot ? { scratchRoot: resolve(ctx.io.cwd, opts.scratchRoot) } : {}),
          }),
        () =>
          ctx.io.out(`scenario worker on ${target.address} namespace ${target.namespace} task queue ${opts.taskQueue}, scenarios from ${scenarioRegistryRoot(root)}${opts.sandbox ? '' : '; --no-sandbox: candidate code runs unconfined'}`),
      );
    });
}
