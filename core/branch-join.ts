// Where parallel branches stop (Attractor §4.8 is silent without a fan-in, issue 22): at the fan-in node they
// all reach, else at the first node every branch reaches (the exit included), which then runs once after
// them on the main line. Pure, for the run workflow (workflows/parallel.ts) and for lint (parallel_fan_in).
import { indexOf, type GraphIndex } from './graph-index';
import { NodeType, type PipelineGraph } from './model';

/**
 * The node the branches starting at `starts` join at, and whether it is a fan-in node; undefined when they
 * never meet. "First" means nearest for the furthest branch: among the nodes every branch reaches, the one
 * whose largest distance (edges) from a branch start is smallest, then the smallest sum of distances, then
 * breadth-first order from the first start. So a loop from the meeting node back into one branch
 * (`merge -> a`) does not make `a` the join. A start another branch reaches is itself the meeting node
 * (`p -> a -> b`, `p -> b`: the branches join at `b`, and branch `b` runs nothing). `fanOut`, the parallel
 * node, is not walked through: a loop back to it (`merge -> p`) is not where its branches meet.
 */
export function branchJoin(
  graph: PipelineGraph,
  starts: readonly string[],
  index: GraphIndex = indexOf(graph),
  fanOut?: string,
): { node: string; fanIn: boolean } | undefined {
  /** Breadth-first distances from `from`, in visiting order. */
  const reach = (from: string): Map<string, number> => {
    const dist = new Map([[from, 0]]);
    const order = [from];
    for (let i = 0; i < order.length; i++) {
      const at = order[i] as string;
      for (const { edge } of index.outgoing.get(at) ?? []) {
        if (!dist.has(edge.to) && edge.to !== fanOut) {
          dist.set(edge.to, (dist.get(at) as number) + 1);
          order.push(edge.to);
        }
      }
    }
    return dist;
  };
  const [first] = starts;
  if (first === undefined) return undefined;
  const dists = starts.map(reach);
  const common = [...(dists[0] as Map<string, number>).keys()]
    .filter((id) => dists.every((d) => d.has(id)))
    .map((id, order) => {
      const ds = dists.map((d) => d.get(id) as number);
      return { id, order, max: Math.max(...ds), sum: ds.reduce((a, b) => a + b, 0) };
    })
    .sort((x, y) => x.max - y.max || x.sum - y.sum || x.order - y.order);
  // the fan-in every branch reaches wins over a nearer plain meeting node (§4.9: branches run to it)
  const fanIn = common.find((c) => index.nodes.get(c.id)?.type === NodeType.fanIn);
  if (fanIn !== undefined) return { node: fanIn.id, fanIn: true };
  return common[0] !== undefined ? { node: common[0].id, fanIn: false } : undefined;
}

/**
 * Context keys never taken from a branch at the join: the engine's (`outcome`, `preferred_label`,
 * `current_node`, `internal.*`; the join's own `parallel.*` results win) and the stage-level keys a
 * built-in handler sets on every run of its node kind, which say what ran last on one line: codergen's
 * `last_stage`/`last_response` (§4.5), tool's `tool.output`/`tool.exit_code` (§4.10), a gate's
 * `human.gate.*` (§4.6). Every such branch sets them, so merging them would be a conflict at every join,
 * and `last_stage` names the `full`-fidelity thread the next stage continues (§5.4). Each branch's own
 * values stay in its stage directory (response.md, stdout.log) and events; its status in `parallel.results`.
 */
const ENGINE_KEYS: ReadonlySet<string> = new Set(['outcome', 'preferred_label', 'current_node', 'last_stage', 'last_response', 'tool.output', 'tool.exit_code']);
const ENGINE_PREFIXES = ['parallel.', 'internal.', 'human.gate.'] as const;

/** Whether a branch's update of `key` is merged at the join (not the engine's keys nor the stage-level ones: ENGINE_KEYS, ENGINE_PREFIXES). */
export function mergedAtJoin(key: string): boolean {
  return !ENGINE_KEYS.has(key) && !ENGINE_PREFIXES.some((p) => key.startsWith(p));
}

/** One branch's context updates (what its nodes' outcomes set, later nodes over earlier), in declared edge order. */
export interface BranchUpdates {
  id: string;
  /** A Map: a context key is any string, `__proto__` too. */
  updates: ReadonlyMap<string, unknown>;
}

/** Two or more branches set one key to different values: every branch's value, and whose was kept (the last in edge order). */
export interface JoinConflict {
  key: string;
  values: { branch: string; value: unknown }[];
  kept: string;
}

/**
 * The join's treatment of branch context (issue 24 item 3): every branch's updates are applied in the
 * branches' declared edge order, so a key set by several branches keeps the value of the last of them in
 * that order; when their values differ that is a conflict, recorded with every value. Keys the engine owns
 * and the stage-level keys (ENGINE_KEYS, `parallel.*`, `internal.*`) are not merged.
 */
export function mergeBranchUpdates(branches: readonly BranchUpdates[]): { updates: Map<string, unknown>; conflicts: JoinConflict[] } {
  const updates = new Map<string, unknown>();
  const setters = new Map<string, { branch: string; value: unknown }[]>();
  for (const b of branches) {
    for (const [key, value] of b.updates) {
      if (!mergedAtJoin(key)) continue;
      updates.set(key, value);
      const list = setters.get(key) ?? [];
      list.push({ branch: b.id, value });
      setters.set(key, list);
    }
  }
  const conflicts: JoinConflict[] = [];
  for (const [key, values] of setters) {
    const first = canonical(values[0]?.value);
    if (values.some((v) => canonical(v.value) !== first)) conflicts.push({ key, values, kept: (values[values.length - 1] as { branch: string }).branch });
  }
  return { updates, conflicts };
}

/** JSON with object keys sorted: equal values compare equal whatever order their keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  ) ?? 'undefined';
}
