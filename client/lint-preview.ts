// What `factory run` prints before it starts a run: the pipeline's lint findings (warnings included),
// so a typo that changes the graph's meaning is seen before any stage runs, whatever the profile.
import { formatDiagnostic, sortDiagnostics } from '../core/diagnostics';
import { lintLoaded, lintSpecFile } from '../definitions/load';
import { openRegistries } from '../definitions/registry';
import type { SpecRef } from '../activities/types';
import { rootCauseFirst } from './root-cause';

/**
 * The lint lines for a pipeline ref (file or registry id@version), root causes first. Never throws:
 * a spec that cannot be read here is left to the worker's boot, which names the problem.
 */
export async function lintPreview(ref: SpecRef, root: string): Promise<string[]> {
  try {
    const loaded = ref.file !== undefined ? await lintSpecFile(ref.file) : lintLoaded((await openRegistries(root).specs.resolve('pipeline', ref.ref)).loaded);
    return rootCauseFirst(sortDiagnostics(loaded.diagnostics)).map((d) => `lint: ${formatDiagnostic(d)}`);
  } catch {
    return [];
  }
}
