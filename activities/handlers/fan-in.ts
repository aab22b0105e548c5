// `parallel.fan_in` nodes (Attractor §4.9): pick the best branch result by the heuristic
// (status rank, then higher score, then id). An LLM-ranked selection (node.prompt) is not implemented:
// the heuristic is used for every fan-in, so the choice is deterministic.

import { StageStatus } from '../../core/model';
import { failure, isStageStatus, type Outcome } from '../../core/outcome';
import type { Handler, StageContext } from '../handler-registry';

/** One branch result as the workflow's parallel step leaves it in context `parallel.results`. */
export interface BranchResult {
  id: string;
  status: StageStatus;
  score?: number;
}

const RANK: Readonly<Record<StageStatus, number>> = { success: 0, partial_success: 1, retry: 2, fail: 3, skipped: 4 };

/** Reads `parallel.results`, tolerating `outcome` for `status`; malformed entries are dropped. */
export function readBranchResults(value: unknown): BranchResult[] {
  if (!Array.isArray(value)) return [];
  const out: BranchResult[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    const status = r.status ?? r.outcome;
    if (typeof r.id !== 'string' || !isStageStatus(status)) continue;
    out.push({ id: r.id, status, ...(typeof r.score === 'number' && Number.isFinite(r.score) ? { score: r.score } : {}) });
  }
  return out;
}

/** Attractor's heuristic_select: best status, then highest score (missing = 0), then lexical id. */
export function heuristicSelect(results: readonly BranchResult[]): BranchResult | undefined {
  return [...results].sort(
    (a, b) => RANK[a.status] - RANK[b.status] || (b.score ?? 0) - (a.score ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )[0];
}

/** Selects the best candidate; FAIL when there is none or every candidate failed. */
export const fanInHandler: Handler = {
  async execute(stage: StageContext): Promise<Outcome> {
    const results = readBranchResults(stage.context['parallel.results']);
    const best = heuristicSelect(results);
    if (!best) return failure('No parallel results to evaluate');
    const context_updates = { 'parallel.fan_in.best_id': best.id, 'parallel.fan_in.best_outcome': best.status };
    if (best.status === StageStatus.fail || best.status === StageStatus.skipped) {
      return { status: StageStatus.fail, failure_reason: `all ${results.length} parallel branches failed`, context_updates };
    }
    return { status: StageStatus.success, context_updates, notes: `Selected best candidate: ${best.id}` };
  },
};
