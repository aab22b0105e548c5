// A run's own workspace: a local clone of the base at the pinned commit (or a copy of a plain directory)
// under the run root, on the run's branch `factory/<runId>`. Measured against `git worktree add`
// (BENCHMARKS.md, issue 21): `clone --local --no-checkout` + `checkout` costs the same, and unlike a
// worktree it writes nothing into the base (no worktree metadata, no branch, no objects: they are
// hardlinked, so a later gc of the base cannot take them away either). The git directory lives beside
// the work tree, not in it: stages (the agent) see plain files, and factory always names both paths.

import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import type { BaseRecord, WorkspaceKeep, WorkspaceRecord } from '../../core/workspace';
import { writeJsonAtomic } from '../atomic-files';
import { bootFailure } from '../errors';
import { dirtyCause, dirtyPaths, locateBase, type BaseRequest, type DirtyPath } from './base';
import { fetchSnapshot, rerunSource, type RerunFrom } from './from-run';
import { git, resolveCommit, runBranch, treeOf } from './git';
import { workspaceHome } from './paths';
import { copyTree, DEFAULT_BASE_LIMITS, excludedFromCopy, plainBaseCauses } from './plain-base';

export { workspaceHome };

/** The record a workspace directory holds about itself (a retried createRun reuses a complete one). */
export const RECORD = 'workspace.json';

/**
 * Creates the run's workspace from its base; BOOT_FAILURE for what the profile must fix (the base is
 * missing, dirty, or the ref names no commit). Idempotent: a retry returns the workspace a previous
 * attempt finished, and replaces one it left half made.
 */
export async function createWorkspace(input: { runId: string; runRoot: string; base: BaseRequest }): Promise<WorkspaceRecord> {
  const home = workspaceHome(input.runRoot, input.runId);
  const done = await readRecord(home);
  if (done && (await resolveCommit(done.branch, { gitDir: done.gitDir }).catch(() => undefined))) return done;
  if (input.base.fromWorkspace) return childWorkspace(input.runId, home, input.base.fromWorkspace);
  const { base, causes } = await locateBase(input.base);
  if (!base) throw bootFailure('workspace', causes);
  // a plain base is checked before anything is made: the run root (created here, as the run directory's parent) must not be copied into itself
  const runRoot = base.kind === 'directory' ? await mkdir(input.runRoot, { recursive: true }).then(() => realpath(input.runRoot)) : '';
  if (base.kind === 'directory') {
    const refused = await plainBaseCauses(base.path, runRoot, input.base.limits ?? DEFAULT_BASE_LIMITS);
    if (refused.length > 0) throw bootFailure('workspace', refused);
  }
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  const dir = join(home, 'tree');
  const gitDir = join(home, 'git');
  const branch = runBranch(input.runId);
  const at = { gitDir, workTree: dir };
  let record: BaseRecord;
  if (base.kind === 'git') {
    // the base's status (a scan of its work tree) overlaps the clone: both only read the base; a rerun ignores it
    const [dirty, cloned] = await Promise.allSettled([input.base.from ? Promise.resolve([]) : dirtyPaths(base.path), cloneInto(base.path, at)]);
    if (dirty.status === 'rejected' || cloned.status === 'rejected' || (dirty.value.length > 0 && !input.base.allowDirty)) {
      await rm(home, { recursive: true, force: true });
      if (dirty.status === 'rejected') throw dirty.reason;
      if (cloned.status === 'rejected') throw cloned.reason;
      throw bootFailure('workspace', [dirtyCause(base.path, dirty.value)]);
    }
    await git(['checkout', '--quiet', '-B', branch, base.commit], at);
    record = { kind: 'git', path: base.path, commit: base.commit, ...(base.ref !== undefined ? { ref: base.ref } : {}) };
    if (dirty.value.length > 0) {
      await copyDirty(base.path, dir, dirty.value);
      const commit = await commitAll(at, `factory: run ${input.runId} dirty base snapshot (${dirty.value.length} path(s))`);
      record.dirty = { files: dirty.value.map((d) => d.path), commit, tree: await treeOf(commit, at) };
    }
  } else {
    await git(['init', '--quiet', `--initial-branch=${branch}`, `--separate-git-dir=${gitDir}`, dir]);
    await rm(join(dir, '.git'), { force: true });
    await configure(gitDir);
    await copyTree(base.path, dir, excludedFromCopy(base.path, runRoot));
    const commit = await commitAll(at, `factory: run ${input.runId} base directory snapshot`, ['--force']);
    record = { kind: 'directory', path: base.path, commit, tree: await treeOf(commit, at) };
  }
  // a rerun moves the fresh workspace to the earlier run's snapshot (only the files that differ are written)
  const from = input.base.from ? await fetchRerunStart(input.base.from, at, home) : undefined;
  if (from) {
    await git(['checkout', '--quiet', '--force', '-B', branch, from.commit], at);
    await git(['clean', '--quiet', '-ffd'], at);
  }
  const start = from?.commit ?? (record.kind === 'git' ? (record.dirty?.commit ?? record.commit) : record.commit);
  const ws: WorkspaceRecord = { dir, gitDir, branch, start, base: record, ...(from ? { from } : {}) };
  await writeJsonAtomic(join(home, RECORD), ws);
  return ws;
}

