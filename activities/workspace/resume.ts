// `factory run --resume`: the resumed run continues in its workspace at the head its checkpoint names
// (the snapshot the next main-line stage starts from). A workspace still on disk is reused and put back at
// that head (what the interrupted stage left, files or a snapshot the run never recorded, is dropped); one
// that is gone or damaged is made again
// from the repositories that may hold the head: the candidate remote (a published candidate brings every
// snapshot before it) and, for a git base, the base repository.

import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WorkspaceRecord } from '../../core/workspace';
import { writeJsonAtomic } from '../atomic-files';
import { bootFailure } from '../errors';
import { fetchSnapshot } from './from-run';
import { git, isObjectId, resolveCommit } from './git';
import { defaultRemote, runRootOf } from './paths';
import { restoreWorkspace } from './snapshot';
import { configure, RECORD } from './workspace';

/** What resuming needs: the workspace the run recorded, the head its checkpoint names, the candidate remote the profile sets. */
export interface ResumeWorkspaceInput {
  workspace: WorkspaceRecord;
  /** checkpoint.json `workspace_head`; absent in checkpoints of older releases (then the run branch's head). */
  head?: string;
  /** environment.workspace.remote; absent → the bare repository under the run root. */
  remote?: string;
}

/** The workspace to continue in, the head to continue from, and whether it had to be made again. */
export interface ResumedWorkspace {
  workspace: WorkspaceRecord;
  head?: string;
  recreated: boolean;
}

/** Reuses the run's workspace when it holds the head, else makes it again at the head; BOOT_FAILURE naming the commit when no repository has it. */
export async function resumeWorkspace(input: ResumeWorkspaceInput): Promise<ResumedWorkspace> {
  const ws = input.workspace;
  if (input.head !== undefined && !isObjectId(input.head)) throw bootFailure('workspace', [`checkpoint.json names the workspace head ${JSON.stringify(input.head).slice(0, 80)}, which is not a commit id`]);
  const at = { gitDir: ws.gitDir, workTree: ws.dir };
  // the repository is what matters: a work tree removed on its own is checked out again from it
  const present = existsSync(ws.gitDir) ? await resolveCommit(input.head ?? `refs/heads/${ws.branch}`, { gitDir: ws.gitDir }).catch(() => undefined) : undefined;
  if (present && (input.head !== undefined || existsSync(ws.dir))) {
    await mkdir(ws.dir, { recursive: true });
    if (input.head !== undefined) await restoreWorkspace(ws, input.head);
    return { workspace: ws, ...(input.head !== undefined ? { head: input.head } : {}), recreated: false };
  }
  if (input.head === undefined) {
    throw bootFailure('workspace', [
      `the run's workspace ${ws.dir} is gone or damaged, and its checkpoint (written by an older release) does not name the snapshot to continue from; start a rerun instead`,
    ]);
  }
  const remote = input.remote ?? defaultRemote(runRootOf(ws.gitDir));
  const sources = [
    { path: remote, what: 'the candidate remote', refs: [input.head, `+refs/${ws.branch.replace(/^factory\//, 'factory/candidates/')}/*:refs/factory/resume-source/*`] },
    ...(ws.base.kind === 'git' ? [{ path: ws.base.path, what: 'the base repository', refs: [input.head] }] : []),
  ];
  const repos = sources.filter((r) => !r.path.startsWith('/') || existsSync(r.path));
  const home = dirname(ws.gitDir);
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  await git(['init', '--quiet', `--initial-branch=${ws.branch}`, `--separate-git-dir=${ws.gitDir}`, ws.dir]);
  await rm(join(ws.dir, '.git'), { force: true });
  await configure(ws.gitDir);
  if (!(await fetchSnapshot(ws.gitDir, input.head, repos))) {
    await rm(home, { recursive: true, force: true });
    throw bootFailure('workspace', [
      `the run's workspace ${ws.dir} is gone, and the snapshot to continue from, ${input.head}, is in none of ${sources.map((r) => `${r.what} ${r.path}${repos.includes(r) ? '' : ' (absent)'}`).join(', ')} (only published candidates are kept outside the workspace); start a rerun instead`,
    ]);
  }
  await git(['checkout', '--quiet', '--force', '-B', ws.branch, input.head], at);
  await writeJsonAtomic(join(home, RECORD), ws);
  return { workspace: ws, head: input.head, recreated: true };
}
