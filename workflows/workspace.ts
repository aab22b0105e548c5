// The run's own workspace as the run workflow sees it (issue 21, SPEC §5a): where the run branch's head
// is, the head before each main-line node last started (what a retry or a goal_gate detour restores),
// the candidate published before evaluation, the approved branch, and the keep policy after finalize.
// Workflow code: the git work is done by activities (activities/workspace/).

import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { PipelineActivityContract as PipelineActivities, StageInput } from '../core/contracts';
import { errorMessage } from '../core/failures';
import { FailureDomain } from '../core/run-model';
import type { CandidateSnapshot, SnapshotRecord, WorkspaceChange, WorkspaceRecord } from '../core/workspace';
import type { CarriedWorkspace } from './types';

/** Pushes and removals: a few retries; an EVAL_FAILURE (the remote refused the commit) or a bad setting is final. */
const wsActs = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: [FailureDomain.eval, 'StageConfigError'] },
});

/** A human gate opening: reads only, so a short bound; the gate opens without the change when it cannot be read. */
const changeActs = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumAttempts: 3, nonRetryableErrorTypes: ['StageConfigError'] },
  summary: 'what the run changed so far, for the gate',
});

/** What a stage attempt gets (StageInput.workspace). */
export type StageWorkspace = NonNullable<StageInput['workspace']>;

/** Where the run's workspace stands; every method is a no-op for a run without a workspace (older runs). */
export class RunWorkspace {
  private head?: string;
  private before: Record<string, string>;
  /** A goal_gate detour's restore, applied by the next main-line stage's first attempt. */
  private restoreNext?: string;
  /** Parallel lanes' snapshots that arrived before their parent became the head: parent → commit. */
  private readonly pending = new Map<string, string>();

  /**
   * `carried`: from continue-as-new; without it a fresh run starts at the workspace's start, and a resumed one
   * (`resumed`) at the head its checkpoint names (boot's resumeWorkspace put the workspace there), or — a
   * checkpoint of an older release — at an unknown head (the branch's).
   */
  constructor(
    readonly record: WorkspaceRecord | undefined,
    carried?: CarriedWorkspace,
    resumed?: { head?: string },
  ) {
    this.head = carried ? carried.head : resumed ? resumed.head : record?.start;
    this.before = { ...(carried?.before ?? {}) };
    this.restoreNext = carried?.restoreNext;
  }

  /** The commit the next main-line stage starts from (a pending detour's restore, else the head); what checkpoint.json records. */
  nextStart(): string | undefined {
    if (!this.record) return undefined;
    return this.restoreNext ?? (this.pending.size === 0 ? this.head : undefined);
  }

  /** What continue-as-new carries (undefined without a workspace). */
  carry(): CarriedWorkspace | undefined {
    if (!this.record) return undefined;
    return { ...(this.head !== undefined ? { head: this.head } : {}), before: { ...this.before }, ...(this.restoreNext !== undefined ? { restoreNext: this.restoreNext } : {}) };
  }

  /** A main-line node starts: remembers the head before it (a goal_gate detour to it restores this). */
  nodeStarting(node: string, branch: string | undefined): void {
    const head = this.restoreNext ?? this.head;
    if (this.record && branch === undefined && head !== undefined) this.before[node] = head;
  }

  /** A goal_gate detour to `target`: the next main-line stage starts from the snapshot before `target` last ran. */
  detourTo(target: string): void {
    const to = this.before[target];
    if (this.record && to !== undefined) this.restoreNext = to;
  }

  /**
   * The workspace for a stage's attempts: attempts after the first restore the head before the first
   * (undoing a failed attempt's files) when `restore` says so; the first restores a pending detour.
   * Parallel lanes share the workspace and run at once, so they never restore (a lane's retry sees its
   * failed attempt's files).
   */
  forStage(branch: string | undefined): ((attempt: number, restore: boolean) => StageWorkspace) | undefined {
    if (!this.record) return undefined;
    const { dir, gitDir, branch: runBranch, start } = this.record;
    const ref: StageWorkspace = { dir, gitDir, branch: runBranch, start };
    if (branch !== undefined) return () => ref;
    const first = this.restoreNext;
    this.restoreNext = undefined;
    if (first !== undefined) this.head = first;
    const headBefore = this.head;
    return (attempt, restore) => {
      const restoreTo = attempt === 1 ? first : restore ? headBefore : undefined;
      return restoreTo !== undefined ? { ...ref, restoreTo } : ref;
    };
  }

  /** A stage's last attempt ended with `snapshot`: the run branch's head moves to it (lanes: in parent order). */
  snapshotTaken(snapshot: SnapshotRecord | undefined, branch: string | undefined): void {
    if (!snapshot || !this.record) return;
    if (branch === undefined || this.head === undefined || snapshot.parent === this.head) this.head = snapshot.commit;
    else if (snapshot.commit !== snapshot.parent) this.pending.set(snapshot.parent, snapshot.commit);
    for (let next = this.pending.get(this.head); next !== undefined && next !== this.head; next = this.pending.get(this.head)) {
      this.pending.delete(this.head);
      this.head = next;
    }
  }

