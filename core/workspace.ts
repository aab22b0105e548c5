// The run's workspace as data (issue 21, SPEC §5a): the pinned base a run starts from, the workspace
// it writes, the snapshots its stages end with, and the published candidate. Plain JSON that crosses
// between activities and workflow code; every field a workflow carries is optional in older runs.

/** What the workflow asks of the base (from the profile's environment section). */
export interface BaseRequest {
  /** environment.workdir, absolute. */
  path: string;
  /** A branch, tag or commit of the base repository; HEAD when absent. */
  ref?: string;
  /** environment.allow_dirty_base: use uncommitted changes (snapshotted and recorded) instead of refusing. */
  allowDirty?: boolean;
  /**
   * `rerun --from <node>`: start at the snapshot the earlier run in `runDir` had before `node` (instead of the
   * base's commit; the base's uncommitted state is then not used).
   */
  from?: { runDir: string; node: string };
  /** A stack.manager_loop child: start from the parent's head, cloned from the parent's workspace repository (instead of the base). */
  fromWorkspace?: { gitDir: string; commit: string };
  /** A plain-directory base larger than this is refused (environment.workspace.max_base_bytes / max_base_files). */
  limits?: { maxBytes: number; maxFiles: number };
}

/** The base a run was made from: a git commit of a repository, or a plain directory's content digest. */
export type BaseRecord =
  | {
      kind: 'git';
      /** Absolute path of the base repository (environment.workdir). */
      path: string;
      /** What was asked for (environment.ref / `factory run --ref`); HEAD when absent. */
      ref?: string;
      /** The commit `ref` (or HEAD) resolved to at boot. */
      commit: string;
      /** Set when the base had uncommitted changes and environment.allow_dirty_base let the run use them. */
      dirty?: { files: string[]; commit: string; tree: string };
    }
  | {
      kind: 'directory';
      path: string;
      /** Git tree id of the copy (a content digest of every path, mode and byte), and the commit holding it. */
      tree: string;
      commit: string;
    };

/** Where a run's workspace lives and which commit it started at; what the stage activity needs. */
export interface WorkspaceRef {
  /** The work tree stages run in (their workdir). */
  dir: string;
  /** The workspace's git directory, kept outside the work tree (the agent never sees it). */
  gitDir: string;
  /** The run's own branch, `factory/<runId>`. */
  branch: string;
  /** The commit the run starts from (the base commit, or the dirty/directory snapshot on top of it). */
  start: string;
}

/** What createRun records about the workspace (run.json `workspace`, workspace.json). */
export interface WorkspaceRecord extends WorkspaceRef {
  base: BaseRecord;
  /** A rerun's start: the earlier run's snapshot before `node` (then `start` is that commit). */
  from?: { runDir: string; node: string; commit: string };
}

/** One snapshot: the commit a stage attempt ended at, and the commit it started from. */
export interface SnapshotRecord {
  commit: string;
  /** Git tree id of the commit: the digest a scenario worker checks. */
  tree: string;
  /** The commit before this stage (its diff base). */
  parent: string;
  /** false when the stage changed no file (commit === parent). */
  changed: boolean;
  node: string;
  attempt: number;
  /** Files changed, lines added and deleted against `parent`. */
  files: number;
  added: number;
  deleted: number;
}

/** A candidate published to a git remote: what a scenario worker fetches and checks. */
export interface CandidateSnapshot {
  /** Git remote URL or path (a bare repository under the run root by default). */
  remote: string;
  /** The ref the commit was pushed to (`refs/factory/candidates/<runId>/<commit>`). */
  ref: string;
  commit: string;
  tree: string;
  /** What the run changed: files and +/- lines from the workspace's start to `commit` (for gates and prompts). */
  change?: { from: string; files: number; added: number; deleted: number };
}

/** What happens to a run's workspace after finalize (environment.workspace.keep). */
export const WORKSPACE_KEEP = ['never', 'on_failure', 'always'] as const;
export type WorkspaceKeep = (typeof WORKSPACE_KEEP)[number];

/** The deterministic message of a stage snapshot. */
export function snapshotMessage(runId: string, node: string, attempt: number): string {
  return `factory: run ${runId} node ${node} attempt ${attempt}`;
}

/** Most files a gate lists by name; the rest are counted (`and K more`). */
export const CHANGE_FILES_LISTED = 20;
/** Longest file name a gate shows (longer ones are cut with an ellipsis). */
export const CHANGE_PATH_MAX = 200;

/** One changed file as a gate lists it: its name (sanitized: it comes from the agent) and +/- lines (binary: no lines). */
export interface ChangedFile {
  path: string;
  added: number;
  deleted: number;
  binary?: boolean;
}

/** What a run changed so far, as a human gate shows it (issue 21): from its start to its current head. */
export interface WorkspaceChange {
  /** The workspace head the change is at (the last snapshot). */
  commit: string;
  /** The commit the run started from (the base commit, or the dirty/directory snapshot on top of it). */
  from: string;
  files: number;
  added: number;
  deleted: number;
  /** The first CHANGE_FILES_LISTED files by path. */
  listed: ChangedFile[];
  /** Files changed but not listed. */
  more: number;
}

/** A human gate's account of the change, one line then one per listed file, e.g. `3 files, +10 -2 at 1a2b3c4d5e6f (since 0f9e8d7c6b5a)`. */
export function changeLines(c: WorkspaceChange): string[] {
  const head = c.files === 0 ? `no files changed at ${c.commit.slice(0, 12)}` : `${c.files} file${c.files === 1 ? '' : 's'}, +${c.added} -${c.deleted} at ${c.commit.slice(0, 12)} (since ${c.from.slice(0, 12)})`;
  const lines = [head, ...c.listed.map((f) => `${f.path} ${f.binary ? '(binary)' : `+${f.added} -${f.deleted}`}`)];
  if (c.more > 0) lines.push(`and ${c.more} more`);
  return lines;
}

/** A manager loop's failure when its child's changes conflict with the parent's workspace: the files by name (at most 20). */
export function conflictReason(childRunId: string, files: readonly string[]): string {
  const more = files.length > 20 ? ` and ${files.length - 20} more` : '';
  return `child run ${childRunId} succeeded, but its changes conflict with the parent's workspace in ${files.length} file(s): ${files.slice(0, 20).map((f) => JSON.stringify(f)).join(', ')}${more}`;
}
