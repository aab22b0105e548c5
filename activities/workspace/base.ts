// The base a run starts from (environment.workdir): a git repository's commit (HEAD, or the profile's
// environment.ref / `factory run --ref`), or a plain directory. Reads the base only: `status` runs
// without optional locks, so not even the base's index is refreshed.

import { realpath, stat } from 'node:fs/promises';
import type { BaseRequest } from '../../core/workspace';
import { git, GitError, resolveCommit } from './git';

export type { BaseRequest };

/** The base as found: a repository with the commit to start from, or a plain directory. */
export type LocatedBase = { kind: 'git'; path: string; commit: string; ref?: string } | { kind: 'directory'; path: string };

/** One uncommitted path of the base: changed or new (copy it), or deleted (remove it). */
export interface DirtyPath {
  path: string;
  deleted: boolean;
}

/** Most dirty files a BOOT_FAILURE lists by name. */
const LISTED = 20;

/**
 * Finds the base and the commit to start from; returns causes (for a BOOT_FAILURE) instead of throwing for
 * what the profile must fix: a missing base, a ref that names no commit, a ref on a plain directory.
 * Whether a repository is dirty is asked separately (dirtyPaths), so it can overlap the clone.
 */
export async function locateBase(req: BaseRequest): Promise<{ base?: LocatedBase; causes: string[] }> {
  const st = await stat(req.path).catch(() => undefined);
  if (!st?.isDirectory()) return { causes: [`environment.workdir ${req.path} (the run's base) is not a directory`] };
  const path = await realpath(req.path);
  const top = await git(['rev-parse', '--show-toplevel'], { cwd: path, okCodes: [128] }).catch(() => undefined);
  const isRepo = top !== undefined && top.code === 0 && (await realpath(top.stdout.trim()).catch(() => '')) === path;
  if (!isRepo) {
    if (req.ref !== undefined) return { causes: [`environment.ref ${JSON.stringify(req.ref)} is set, but the base ${path} is not the top of a git repository (a plain directory is copied as it is)`] };
    return { base: { kind: 'directory', path }, causes: [] };
  }
  const rev = req.ref ?? 'HEAD';
  if (rev.startsWith('-')) return { causes: [`environment.ref ${JSON.stringify(rev)} is not a ref name`] };
  const commit = await resolveCommit(rev, { cwd: path });
  if (!commit) return { causes: [`${req.ref === undefined ? 'HEAD' : `environment.ref ${JSON.stringify(rev)}`} names no commit in the base repository ${path}`] };
  return { base: { kind: 'git', path, commit, ...(req.ref !== undefined ? { ref: req.ref } : {}) }, causes: [] };
}

/** The BOOT_FAILURE cause for a dirty base the profile does not allow: the files by name, and the setting. */
export function dirtyCause(path: string, dirty: readonly DirtyPath[]): string {
  const names = dirty.slice(0, LISTED).map((d) => JSON.stringify(d.path)).join(', ');
  const more = dirty.length > LISTED ? ` and ${dirty.length - LISTED} more` : '';
  return (
    `the base repository ${path} has ${dirty.length} uncommitted path(s): ${names}${more}; commit or stash them, ` +
    'or set environment.allow_dirty_base: true in the profile to run on them (they are then snapshotted and recorded)'
  );
}

/** Uncommitted paths of a repository's work tree (changed, staged, deleted, untracked; not ignored), sorted. */
export async function dirtyPaths(repo: string): Promise<DirtyPath[]> {
  let out: string;
  try {
    out = (await git(['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=none'], { cwd: repo })).stdout;
  } catch (err) {
    if (err instanceof GitError) throw new Error(`cannot read the status of the base repository ${repo}: ${err.message}`);
    throw err;
  }
  const found = new Map<string, DirtyPath>();
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] as string;
    if (entry.length < 4) continue;
    const xy = entry.slice(0, 2);
    const path = entry.slice(3);
    // a rename or copy is followed by its source: the source is gone (rename) or unchanged (copy)
    if (xy.includes('R') || xy.includes('C')) {
      const source = fields[++i];
      if (xy.includes('R') && source) found.set(source, { path: source, deleted: true });
    }
    found.set(path, { path, deleted: xy.includes('D') && !xy.includes('?') });
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
