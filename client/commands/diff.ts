// `factory diff <runDir> [--stage <node>]`: what a run (or one stage of it) changed in its workspace, from
// the snapshots recorded in the run directory (workspace.json, <stage>/snapshot.json). Reads the run's
// workspace repository while it is kept, else the candidate remote under the run root.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { WORKSPACE_FILE } from '../../activities/run-create';
import { SNAPSHOT_FILE, stageDirName } from '../../activities/stage';
import { git, GitError, isObjectId, resolveCommit } from '../../activities/workspace/git';
import { defaultRemote, runRootOf } from '../../activities/workspace/paths';
import type { SnapshotRecord, WorkspaceRecord } from '../../core/workspace';
import { ExitCode, UsageError, type CliContext } from '../context';

interface DiffOptions {
  stage?: string;
  stat?: boolean;
  json?: boolean;
}

/** Registers `diff`. */
export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('show what a run, or one stage of it (--stage), changed in its workspace')
    .argument('<runDir>', 'run directory')
    .option('--stage <node>', 'only the changes of this stage (its last snapshot against the commit it started from)')
    .option('--stat', 'files and +/- lines only')
    .option('--json', 'print the range and per-file +/- lines as JSON')
    .action(async (runDir: string, opts: DiffOptions) => {
      const dir = resolve(ctx.io.cwd, runDir);
      const ws = readJson<WorkspaceRecord>(join(dir, WORKSPACE_FILE));
      if (!ws) throw new UsageError(`${dir} has no ${WORKSPACE_FILE}: the run was made without a workspace (before issue 21), or this is not a run directory`);
      const repo = [ws.gitDir, remoteOf(ws)].find((r) => existsSync(r));
      if (!repo) throw new UsageError(`neither the run's workspace (${ws.gitDir}) nor the candidate remote (${remoteOf(ws)}) exists any more: nothing to diff against`);
      const range = opts.stage !== undefined ? stageRange(dir, opts.stage) : await runRange(ws, repo);
      for (const commit of [range.from, range.to]) {
        if (!(await resolveCommit(commit, { gitDir: repo }))) {
          throw new UsageError(`commit ${commit} is not in ${repo} (a snapshot a later restore dropped, or the workspace was removed and the commit never published)`);
        }
      }
      if (opts.json) {
        const numstat = (await git(['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', range.from, range.to, '--'], { gitDir: repo })).stdout;
        ctx.io.out(JSON.stringify({ ...range, files: parseNumstat(numstat) }, null, 2));
        return;
      }
      const args = opts.stat ? ['--stat'] : ['--stat', '--patch'];
      try {
        const out = await git(['diff', ...args, '--no-color', '--no-ext-diff', '--no-textconv', range.from, range.to, '--'], { gitDir: repo });
        ctx.io.out(`${range.label}: ${range.from}..${range.to}`);
        if (out.stdout.length > 0) ctx.io.out(printable(out.stdout.replace(/\n$/, '')));
        else ctx.io.out('(no changes)');
      } catch (err) {
        if (!(err instanceof GitError)) throw err;
        ctx.io.err(`factory: ${printable(err.message)}`);
        ctx.fail(ExitCode.failed);
      }
    });
}

interface Range {
  label: string;
  from: string;
  to: string;
}

/** A stage's last snapshot against the commit it started from. */
function stageRange(runDir: string, node: string): Range {
  const snap = readJson<SnapshotRecord>(join(runDir, stageDirName(node), SNAPSHOT_FILE));
  if (!snap || !isObjectId(snap.commit) || !isObjectId(snap.parent)) {
    throw new UsageError(`stage ${JSON.stringify(node)} has no snapshot in ${runDir} (it did not run, or ran without a workspace)`);
  }
  return { label: `stage ${node} (attempt ${snap.attempt})`, from: snap.parent, to: snap.commit };
}

/** The whole run: from its start commit to its branch head (workspace kept) or its last published candidate. */
async function runRange(ws: WorkspaceRecord, repo: string): Promise<Range> {
  let to: string | undefined;
  if (repo === ws.gitDir) to = await resolveCommit(ws.branch, { gitDir: repo });
  else {
    const prefix = `refs/${ws.branch.replace(/^factory\//, 'factory/candidates/')}/`;
    to = (await git(['for-each-ref', '--sort=-committerdate', '--count=1', '--format=%(objectname)', prefix], { gitDir: repo })).stdout.trim() || undefined;
  }
  if (!to) throw new UsageError(`no snapshot of this run is in ${repo}: the workspace was removed before a candidate was published`);
  return { label: 'run', from: ws.start, to };
}

/** The candidate remote beside a workspace: `<run_root>/.factory/candidates.git` (workspaces live in `<run_root>/.factory/workspaces/<id>/`). */
function remoteOf(ws: WorkspaceRecord): string {
  return defaultRemote(runRootOf(ws.gitDir));
}

function parseNumstat(out: string): { path: string; added: number | null; deleted: number | null }[] {
  return out
    .split('\0')
    .filter((l) => l.length > 0)
    .map((line) => {
      const [a, d, ...rest] = line.split('\t');
      return { path: rest.join('\t'), added: a === '-' ? null : Number(a), deleted: d === '-' ? null : Number(d) };
    });
}

/** The agent wrote these bytes: terminal control characters are shown as U+FFFD, never sent to the terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
