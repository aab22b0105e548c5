// `rerun --from <node>`: the new run's workspace starts at the snapshot the earlier run had before that
// node (the parent of the node's last snapshot, from `<old run>/<node>/snapshot.json`), fetched from the
// earlier run's workspace while it is kept, else from the candidate remote beside it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnapshotRecord, WorkspaceRecord } from '../../core/workspace';
import { SNAPSHOT_FILE, stageDirName } from '../stage';
import { git, isObjectId, resolveCommit } from './git';
import { defaultRemote, runRootOf } from './paths';

/** Where a rerun starts: the earlier run's directory and the node to start from. */
export interface RerunFrom {
  runDir: string;
  node: string;
}

/** The commit to start from and the repositories that may hold it; causes (BOOT_FAILURE) when the earlier run recorded none. */
export function rerunSource(from: RerunFrom): { commit?: string; repos: { path: string; refs: string[] }[]; causes: string[] } {
  const old = readJson<WorkspaceRecord>(join(from.runDir, 'workspace.json'));
  if (!old) return { repos: [], causes: [`rerun from ${from.node}: ${from.runDir} has no workspace.json (the run was made without a workspace)`] };
  const snap = readJson<SnapshotRecord>(join(from.runDir, stageDirName(from.node), SNAPSHOT_FILE));
  if (!snap || !isObjectId(snap.parent)) return { repos: [], causes: [`rerun from ${from.node}: the run in ${from.runDir} has no snapshot of stage ${JSON.stringify(from.node)} (it never ran there)`] };
  const remote = defaultRemote(runRootOf(old.gitDir));
  const candidates = `+refs/${old.branch.replace(/^factory\//, 'factory/candidates/')}/*:refs/factory/rerun-source/*`;
  return {
    commit: snap.parent,
    repos: [
      { path: old.gitDir, refs: [snap.parent, `+refs/heads/${old.branch}:refs/factory/rerun-source/branch`] },
      { path: remote, refs: [snap.parent, candidates] },
    ].filter((r) => existsSync(r.path)),
    causes: [],
  };
}

/** Fetches `commit` into the workspace from the first repository that has it (by id, else by the refs that reach it); whether it arrived. */
export async function fetchSnapshot(gitDir: string, commit: string, repos: readonly { path: string; refs: string[] }[]): Promise<boolean> {
  for (const repo of repos) {
    for (const ref of repo.refs) {
      await git(['fetch', '--quiet', '--no-tags', '--', repo.path, ref], { gitDir, okCodes: [1, 128] });
      if (await resolveCommit(commit, { gitDir })) return true;
    }
  }
  return false;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
