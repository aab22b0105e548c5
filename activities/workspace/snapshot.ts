// Stage snapshots: after a stage, what it left in the workspace becomes a commit on the run's branch;
// restoring puts the work tree (and the branch) back at an earlier snapshot for a retry, a goal_gate
// detour or a rerun from a node. Ignored files (.gitignore: build outputs, node_modules) are neither
// snapshotted nor removed by a restore.

import { sanitizeLine } from '../../core/sanitize';
import type { ChangedFile, SnapshotRecord, WorkspaceChange, WorkspaceRef } from '../../core/workspace';
import { CHANGE_FILES_LISTED, CHANGE_PATH_MAX, snapshotMessage } from '../../core/workspace';
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

/** Tree ids of commits this process has seen (a commit's tree never changes): the no-change path asks git nothing more. */
const treeOfCommit = new Map<string, string>();
const TREE_CACHE_MAX = 10_000;
function rememberTree(commit: string, tree: string): void {
  if (treeOfCommit.size >= TREE_CACHE_MAX) treeOfCommit.delete(treeOfCommit.keys().next().value as string);
  treeOfCommit.set(commit, tree);
}

/**
 * Commits what changed since the branch head; a stage that changed nothing gets `changed: false` and the
 * head itself. First one `git status` (the head commit from its `--branch` header, every modified, added,
 * deleted, mode-changed and untracked path, one scan of the work tree, the index left as it is): nothing
 * listed is the no-change fast path, one git process (BENCHMARKS.md). Otherwise plumbing, not `git commit`:
 * one more scan (`add --all`) instead of two (commit refreshes the index again), and the tree compared by id
 * instead of a `diff --cached`.
 */
export function snapshotWorkspace(ws: WorkspaceRef, at: { runId: string; node: string; attempt: number }): Promise<SnapshotRecord> {
  return serialized(ws.gitDir, async () => {
    const opts = { gitDir: ws.gitDir, workTree: ws.dir };
    const status = await git(['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--ignore-submodules=none', '--no-renames'], { ...opts, okCodes: [128] });
    const fields = status.code === 0 ? status.stdout.split('\0').filter((f) => f !== '') : [];
    const oid = fields.find((f) => f.startsWith('# branch.oid '))?.slice('# branch.oid '.length);
    if (status.code !== 0 || !oid || !/^[0-9a-f]{40,64}$/.test(oid)) throw new StageConfigError(`the run's workspace ${ws.dir} has no HEAD commit (git directory ${ws.gitDir}); it was removed or damaged`);
    const parent = oid;
    const base = { node: at.node, attempt: at.attempt, parent };
    if (!fields.some((f) => !f.startsWith('# '))) {
      const tree = treeOfCommit.get(parent) ?? (await treeOf(parent, opts));
      rememberTree(parent, tree);
      return { ...base, commit: parent, tree, changed: false, files: 0, added: 0, deleted: 0 };
    }
    const parentTree = treeOfCommit.get(parent) ?? (await treeOf(parent, opts));
    await git(['add', '--all', '--', '.'], opts);
    const tree = (await git(['write-tree'], opts)).stdout.trim();
    // a file rewritten with its own content (or only touched) is listed by status and gives the same tree
    if (tree === parentTree) return { ...base, commit: parent, tree, changed: false, files: 0, added: 0, deleted: 0 };
    const commit = (await git(['commit-tree', tree, '-p', parent, '-m', snapshotMessage(at.runId, at.node, at.attempt)], opts)).stdout.trim();
    // HEAD is the run's branch: move it from the parent only (a concurrent writer makes this fail, not lose a commit)
    await git(['update-ref', '-m', 'factory snapshot', `refs/heads/${ws.branch}`, commit, parent], opts);
    rememberTree(commit, tree);
    return { ...base, commit, tree, changed: true, ...(await diffStat(ws.gitDir, parentTree, tree)) };
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

/** Files changed and lines added/deleted between two commits or trees (binary files count as changed, no lines). */
export async function diffStat(gitDir: string, from: string, to: string): Promise<{ files: number; added: number; deleted: number }> {
  const out = (await git(['diff-tree', '-r', '--numstat', '--no-renames', from, to], { gitDir })).stdout;
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

/**
 * What the run changed so far (a human gate shows it): every file from the workspace's start to `commit`
 * (default: the run branch's head) counted, the first CHANGE_FILES_LISTED by path listed with their
 * +/- lines. File names come from the agent: each is sanitized for one line and cut to CHANGE_PATH_MAX.
 */
export async function workspaceChange(input: { workspace: WorkspaceRef; commit?: string }): Promise<WorkspaceChange> {
  const ws = input.workspace;
  const opts = { gitDir: ws.gitDir };
  const commit = await resolveCommit(input.commit ?? `refs/heads/${ws.branch}`, opts);
  if (!commit) throw new StageConfigError(`the run's workspace ${ws.gitDir} has no commit ${input.commit ?? ws.branch}; it was removed or damaged`);
  const out = (await git(['diff-tree', '-r', '-z', '--numstat', '--no-renames', ws.start, commit], opts)).stdout;
  const change: WorkspaceChange = { commit, from: ws.start, files: 0, added: 0, deleted: 0, listed: [], more: 0 };
  // -z: `<added>\t<deleted>\t<path>\0` per file; a binary file has `-` for both counts
  for (const entry of out.split('\0')) {
    const m = /^(\d+|-)\t(\d+|-)\t([\s\S]+)$/.exec(entry);
    if (!m) continue;
    const [, a, d, path] = m as unknown as [string, string, string, string];
    const binary = a === '-' && d === '-';
    const file: ChangedFile = { path: shownPath(path), added: Number(a) || 0, deleted: Number(d) || 0, ...(binary ? { binary } : {}) };
    change.files++;
    change.added += file.added;
    change.deleted += file.deleted;
    if (change.listed.length < CHANGE_FILES_LISTED) change.listed.push(file);
    else change.more++;
  }
  return change;
}

function shownPath(path: string): string {
  const safe = sanitizeLine(path);
  return safe.length > CHANGE_PATH_MAX ? `${safe.slice(0, CHANGE_PATH_MAX - 1)}…` : safe;
}
