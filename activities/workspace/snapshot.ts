// Stage snapshots: after a stage, what it left in the workspace becomes a commit on the run's branch;
// restoring puts the work tree (and the branch) back at an earlier snapshot for a retry, a goal_gate
// detour or a rerun from a node. Ignored files (.gitignore: build outputs, node_modules) are neither
// snapshotted nor removed by a restore.

import type { SnapshotRecord, WorkspaceRef } from '../../core/workspace';
import { snapshotMessage } from '../../core/workspace';
import { StageConfigError } from '../errors';
import { git, resolveCommit, treeOf } from './git';

/** One git operation at a time per workspace in this process (parallel lanes share the run's index). */
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(gitDir: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(gitDir) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const settled = next.catch(() => undefined);
  queues.set(gitDir, settled);
  void settled.then(() => {
    if (queues.get(gitDir) === settled) queues.delete(gitDir);
  });
  return next;
}

/** Commits what changed since the branch head; a stage that changed nothing gets `changed: false` and the head itself. */
export function snapshotWorkspace(ws: WorkspaceRef, at: { runId: string; node: string; attempt: number }): Promise<SnapshotRecord> {
  return serialized(ws.gitDir, async () => {
    const opts = { gitDir: ws.gitDir, workTree: ws.dir };
    const parent = await resolveCommit('HEAD', opts);
    if (!parent) throw new StageConfigError(`the run's workspace ${ws.dir} has no HEAD commit (git directory ${ws.gitDir}); it was removed or damaged`);
    await git(['add', '--all', '--', '.'], opts);
    const staged = await git(['diff', '--cached', '--quiet', '--no-ext-diff'], { ...opts, okCodes: [1] });
    const base = { node: at.node, attempt: at.attempt, parent };
    if (staged.code === 0) return { ...base, commit: parent, tree: await treeOf(parent, opts), changed: false, files: 0, added: 0, deleted: 0 };
    await git(['commit', '--quiet', '--no-verify', '-m', snapshotMessage(at.runId, at.node, at.attempt)], opts);
    const commit = (await resolveCommit('HEAD', opts)) as string;
    return { ...base, commit, tree: await treeOf(commit, opts), changed: true, ...(await diffStat(ws.gitDir, parent, commit)) };
  });
}

/** Puts the work tree and the run's branch at `commit` (a snapshot of this run); uncommitted changes are dropped. */
export function restoreWorkspace(ws: WorkspaceRef, commit: string): Promise<{ commit: string }> {
  return serialized(ws.gitDir, async () => {
    const opts = { gitDir: ws.gitDir, workTree: ws.dir };
    const target = await resolveCommit(commit, opts);
    if (!target) throw new StageConfigError(`cannot restore the run's workspace to ${commit}: no such commit in ${ws.gitDir}`);
    await git(['checkout', '--quiet', '--force', '-B', ws.branch, target], opts);
    await git(['clean', '--quiet', '-ffd'], opts);
    return { commit: target };
  });
}

/** Files changed and lines added/deleted between two commits (binary files count as changed, no lines). */
export async function diffStat(gitDir: string, from: string, to: string): Promise<{ files: number; added: number; deleted: number }> {
  const out = (await git(['diff', '--numstat', '--no-renames', '--no-ext-diff', '--no-textconv', from, to, '--'], { gitDir })).stdout;
  let files = 0;
  let added = 0;
  let deleted = 0;
  for (const line of out.split('\n')) {
    const [a, d] = line.split('\t');
    if (a === undefined || d === undefined) continue;
    files++;
    added += Number(a) || 0;
    deleted += Number(d) || 0;
  }
  return { files, added, deleted };
}
