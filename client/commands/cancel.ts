// `factory cancel <run>`: Temporal's cancellation request for the run's workflow, then (unless --no-wait)
// waits until the server closes it and says how it ended: the workflow decides what a cancel does.
import type { Command } from 'commander';
import { ExitCode, type CliContext } from '../context';
import { closedOutcome } from '../run-outcome';
import { connectClient, resolveTarget, type TargetOptions } from '../temporal';

interface CancelOptions extends TargetOptions {
  wait: boolean;
  timeout: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Registers `cancel`. */
export function registerCancel(program: Command, ctx: CliContext): void {
  program
    .command('cancel')
    .description('request cancellation of a running run (Temporal cancel) and wait until it has ended')
    .argument('<run>', 'run id (workflow id)')
    .option('--no-wait', 'only send the request')
    .option('--timeout <seconds>', 'how long to wait for the run to end', '60')
    .option('--address <host:port>', 'Temporal frontend')
    .option('--namespace <ns>', 'Temporal namespace')
    .action(async (run: string, opts: CancelOptions) => {
      const client = await connectClient(resolveTarget(ctx.io, opts));
      try {
        const handle = client.workflow.getHandle(run);
        const before = await handle.describe();
        if (before.status.name !== 'RUNNING') {
          ctx.io.err(`factory: run ${run} has already ended (${before.status.name.toLowerCase()}); nothing to cancel`);
          return ctx.fail(ExitCode.usage);
        }
        await handle.cancel();
        ctx.io.out(`cancellation requested for run ${run}`);
        if (!opts.wait) return;
        const deadline = Date.now() + Math.max(1, Number(opts.timeout) || 60) * 1000;
        for (;;) {
          const desc = await handle.describe();
          if (desc.status.name !== 'RUNNING') {
            const ended = await closedOutcome(client, run, desc.runId, desc.status.name);
            ctx.io.out(`run ${run} ended: ${ended.outcome}${ended.failure ? ` (${ended.failure.domain}: ${ended.failure.message.split('\n')[0]})` : ''}`);
            if (desc.status.name !== 'CANCELLED') ctx.fail(ExitCode.failed);
            return;
          }
          if (Date.now() > deadline) {
            ctx.io.err(`factory: run ${run} is still running ${opts.timeout} s after the request (the workflow decides when to stop); check with: factory status ${run}`);
            return ctx.fail(ExitCode.failed);
          }
          await sleep(250);
        }
      } finally {
        await client.connection.close();
      }
    });
}
