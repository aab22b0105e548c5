// Attractor §5.4 context fidelity, pure: which mode a stage gets (edge > node > graph > compact) and
// the projection of the run context an LLM stage receives in that mode. Workflow code resolves the
// mode (it knows the incoming edge); the stage activity renders the projection into `context.md` and
// hands it to the backend. Conversation reuse by thread_id under `full` belongs to the agent loop.

import { FIDELITY_MODES, type Fidelity } from './model';

/** §5.4 default when nothing sets a mode. */
export const DEFAULT_FIDELITY: Fidelity = 'compact';

const isMode = (v: string | undefined): v is Fidelity => v !== undefined && (FIDELITY_MODES as readonly string[]).includes(v);

/** §5.4 precedence: incoming edge, target node, graph default_fidelity, then compact; invalid values are skipped. */
export function resolveFidelity(edge: { fidelity?: string } | undefined, node: { fidelity?: string }, graph: { default_fidelity?: string }): Fidelity {
  return [edge?.fidelity, node.fidelity, graph.default_fidelity].find(isMode) ?? DEFAULT_FIDELITY;
}

/** Character budgets (≈ 4 characters a token): summary:low ~600 tokens, medium ~1500, high ~3000. */
const BUDGET: Record<Fidelity, { total: number; value: number }> = {
  full: { total: Infinity, value: Infinity },
  truncate: { total: 0, value: 0 },
  compact: { total: 8_000, value: 200 },
  'summary:low': { total: 2_400, value: 80 },
  'summary:medium': { total: 6_000, value: 300 },
  'summary:high': { total: 12_000, value: 1_000 },
};

/** What the projection starts from besides the context: the graph goal and the run id (§5.4 truncate). */
export interface ProjectionInfo {
  goal: string;
  runId: string;
}

/**
 * The context a stage receives, as text: `truncate` only goal and run id; `compact` one bullet per
 * key (engine bookkeeping `internal.*` left out, values cut at 200 chars); `summary:*` the same within
 * the mode's budget (most recent stage first); `full` every key and value.
 */
export function projectContext(mode: Fidelity, context: Readonly<Record<string, unknown>>, info: ProjectionInfo): string {
  const head = [`# Run context (fidelity: ${mode})`, `- goal: ${info.goal || '(none)'}`, `- run: ${info.runId}`];
  if (mode === 'truncate') return head.join('\n') + '\n';
  const budget = BUDGET[mode];
  const keys = Object.keys(context)
    .filter((k) => mode === 'full' || !k.startsWith('internal.'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const lines = [...head];
  let used = lines.join('\n').length;
  let left = 0;
  for (const key of keys) {
    const line = `- ${key}: ${clip(render(context[key]), budget.value)}`;
    if (used + line.length + 1 > budget.total) {
      left++;
      continue;
    }
    lines.push(line);
    used += line.length + 1;
  }
  if (left > 0) lines.push(`- (${left} more keys left out by ${mode})`);
  return lines.join('\n') + '\n';
}

/** Stage-level keys first (what just happened), then the rest. */
function rank(key: string): number {
  if (key === 'outcome' || key === 'last_stage' || key === 'last_response' || key === 'preferred_label') return 0;
  if (key.startsWith('graph.')) return 1;
  return 2;
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text;
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