/** A manager loop's child: a clone of the parent's workspace repository at the parent's head (BOOT_FAILURE when it is not there). */
async function childWorkspace(runId: string, home: string, from: { gitDir: string; commit: string }): Promise<WorkspaceRecord> {
  if (!(await resolveCommit(from.commit, { gitDir: from.gitDir }).catch(() => undefined))) {
    throw bootFailure('workspace', [`the parent run's workspace ${from.gitDir} has no commit ${from.commit} for its child run to start from (removed or damaged)`]);
  }
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  const at = { gitDir: join(home, 'git'), workTree: join(home, 'tree') };
  const branch = runBranch(runId);
  await cloneInto(from.gitDir, at);
  await git(['checkout', '--quiet', '-B', branch, from.commit], at);
  const ws: WorkspaceRecord = { dir: at.workTree, gitDir: at.gitDir, branch, start: from.commit, base: { kind: 'git', path: from.gitDir, commit: from.commit } };
  await writeJsonAtomic(join(home, RECORD), ws);
  return ws;
}

/** The workspace a previous createRun finished, if its record is there. */
async function readRecord(home: string): Promise<WorkspaceRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(home, RECORD), 'utf8')) as WorkspaceRecord;
  } catch {
    return undefined;
  }
}

/** The workspace repository's own settings: no background gc (snapshots stay until the workspace goes), fast status on big trees. */
const WORKSPACE_CONFIG = ['gc.auto=0', 'core.untrackedCache=true', 'commit.gpgSign=false', 'checkout.workers=0'];

/** clone --local (objects hardlinked, config set in the same call), without a checkout or a remote. */
async function cloneInto(base: string, at: { gitDir: string; workTree: string }): Promise<void> {
  const config = WORKSPACE_CONFIG.flatMap((c) => ['--config', c]);
  await git(['clone', '--quiet', '--local', '--no-checkout', ...config, `--separate-git-dir=${at.gitDir}`, '--', base, at.workTree]);
  await rm(join(at.workTree, '.git'), { force: true });
  await git(['remote', 'remove', 'origin'], at);
}

/** A rerun's start commit, fetched from the earlier run's workspace or candidate remote; BOOT_FAILURE when neither has it. */
async function fetchRerunStart(from: RerunFrom, at: { gitDir: string }, home: string): Promise<{ runDir: string; node: string; commit: string }> {
  const source = rerunSource(from);
  const found = source.commit !== undefined && (await fetchSnapshot(at.gitDir, source.commit, source.repos));
  if (source.commit === undefined || !found) {
    await rm(home, { recursive: true, force: true });
    throw bootFailure('workspace', source.causes.length ? source.causes : [
      `rerun from ${from.node}: snapshot ${source.commit} of the run in ${from.runDir} is neither in its workspace nor in its candidate remote (removed, or never published)`,
    ]);
  }
  return { runDir: from.runDir, node: from.node, commit: source.commit };
}

/** A fresh repository's settings (the plain-directory case; a clone gets them with --config). */
export async function configure(gitDir: string): Promise<void> {
  for (const c of WORKSPACE_CONFIG) {
    const [k, v] = c.split('=') as [string, string];
    await git(['config', k, v], { gitDir });
  }
}

/** Stages every path of the work tree and commits it; returns the commit (HEAD when nothing changed). */
export async function commitAll(at: { gitDir: string; workTree: string }, message: string, addFlags: string[] = []): Promise<string> {
  await git(['add', '--all', ...addFlags, '--', '.'], at);
  await git(['commit', '--quiet', '--allow-empty', '--no-verify', '-m', message], at);
  return (await resolveCommit('HEAD', at)) as string;
}

/** Brings the base's uncommitted state into the workspace: changed and new paths copied, deleted ones removed. */
async function copyDirty(base: string, dir: string, dirty: readonly DirtyPath[]): Promise<void> {
  for (const d of dirty) {
    const target = join(dir, d.path);
    if (d.deleted) {
      await rm(target, { recursive: true, force: true });
      continue;
    }
    if (!(await lstat(join(base, d.path)).catch(() => undefined))) continue;
    await mkdir(dirname(target), { recursive: true });
    await cp(join(base, d.path), target, { recursive: true, force: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
}

/** After finalize: removes the workspace unless the policy keeps it (`on_failure`: kept when the run did not succeed). */
export async function releaseWorkspace(input: { runRoot: string; runId: string; keep: WorkspaceKeep; succeeded: boolean }): Promise<{ removed: boolean; dir: string }> {
  const home = workspaceHome(input.runRoot, input.runId);
  const keep = input.keep === 'always' || (input.keep === 'on_failure' && !input.succeeded);
  if (!keep) await rm(home, { recursive: true, force: true });
  return { removed: !keep, dir: home };
}
