// `parallel.fan_in` nodes (Attractor §4.9): pick the best branch result. With a prompt, the profile's
// provider ranks the candidates (llm_evaluate) through the same codergen backend entry point
// (`CodergenBackend.run`), and its answer must name a candidate id; without a prompt, or when the answer
// names none, the heuristic decides (status rank, then higher score, then id).

import { StageStatus } from '../../core/model';
import { failure, isStageStatus, type Outcome } from '../../core/outcome';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StageConfigError } from '../errors';
import type { Handler, StageContext } from '../handler-registry';
import type { CodergenBackends } from './codergen';

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

/** The ranking prompt: the node's instruction, then the candidates as JSON, then the answer format. */
export function rankingPrompt(instruction: string, results: readonly BranchResult[]): string {
  return `${instruction}\n\nCandidates (parallel branch results):\n${JSON.stringify(results, null, 2)}\n\nAnswer with JSON {"best_id": "<candidate id>"}.`;
}

/** The candidate an LLM answer names: `{"best_id": ...}`, else the first candidate id it mentions. */
export function rankedChoice(response: string, results: readonly BranchResult[]): BranchResult | undefined {
  const json = /\{[\s\S]*\}/.exec(response)?.[0];
  if (json) {
    try {
      const id = (JSON.parse(json) as { best_id?: unknown }).best_id;
      const hit = results.find((r) => r.id === id);
      if (hit) return hit;
    } catch {
      // not JSON: look for an id in the text
    }
  }
  const mentioned = results
    .map((r) => ({ r, at: response.search(new RegExp(`\\b${r.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`)) }))
    .filter((x) => x.at >= 0)
    .sort((a, b) => a.at - b.at);
  return mentioned[0]?.r;
}

/** Builds the fan-in handler over the codergen backends (LLM ranking when the node has a prompt). */
export function createFanInHandler(backends?: CodergenBackends): Handler {
  return {
    async execute(stage: StageContext): Promise<Outcome> {
      const results = readBranchResults(stage.context['parallel.results']);
      if (results.length === 0) return failure('No parallel results to evaluate');
      let best = heuristicSelect(results) as BranchResult;
      let how = 'heuristic';
      if (stage.node.prompt.trim() !== '' && backends) {
        const backend = backends[stage.provider.kind];
        if (!backend) throw new StageConfigError(`no backend for provider kind "${stage.provider.kind}" to rank the fan-in`);
        const prompt = rankingPrompt(stage.node.prompt, results);
        await writeFile(join(stage.stageDir, 'prompt.md'), prompt);
        const { response } = await backend.run(stage, prompt);
        await writeFile(join(stage.stageDir, 'response.md'), response);
        const ranked = rankedChoice(response, results);
        if (ranked) [best, how] = [ranked, 'llm'];
        else how = 'heuristic (the ranking named no candidate)';
      }
      const context_updates = { 'parallel.fan_in.best_id': best.id, 'parallel.fan_in.best_outcome': best.status, 'parallel.fan_in.selected_by': how };
      if (results.every((r) => r.status === StageStatus.fail || r.status === StageStatus.skipped)) {
        return { status: StageStatus.fail, failure_reason: `all ${results.length} parallel branches failed`, context_updates };
      }
      return { status: StageStatus.success, context_updates, notes: `Selected best candidate: ${best.id} (${how})` };
    },
  };
}

/** The heuristic-only fan-in (no backends): what tests and custom registries use. */
export const fanInHandler: Handler = createFanInHandler();
