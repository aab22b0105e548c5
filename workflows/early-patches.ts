// Patches asked in the run's first workflow task. `patched()` must be asked in the same workflow task
// on replay as in the run, but the SDK may resolve a local activity in an earlier task on replay than
// it did in the run (when the activity completed as its task was heartbeated or timed out: seen in the
// 200-gate drill with 1 s task timeouts). A patch first asked right after a local activity (the first
// stage after boot, close() after a local last stage) was then answered "no" on replay while its marker
// sat in a later task: a nondeterminism error on every replay of that run. New runs therefore ask these
// patches before anything else, where no local activity precedes them; a history without the early
// marker (recorded before this) is answered where it was asked then (the fallback below).

import { patched } from '@temporalio/workflow';

/** Runs with this marker (first in their history) ask the early patches first; runs without ask them where they are used. */
export const EARLY_PATCHES_PATCH = 'factory-early-patches';

/** Whether the run takes the patched path for `id`: from the run's early patches when it has them, else asked here. */
export function askPatch(patches: { has(id: string): boolean } | undefined, id: string): boolean {
  return patches ? patches.has(id) : patched(id);
}

/** The answers of the patches asked at the start; `has` falls back to asking where the patch is used. */
export class EarlyPatches {
  private readonly known: ReadonlySet<string>;
  /** The run carries EARLY_PATCHES_PATCH: started on this release (or later), not replaying an older one's history. */
  readonly current: boolean;

  /**
   * Asks every id now: call it in the run's first task, before any activity. Only in runs that carry
   * EARLY_PATCHES_PATCH: a run recorded before may hold some of these markers in its first task too, but
   * after others (boot's), and asking them first would reorder its commands.
   */
  constructor(ids: readonly string[]) {
    this.current = patched(EARLY_PATCHES_PATCH);
    this.known = this.current ? new Set(ids.filter((id) => patched(id))) : new Set();
  }

  /** True when the run takes the patched path for `id` (asked early, else here, as before). */
  has(id: string): boolean {
    return this.known.has(id) || patched(id);
  }
}
