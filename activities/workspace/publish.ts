// Publishing commits of a run's workspace to a git remote: the candidate before evaluation (under
// refs/factory/candidates/, which scenario workers fetch by commit), and on approval the approved commit
// as a branch. The remote is a bare repository under the run root unless the profile names a URL.

import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CandidateSnapshot, WorkspaceRef } from '../../core/workspace';
import { evalFailure, StageConfigError } from '../errors';
import { defaultRemote } from './paths';

export { defaultRemote };
import { git, GitError, isObjectId, resolveCommit, runBranch, treeOf } from './git';
import { diffStat } from './snapshot';

/** The ref a run's candidate commit is published under: one per commit, never moved. */
export function candidateRef(runId: string, commit: string): string {
  return `refs/${runBranch(runId).replace(/^factory\//, 'factory/candidates/')}/${commit}`;
}

/** What publishing needs: the workspace, the commit (default: the branch head) and the remote (default under the run root). */
export interface PublishInput {
  runId: string;
  runRoot: string;
  workspace: WorkspaceRef;
  commit?: string;
  /** environment.workspace.remote: a git URL or path; absent → defaultRemote(runRoot). */
  remote?: string;
}

/** Pushes the candidate commit to the remote; EVAL_FAILURE naming the commit when the remote cannot take it. */
export async function publishCandidate(input: PublishInput): Promise<CandidateSnapshot> {
  const opts = { gitDir: input.workspace.gitDir };
  const commit = await resolveCommit(input.commit ?? 'HEAD', opts);
  if (!commit) throw evalFailure([`candidate commit ${input.commit ?? 'HEAD'} is not in the run's workspace ${input.workspace.gitDir}`]);
  const remote = await ensureRemote(input);
  const ref = candidateRef(input.runId, commit);
  try {
    await git(['push', '--quiet', '--no-verify', '--', remote, `${commit}:${ref}`], opts);
  } catch (err) {
    if (err instanceof GitError) throw evalFailure([`candidate commit ${commit} could not be published to ${remote} as ${ref}: ${err.stderr.trim().split('\n')[0] ?? err.message}`]);
    throw err;
  }
  const change = { from: input.workspace.start, ...(await diffStat(input.workspace.gitDir, input.workspace.start, commit)) };
  return { remote, ref, commit, tree: await treeOf(commit, opts), change };
}

/** On approval (environment.workspace.publish_branch): pushes the approved commit as a branch; never moves an existing branch elsewhere. */
export async function publishApproved(input: PublishInput & { commit: string; branch: string }): Promise<{ remote: string; branch: string; commit: string }> {
  if (!isObjectId(input.commit)) throw new StageConfigError(`approved commit ${JSON.stringify(input.commit)} is not a commit id`);
  const branch = input.branch.replace(/\{runId\}/g, runBranch(input.runId).slice('factory/'.length));
  const checked = await git(['check-ref-format', '--branch', branch], { okCodes: [1, 128] });
  if (checked.code !== 0 || branch.startsWith('-')) throw new StageConfigError(`environment.workspace.publish_branch gives ${JSON.stringify(branch)}, which is not a valid branch name`);
  const remote = await ensureRemote(input);
  await git(['push', '--quiet', '--no-verify', '--', remote, `${input.commit}:refs/heads/${branch}`], { gitDir: input.workspace.gitDir });
  return { remote, branch, commit: input.commit };
}

/** The remote to push to; the default bare repository is created on first use. */
async function ensureRemote(input: PublishInput): Promise<string> {
  if (input.remote !== undefined) {
    if (input.remote.startsWith('-') || /^ext::/i.test(input.remote)) throw new StageConfigError(`environment.workspace.remote ${JSON.stringify(input.remote)} is not a usable git remote`);
    return input.remote;
  }
  const remote = defaultRemote(input.runRoot);
  if (await isRepo(remote)) return remote;
  await mkdir(remote, { recursive: true });
  // concurrent first runs may init at once: one of them wins the config lock, the repository is there either way
  await git(['init', '--quiet', '--bare', remote]).catch(async (err: unknown) => {
    if (!(await isRepo(remote))) throw err;
  });
  return remote;
}

async function isRepo(dir: string): Promise<boolean> {
  return access(join(dir, 'HEAD')).then(() => access(join(dir, 'config')).then(() => true), () => false).catch(() => false);
}
