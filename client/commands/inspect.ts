// `factory status|events|gates|watch <runId>`: read a run through workflow queries (a run directory
// path works too for status/events, read from run.json / events.jsonl).
import { answerCommands, changeBlock, choicesLine, votesLine } from '../gate-text';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
import { envelopeWithEvents } from '../dir-status';
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

function runDirOf(cwd: string, arg: string): string | undefined {
  const dir = resolve(cwd, arg);
  return existsSync(join(dir, 'run.json')) && statSync(dir).isDirectory() ? dir : undefined;
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

/** Registers status, events, gates and watch. */
export function registerInspect(program: Command, ctx: CliContext): void {
  addTarget(program.command('status').description('show a run: status, current stage, open gates, failure').argument('<run>', 'run id (workflow id) or run directory')).action(
    async (run: string, opts: ReadOptions) => {
      const dir = runDirOf(ctx.io.cwd, run);
      let pending: PendingView[] = [];
      let retries: StageRetry[] = [];
      const envelope = dir
        ? envelopeWithEvents(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunEnvelope, readDirEvents(dir))
        : await withClient(ctx, opts, async (client) => {
            const ended = await endedEnvelope(client, run, ctx.io.cwd);
            if (ended) return withServerStatus(ended, ended.temporalStatus);
            const handle = client.workflow.getHandle(run);
            pending = (await snapshot(client, run))?.pending ?? [];
            try {
              const env = withServerStatus(await withWorkerDeadline(handle, 'the run query', workerWaitMs(ctx.io.env), () => handle.query(runQuery)), (await handle.describe()).status.name);
              retries = await handle.query(eventsQuery, { after: Math.max(0, env.lastSeq - RECENT_EVENTS), limit: RECENT_EVENTS }).then(retryingStages, () => []);
              return env;
            } catch (err) {
              const desc = await handle.describe();
              const sa = desc.searchAttributes as Record<string, unknown[] | undefined>;
              const status = sa[SEARCH_ATTRIBUTES.status]?.[0];
              if (status === undefined) throw err;
              ctx.io.err(`factory: ${err instanceof NoWorkerError ? err.message : `no worker answered the query (${err instanceof Error ? err.message : String(err)})`}; showing the search attributes`);
              return withServerStatus({ runId: run, status, pipeline: { id: String(sa[SEARCH_ATTRIBUTES.pipeline]?.[0] ?? '?'), version: '?' }, openGates: [] } as unknown as RunEnvelope, desc.status.name);
            }
          });
      if (opts.json) ctx.io.out(JSON.stringify({ ...envelope, ...(pending.length ? { pending } : {}), ...(retries.length ? { retrying: retries } : {}) }, null, 2));
      else {
        printEnvelope(ctx, sanitizeFields(envelope, new Set(['message', 'recovery'])));
        for (const line of pendingLines(envelope, pending, Date.now())) ctx.io.out(line);
        for (const r of retries) ctx.io.out(`  ${formatStageRetry(r, Date.now())}`);
      }
      const ended = ['terminated', 'timed_out', 'cancelled'].includes(String(envelope.status));
      if (ended || envelope.failure || envelope.outcome === 'failed' || envelope.outcome === 'rejected') ctx.fail(ExitCode.failed);
    },
  );

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

/** events.jsonl of a run directory (none when it is missing; a torn last line is left out). */
function readDirEvents(dir: string): RunEvent[] {
  const file = join(dir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as RunEvent];
      } catch {
        return [];
      }
    });
}

/** What `status` may claim: never more than the server knows (closed how, or still finalizing). */
export function withServerStatus(env: RunEnvelope, server: string): RunEnvelope & { temporalStatus: string } {
  const ended = ['TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(server);
  if (ended) return { ...env, status: server.toLowerCase() as RunEnvelope['status'], temporalStatus: server, ...(env.status !== 'completed' ? { lastRecordedStatus: env.status } : {}) };
  // the workflow sets "completed" before its last writes: until the server closes it, it is finalizing
  if (server === 'RUNNING' && env.status === 'completed') return { ...env, status: 'finalizing' as RunEnvelope['status'], temporalStatus: server };
  return { ...env, temporalStatus: server };
}

function printEnvelope(ctx: CliContext, env: RunEnvelope & { temporalStatus?: string; lastRecordedStatus?: string }): void {
  const out = ctx.io.out;
  const paint = palette(ctx.io);
  out(`run ${env.runId}: ${paintOutcome(paint, String(env.status))}${env.outcome ? ` (${paintOutcome(paint, env.outcome)})` : ''}`);
  if (env.lastRecordedStatus) out(`  the server ended the workflow (${env.temporalStatus}) while the run said ${env.lastRecordedStatus}`);
  out(`  pipeline: ${env.pipeline.id}@${env.pipeline.version}   profile: ${env.profile?.id ?? '?'}@${env.profile?.version ?? '?'}`);
  if (env.currentNode) out(`  current node: ${env.currentNode}`);
  if (env.openGates?.length) out(`  open gates: ${env.openGates.join(', ')}`);
  if (env.runDir) out(`  run directory: ${env.runDir}`);
  if (env.sandbox) out(`  sandbox: ${sandboxText(env.sandbox)}`);
  for (const w of env.warnings ?? []) out(`  warning: ${w}`);
  for (const s of Object.values(env.stages ?? {})) {
    out(`  - ${s.node} (${s.type}): ${s.status ?? 'running'}, ${s.executions} run(s), ${s.attempts} attempt(s)${s.failure_reason ? ` — ${s.failure_reason}` : ''}`);
  }
  if (env.failure) out(`  failure: ${env.failure.domain}: ${env.failure.message}\n  recovery: ${env.failure.recovery}`);
}
