// `factory decide <runId> --decision approved|rejected --reason ... [--remediation ...]`: the final
// decision of a run in `human` decision mode, through the validated `decide` update (or --signal).
import type { Command } from 'commander';
import { sanitizeLine } from '../../core/sanitize';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { decideSignal, decideUpdate } from '../../workflows/messages';
import { ExitCode, UsageError, type CliContext } from '../context';
import { connectClient, resolveTarget, type TargetOptions } from '../temporal';
import { expiringArgs, withWorkerDeadline, workerWaitMs } from '../worker-wait';
import { defaultUser } from './run';

interface DecideOptions extends TargetOptions {
  decision: string;
  reason: string;
  remediation?: string;
  by: string;
  signal?: boolean;
  json?: boolean;
}

/** Registers `decide`. */
export function registerDecide(program: Command, ctx: CliContext): void {
  program
    .command('decide')
    .description('record the final decision of a run awaiting a human decision')
    .argument('<run>', 'run id (workflow id)')
    .requiredOption('--decision <decision>', 'approved | rejected')
    .requiredOption('--reason <text>', 'why')
    .option('--remediation <text>', 'what to fix and where to rerun from (required for rejected)')
    .option('--by <name>', 'who decides', defaultUser(ctx))
    .option('--signal', 'send a fire-and-forget signal instead of a validated update')
    .option('--address <host:port>', 'Temporal frontend')
    .option('--namespace <ns>', 'Temporal namespace')
    .option('--json', 'print the DecisionRecord as JSON')
    .action(async (run: string, opts: DecideOptions) => {
      if (opts.decision !== 'approved' && opts.decision !== 'rejected') throw new UsageError(`--decision must be approved or rejected, got "${opts.decision}"`);
      const input = {
        decision: opts.decision as 'approved' | 'rejected',
        by: opts.by,
        reason: opts.reason,
        ...(opts.remediation ? { remediation: opts.remediation } : {}),
      };
      const client = await connectClient(resolveTarget(ctx.io, opts));
      try {
        const handle = client.workflow.getHandle(run);
        if (opts.signal) {
          await handle.signal(decideSignal, input);
          ctx.io.out(`sent decide signal to ${run} (see \`factory events ${run}\`: run.approved/run.rejected or decision.failed)`);
          return;
        }
        try {
          const waitMs = workerWaitMs(ctx.io.env);
          const expiring = expiringArgs(input, waitMs);
          const record = await withWorkerDeadline(handle, 'the decide update', waitMs, () => handle.executeUpdate(decideUpdate, { args: [expiring] }));
          ctx.io.out(opts.json ? JSON.stringify(record, null, 2) : `run ${run}: ${record.decision} by ${record.by} — ${record.reason}`);
        } catch (err) {
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          ctx.io.err(`factory: decision refused (DECISION_FAILURE): ${sanitizeLine(err.cause?.message ?? err.message)}`);
          ctx.fail(ExitCode.usage);
        }
      } finally {
        await client.connection.close();
      }
    });
}
