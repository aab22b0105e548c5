// `factory events|gates|watch <runId>`: read a run through workflow queries (a run directory path works
// too for events, read from events.jsonl). `status` has its own module (status.ts: it may read over HTTP).
import { answerCommands, changeBlock, choicesLine, votesLine } from '../gate-text';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { GateRecord, RunEnvelope, RunEvent } from '../../core/run-model';
import { SEARCH_ATTRIBUTES } from '../../core/temporal-names';
import { sandboxText } from '../../core/sandbox-policy';
import { eventsQuery, gatesQuery, runQuery, statusQuery } from '../../workflows/messages';
import { ExitCode, type CliContext, defaultUser } from '../context';
import { readEventsFile } from '../events-file';
import { comeBackLines, follow } from '../follow';
import { sanitizeFields, sanitizeLine } from '../../core/sanitize';
import { envelopeWithEvents, runDirOf } from '../dir-status';
import { formatEvent } from '../progress';
import { formatStageRetry, pendingLines, retryingStages, snapshot, type PendingView, type StageRetry } from '../run-monitor';

/** How many of the latest events `status` reads to find stages between retry attempts. */
const RECENT_EVENTS = 200;
import { paintOutcome, palette } from '../colour';
import { endedEnvelope } from '../run-outcome';
import { connectClient, resolveTarget, type TargetOptions } from '../temporal';
import { NoWorkerError, withWorkerDeadline, workerWaitMs } from '../worker-wait';

interface ReadOptions extends TargetOptions {
  json?: boolean;
  after?: string;
}


async function withClient<T>(ctx: CliContext, opts: TargetOptions, body: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(resolveTarget(ctx.io, opts));
  try {
    return await body(client);
  } finally {
    await client.connection.close();
  }
}

function addTarget(cmd: Command): Command {
  return cmd.option('--address <host:port>', 'Temporal frontend').option('--namespace <ns>', 'Temporal namespace').option('--json', 'print JSON');
}

/** Registers events, gates and watch. */
export function registerInspect(program: Command, ctx: CliContext): void {
  addTarget(program.command('events').description('list a run\'s events (from a cursor)').argument('<run>', 'run id or run directory'))
    .option('--after <seq>', 'only events with seq > after', '0')
    .action(async (run: string, opts: ReadOptions) => {
      const after = Number(opts.after ?? 0);
      const dir = runDirOf(ctx.io.cwd, run);
      let events: RunEvent[];
      // each line checked against the event contract (docs/events.md): a bad one is named on stderr, exit 1
      const fromFile = (d: string, shown: string): RunEvent[] => {
        const read = readEventsFile(join(d, 'events.jsonl'), join(shown, 'events.jsonl'));
        for (const problem of read.problems) ctx.io.err(`factory: ${problem}`);
        if (read.problems.length) ctx.fail(ExitCode.failed);
        return read.events.filter((e) => e.seq > after);
      };
      if (dir) events = fromFile(dir, run);
      else
        events = await withClient(ctx, opts, async (client) => {
          // an ended run's events are in its finalized directory: no worker needs to answer a query
          const endedDir = (await endedEnvelope(client, run, ctx.io.cwd))?.runDir;
          if (endedDir && existsSync(join(endedDir, 'events.jsonl'))) return fromFile(endedDir, endedDir);
          const handle = client.workflow.getHandle(run);
          return withWorkerDeadline(handle, 'the events query', workerWaitMs(ctx.io.env), () => handle.query(eventsQuery, { after, limit: 100_000 }));
        });
      for (const e of events) ctx.io.out(opts.json ? JSON.stringify(e) : (formatEvent(e, { runId: run }) ?? `#${e.seq} ${e.type}`));
    });

  addTarget(program.command('gates').description('list open human gates: prompt, choices, deadline, who may answer').argument('<run>', 'run id')).action(
    async (run: string, opts: ReadOptions) => {
      const gates: GateRecord[] = await withClient(ctx, opts, (client) => {
        const handle = client.workflow.getHandle(run);
        return withWorkerDeadline(handle, 'the gates query', workerWaitMs(ctx.io.env), () => handle.query(gatesQuery));
      });
      if (opts.json) return ctx.io.out(JSON.stringify(gates, null, 2));
      if (gates.length === 0) return ctx.io.out('no open gates');
      for (const g of gates.map((raw) => sanitizeFields(raw))) {
        ctx.io.out(`gate ${g.id} (node ${g.node}): ${g.prompt}`);
        ctx.io.out(`  ${choicesLine(g.question, g.choices)}`);
        if (g.change) for (const line of changeBlock(g.change, '  ')) ctx.io.out(line);
        ctx.io.out(`  deadline: ${g.deadline ?? 'none'}; quorum ${g.quorum}; approvers: ${g.approvers.length ? g.approvers.join(', ') : 'anyone'}; answers: ${g.answers.length}${g.answers.length ? ` (${votesLine(g)})` : ''}`);
        ctx.io.out(`  answer: ${answerCommands(sanitizeLine(run), g.id, g.question)}`);
      }
    },
  );

  addTarget(program.command('watch').description('follow a run live until it completes; in a terminal, answer its gates at a prompt').argument('<run>', 'run id'))
    .option('--after <seq>', 'start after this seq', '0')
    .option('--by <name>', 'who answers gates at the prompt', defaultUser(ctx))
    .action(async (run: string, opts: ReadOptions & { by: string }) => {
      await withClient(ctx, opts, async (client) => {
        const handle = client.workflow.getHandle(run);
        // no worker yet is no reason to stop watching: say so and follow (the events query keeps waiting)
        const status = await withWorkerDeadline(handle, 'the status query', workerWaitMs(ctx.io.env), () => handle.query(statusQuery)).catch((err: unknown) => {
          if (!(err instanceof NoWorkerError)) throw err;
          ctx.io.err(`factory: ${err.message}; watching anyway`);
          return undefined;
        });
        const target = resolveTarget(ctx.io, opts);
        if (!opts.json && !ctx.io.tty) ctx.io.out(`watching ${run}${status ? ` (${status.pipeline}, ${status.status})` : ''}`);
        const end = await follow(ctx.io, { client, workflowId: run, address: target.address }, { json: opts.json, after: Number(opts.after ?? 0), by: opts.by });
        if (end.kind === 'interrupted') {
          for (const line of comeBackLines(run, end, opts.address ? { address: opts.address } : {})) ctx.io.err(line);
          ctx.fail(ExitCode.interrupted);
        }
      });
    });
}

/** Kept for importers of inspect.ts: `status` lives in status.ts. */
export { withServerStatus } from './status';
