// stack.manager_loop children work on the parent's code: a child run's workspace starts at the parent's
// head (cloned from the parent's workspace repository), and when the child succeeds its final commit
// (published to the candidate remote, like every run's) is brought back into the parent's workspace:
// a fast-forward when the parent did not move meanwhile, else a merge; a conflict fails the manager node
// naming the files, and leaves the parent's workspace as it was.

import type { SnapshotRecord, WorkspaceRef } from '../../core/workspace';
import { snapshotMessage } from '../../core/workspace';
import { sanitizeLine } from '../../core/sanitize';
import { StageConfigError } from '../errors';
import { git, isObjectId, resolveCommit } from './git';
import { diffStat, restoreWorkspace } from './snapshot';

/** What to bring back: the child's commit, where it was published, and the parent's head when the child started. */
export interface MergeChildInput {
  runId: string;
  node: string;
  workspace: WorkspaceRef;
  /** The parent's head the child started from. */
  base: string;
  child: { commit: string; remote: string; ref: string; runId: string };
}

/** Brings the child's commit into the parent's workspace; `conflicts` (file names) when a merge cannot be made, the snapshot otherwise. */
export async function mergeChildWorkspace(input: MergeChildInput): Promise<{ snapshot?: SnapshotRecord; conflicts?: string[] }> {
  const ws = input.workspace;
  const at = { gitDir: ws.gitDir, workTree: ws.dir };
  const { commit, remote, ref } = input.child;
  if (!isObjectId(commit) || !ref.startsWith('refs/') || remote.startsWith('-')) throw new StageConfigError(`child run ${input.child.runId}: its candidate (commit ${sanitizeLine(String(commit)).slice(0, 80)}) is malformed`);
  if (!(await resolveCommit(commit, at))) {
    await git(['fetch', '--quiet', '--no-tags', '--', remote, `+${ref}:refs/factory/children/${input.child.runId.replace(/[^A-Za-z0-9_.-]/g, '_')}`], { ...at, timeoutMs: 300_000 });
  }
  if (!(await resolveCommit(commit, at))) throw new StageConfigError(`child run ${input.child.runId}: its commit ${commit} is not in ${remote} as ${ref}`);
  const head = (await resolveCommit(`refs/heads/${ws.branch}`, at)) as string;
  const headTree = (await git(['rev-parse', `${head}^{tree}`], at)).stdout.trim();
  const ancestor = await git(['merge-base', '--is-ancestor', head, commit], { ...at, okCodes: [1] });
  let result: string;
  if (ancestor.code === 0) {
    result = commit; // the parent did not move (the usual case: the main line waits for the child): a fast-forward
  } else {
    // git merge-tree --write-tree (git 2.38+): the merged tree without touching the work tree, or the conflicting files
    const merged = await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', head, commit], { ...at, okCodes: [1] });
    const [tree, ...files] = merged.stdout.split('\n').filter(Boolean);
    if (merged.code === 1) return { conflicts: files.map((f) => sanitizeLine(f)) };
    result = (await git(['commit-tree', tree as string, '-p', head, '-p', commit, '-m', `${snapshotMessage(input.runId, input.node, 1)}: merge child run ${input.child.runId}`], at)).stdout.trim();
  }
  await restoreWorkspace(ws, result);
  const tree = (await git(['rev-parse', `${result}^{tree}`], at)).stdout.trim();
  const changed = tree !== headTree;
  return {
    snapshot: { node: input.node, attempt: 1, parent: head, commit: result, tree, changed, ...(changed ? await diffStat(ws.gitDir, headTree, tree) : { files: 0, added: 0, deleted: 0 }) },
  };
}
