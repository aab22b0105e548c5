// Patches asked in the run's first workflow task. `patched()` must be asked in the same workflow task
// on replay as in the run, but the SDK may resolve a local activity in an earlier task on replay than
// it did in the run (when the activity completed as its task was heartbeated or timed out: seen in the
// 200-gate drill with 1 s task timeouts). A patch first asked right after a local activity (the first
// stage after boot, close() after a local last stage) was then answered "no" on replay while its marker
// sat in a later task: a nondeterminism error on every replay of that run. New runs therefore ask these
// patches before anything else, where no local activity precedes them; a history recorded by r2 or
// earlier is answered where it was asked then (the fallback below).

import { patched, workflowInfo } from '@temporalio/workflow';
import { maybeGetActivator } from '@temporalio/workflow/lib/global-attributes';

/** Whether the run takes the patched path for `id`: from the run's early patches when it has them, else asked here. */
export function askPatch(patches: { has(id: string): boolean } | undefined, id: string): boolean {
  return patches ? patches.has(id) : patched(id);
}

/**
 * The patch markers the task being replayed holds (the SDK's `notifyHasPatch` jobs, handled before the
 * workflow function runs). No public API tells whether a marker is present without `patched()` writing
 * one, and writing one out of its recorded order is itself a nondeterminism error. Pinned SDK internals:
 * the r2 and r3 replays (test/replay/) fail loudly if an SDK upgrade moves them.
 */
function presentPatches(): ReadonlySet<string> {
  const known = (maybeGetActivator() as unknown as { knownPresentPatches?: unknown } | undefined)?.knownPresentPatches;
  if (!(known instanceof Set)) throw new Error('early patches: the Temporal SDK no longer exposes knownPresentPatches (workflows/early-patches.ts)');
  return known as ReadonlySet<string>;
}

/** The answers of the patches asked at the start; `has` falls back to asking where the patch is used. */
export class EarlyPatches {
  private readonly known: ReadonlySet<string>;
  /** The run asks these patches first (started on r3 or later), not replaying an r2-or-older history. */
  readonly current: boolean;

  /**
   * Asks every id now: call it in the run's first task, before any activity. A new run always does. A
   * replayed one does when its first task holds every id's marker: runs since r3 asked them all there, in
   * this order, while an r2 run held at most some of them, after boot's markers (finalize's and the
   * manager's can never share r2's first task), and asking them first would reorder its commands.
   */
  constructor(ids: readonly string[]) {
    const present = workflowInfo().unsafe.isReplaying ? presentPatches() : undefined;
    this.current = !present || ids.every((id) => present.has(id));
    this.known = this.current ? new Set(ids.filter((id) => patched(id))) : new Set();
  }

  /** True when the run takes the patched path for `id` (asked early, else here, as before). */
  has(id: string): boolean {
    return this.known.has(id) || patched(id);
  }
}
