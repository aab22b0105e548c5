// Lint output order: the likely root causes (a typo'd attribute, shape or edge endpoint) before what
// they cause (an unreachable node, a dead end), each group in source order.
import type { Diagnostic } from '../core/diagnostics';

/** Rules that name a typo; their knock-on findings (reachability, exit_reachable, ...) follow them. */
export const ROOT_CAUSE_RULES: ReadonlySet<string> = new Set(['implicit_node', 'unknown_attr', 'unknown_shape', 'edge_target_exists']);

/** Stable reorder: root-cause rules first, per file; everything else keeps its order. */
export function rootCauseFirst(diags: readonly Diagnostic[]): Diagnostic[] {
  const isRoot = (d: Diagnostic) => ROOT_CAUSE_RULES.has(d.rule);
  const files = [...new Set(diags.map((d) => d.file ?? ''))];
  return files.flatMap((f) => {
    const mine = diags.filter((d) => (d.file ?? '') === f);
    return [...mine.filter(isRoot), ...mine.filter((d) => !isRoot(d))];
  });
}