  /** Pushes the run's last snapshot to the candidate remote (EVAL_FAILURE naming the commit when it cannot be). */
  async publishCandidate(runId: string, runRoot: string, remote: string | undefined): Promise<CandidateSnapshot | undefined> {
    if (!this.record) return undefined;
    // a lane snapshot never joined the chain (a lost attempt's commit): the branch's own head is the truth
    const commit = this.pending.size === 0 ? this.head : undefined;
    return wsActs.publishCandidate({ runId, runRoot, workspace: this.ref(), ...(commit !== undefined ? { commit } : {}), ...(remote !== undefined ? { remote } : {}) });
  }

  /**
   * What the run changed up to now (a human gate opening shows it): its start against the head the walk
   * knows (the branch's head while a parallel lane's snapshot is not yet in the chain). Undefined without a
   * workspace, or when the workspace cannot be read (the gate opens all the same).
   */
  async changeSoFar(): Promise<WorkspaceChange | undefined> {
    if (!this.record) return undefined;
    const commit = this.pending.size === 0 ? this.head : undefined;
    try {
      return await changeActs.workspaceChange({ workspace: this.ref(), ...(commit !== undefined ? { commit } : {}) });
    } catch (err) {
      if (isCancellation(err)) throw err;
      return undefined;
    }
  }

  /** Where a manager loop's child run starts: the parent's workspace repository at its head (undefined when the head is unknown: the child clones the base). */
  childStart(): { gitDir: string; commit: string } | undefined {
    const commit = this.nextStart();
    return this.record && commit !== undefined ? { gitDir: this.record.gitDir, commit } : undefined;
  }

  /**
   * A manager loop's child succeeded: its published commit brought into this workspace (fast-forward, or a merge
   * when the head moved since `base`). The snapshot the manager node ends with, or the conflicting files.
   */
  async mergeChild(runId: string, node: string, base: string, child: { commit: string; remote: string; ref: string; runId: string }): Promise<{ snapshot?: SnapshotRecord; conflicts?: string[] }> {
    if (!this.record) return {};
    return wsActs.mergeChildWorkspace({ runId, node, workspace: this.ref(), base, child });
  }

  /** On approval with environment.workspace.publish_branch: the branch pushed, or why it could not be (the approval stands). */
  async publishApproved(runId: string, runRoot: string, commit: string, branch: string, remote: string | undefined): Promise<{ publishedBranch: string } | { publishError: string }> {
    if (!this.record) return { publishError: 'the run has no workspace' };
    try {
      const pushed = await wsActs.publishApproved({ runId, runRoot, workspace: this.ref(), commit, branch, ...(remote !== undefined ? { remote } : {}) });
      return { publishedBranch: pushed.branch };
    } catch (err) {
      return { publishError: errorMessage(err).slice(0, 500) };
    }
  }

  /** After finalize: environment.workspace.keep applied. Housekeeping: a failure leaves the workspace on disk and the run as it ended. */
  async release(runId: string, runRoot: string, keep: 'never' | 'on_failure' | 'always', succeeded: boolean): Promise<void> {
    if (!this.record) return;
    try {
      await wsActs.releaseWorkspace({ runRoot, runId, keep, succeeded });
    } catch {
      // the run is frozen: nothing left to record it in; the workspace stays for an operator to remove
    }
  }

  private ref(): { dir: string; gitDir: string; branch: string; start: string } {
    const { dir, gitDir, branch, start } = this.record as WorkspaceRecord;
    return { dir, gitDir, branch, start };
  }
}

/** The decision gate's one-line account of what changed, e.g. `3 files, +10 -2 at 1a2b3c4d5e6f`. */
export function changeLine(c: CandidateSnapshot | undefined): string | undefined {
  if (!c) return undefined;
  const stat = c.change ? `${c.change.files} file${c.change.files === 1 ? '' : 's'}, +${c.change.added} -${c.change.deleted}` : 'changes unknown';
  return `${stat} at ${c.commit.slice(0, 12)}`;
}

/** A candidate snapshot as event data (run.evaluating, the decision gate). */
export function candidateEventData(c: CandidateSnapshot): Record<string, unknown> {
  return { commit: c.commit, tree: c.tree, remote: c.remote, ref: c.ref, ...(c.change ? { from: c.change.from, files: c.change.files, added: c.change.added, deleted: c.change.deleted } : {}) };
}

/** A stage snapshot as stage.completed/stage.failed data. */
export function snapshotEventData(s: SnapshotRecord): Record<string, unknown> {
  return { commit: s.commit, tree: s.tree, parent: s.parent, changed: s.changed, files: s.files, added: s.added, deleted: s.deleted };
}
