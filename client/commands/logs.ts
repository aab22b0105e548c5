// `factory logs <run> [stage] [-f]`: a run's stage logs (the *.log files of each stage directory, in the
// order stages started), read from the run directory; -f keeps printing what is appended until the run
// ends. Log text is the stage's (agent-controlled): control characters are replaced before printing.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { RunEnvelope, RunEvent } from '../../core/run-model';
import { runQuery } from '../../workflows/messages';
import { UsageError, type CliContext } from '../context';
import { endedEnvelope, localRunDir } from '../run-outcome';
import { connectClient, resolveTarget, type TargetOptions } from '../temporal';

interface LogsOptions extends TargetOptions {
  follow?: boolean;
}

const POLL_MS = 500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stage text made safe for a terminal: escape sequences and other control characters (not tab or newline) become `?`. */
export function printable(text: string): string {
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '?').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

/** The run's events from events.jsonl (a torn last line is skipped). */
function readRunEvents(dir: string): RunEvent[] {
  const file = join(dir, 'events.jsonl');
  if (!existsSync(file)) return [];
  const out: RunEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      if (line) out.push(JSON.parse(line) as RunEvent);
    } catch {
      // being written
    }
  }
  return out;
}

/** Stage directories in the order their stages first started; stages without a started event last. */
export function stageDirs(dir: string): string[] {
  const order = new Map<string, number>();
  for (const e of readRunEvents(dir)) {
    const node = (e.data as { node?: unknown }).node;
    if (e.type === 'stage.started' && typeof node === 'string' && !order.has(node)) order.set(node, e.seq);
  }
  const dirs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'status.json')) || (d.isDirectory() && order.has(d.name)));
  return dirs.map((d) => d.name).sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b));
}

/** A stage's log files: its *.log files, sorted. */
function logFiles(dir: string, stage: string): string[] {
  const stageDir = join(dir, stage);
  if (!existsSync(stageDir)) return [];
  return readdirSync(stageDir).filter((f) => f.endsWith('.log')).sort().map((f) => join(stage, f));
}

/** Registers `logs`. */
export function registerLogs(program: Command, ctx: CliContext): void {
  program
    .command('logs')
    .description('print a run\'s stage logs (one stage, or all in the order they started); -f follows until the run ends')
    .argument('<run>', 'run id or run directory')
    .argument('[stage]', 'only this stage (node id)')
    .option('-f, --follow', 'keep printing what the stages append until the run ends')
    .option('--address <host:port>', 'Temporal frontend (for a run id not under ./runs)')
    .option('--namespace <ns>', 'Temporal namespace')
    .action(async (run: string, stage: string | undefined, opts: LogsOptions) => {
      const dir = localRunDir(ctx.io.cwd, run) ?? (await serverRunDir(ctx, run, opts));
      if (stage !== undefined && !stageDirs(dir).includes(stage) && !existsSync(join(dir, stage))) {
        throw new UsageError(`run ${run} has no stage "${stage.slice(0, 60)}" (stages: ${stageDirs(dir).join(', ') || 'none yet'})`);
      }
      const offsets = new Map<string, number>();
      const printNew = (partial: boolean): void => {
        for (const s of stage !== undefined ? [stage] : stageDirs(dir)) {
          for (const file of logFiles(dir, s)) {
            const text = readFrom(join(dir, file), offsets.get(file) ?? 0, partial);
            if (!offsets.has(file)) ctx.io.out(`==> ${file} <==`);
            offsets.set(file, (offsets.get(file) ?? 0) + text.bytes);
            if (text.text) for (const line of printable(text.text).replace(/\n$/, '').split('\n')) ctx.io.out(line);
          }
        }
      };
      printNew(!opts.follow);
      if (!opts.follow) return;
      while (!ended(dir)) {
        await sleep(POLL_MS);
        printNew(false);
      }
      printNew(true);
    });
}

/** True once the run's events say it completed (the workflow's last event). */
function ended(dir: string): boolean {
  return readRunEvents(dir).some((e) => e.type === 'run.completed');
}

/** Up to 4 MiB of `file` from `offset`; unless `partial`, only up to the last complete line (a line being written waits). */
function readFrom(file: string, offset: number, partial: boolean): { text: string; bytes: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { text: '', bytes: 0 };
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(Math.max(0, size - offset), 4 * 1024 * 1024);
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    const upTo = partial ? n : buf.subarray(0, n).lastIndexOf(0x0a) + 1;
    return { text: buf.subarray(0, upTo).toString('utf8'), bytes: upTo };
  } finally {
    closeSync(fd);
  }
}

/** The run directory of a run id the server knows: an ended run's result, or a running run's `run` query. */
async function serverRunDir(ctx: CliContext, run: string, opts: LogsOptions): Promise<string> {
  const client = await connectClient(resolveTarget(ctx.io, opts));
  try {
    const ended = await endedEnvelope(client, run, ctx.io.cwd);
    const dir = ended ? ended.runDir : ((await client.workflow.getHandle(run).query(runQuery)) as RunEnvelope).runDir;
    if (dir && existsSync(dir)) return dir;
    throw new UsageError(`run ${run}'s directory ${dir ?? '(not created yet)'} is not on this machine; pass the run directory`);
  } finally {
    await client.connection.close();
  }
}
