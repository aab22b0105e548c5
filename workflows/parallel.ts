// Parallel fan-out inside the run workflow (Attractor §4.8): branches on cloned contexts, run with bounded
// concurrency, stopped where they join (core/branch-join: the fan-in node they all reach, else the first
// node they all reach), joined by the node's join policy; their context updates are merged at the join.

import { branchJoin, mergeBranchUpdates } from '../core/branch-join';
import type { PipelineEdge, PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import { EventType } from '../core/run-model';
import type { Engine, Lane, NodeResult } from './engine';
import { ExecFailedError } from './errors';

/** One branch's end as `parallel.results` holds it. */
interface BranchResult {
  id: string;
  status: string;
  last_node: string;
  notes?: string;
  failure_reason?: string;
  /** What the branch's nodes set in its context (their `context_updates`, later nodes over earlier); a Map, as a key may be any string. */
  updates: Map<string, unknown>;
}

/** Attractor §4.8: branches on cloned contexts, stopped and joined where they meet. */
export async function runParallel(engine: Engine, node: PipelineNode, lane: Lane): Promise<NodeResult> {
  const branches = (engine.index.outgoing.get(node.id) ?? []).map((e) => e.edge);
  const join = branches.length === 0 ? undefined : branchJoin(engine.graph, branches.map((e) => e.to), engine.index, node.id);
  if (join === undefined) {
    const why = branches.length === 0 ? 'it has no outgoing edges' : `its branches (${branches.map((e) => e.to).join(', ')}) never reach a common node`;
    throw new ExecFailedError(
      `parallel node "${node.id}" has nowhere to join: ${why}`,
      [`parallel node ${node.id}: no join node`, 'lead every branch to one fan-in node (shape=tripleoctagon)'],
      node.id,
    );
  }
  const limit = Math.max(1, node.max_parallel ?? 4);
  const results: BranchResult[] = [];
  let nextBranch = 0;
  const worker = async (): Promise<void> => {
    while (nextBranch < branches.length) {
      const edge = branches[nextBranch++] as PipelineEdge;
      results.push(await runBranch(engine, edge.to, join.node, { context: { ...engine.contextOf(lane) }, branch: edge.to }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, branches.length) }, () => worker()));
  results.sort((a, b) => branches.findIndex((e) => e.to === a.id) - branches.findIndex((e) => e.to === b.id));
  const ok = results.filter((r) => r.status === 'success' || r.status === 'partial_success').length;
  const failed = results.filter((r) => r.status === 'fail').length;
  const policy = node.join_policy ?? 'wait_all';
  const k = Number(node.attrs['join_k'] ?? node.attrs['k'] ?? 1);
  const fraction = Number(node.attrs['join_quorum'] ?? node.attrs['quorum'] ?? 0.5);
  const satisfied =
    policy === 'first_success' ? ok > 0 : policy === 'k_of_n' ? ok >= k : policy === 'quorum' ? ok / Math.max(1, results.length) >= fraction : true;
  // §4.8 wait_all: SUCCESS when no branch failed (a branch that ran nothing, its start being the join, did not fail)
  const status = !satisfied ? 'fail' : policy === 'wait_all' && failed > 0 ? 'partial_success' : 'success';
  // the join's treatment of branch context (docs/attractor.md): merged in declared edge order, conflicts recorded
  const merged = mergeBranchUpdates(results.map((r) => ({ id: r.id, updates: r.updates })));
  // the lane goes on at the join by no edge: no edge's fidelity (§5.4) applies there
  if (status !== 'fail') lane.incoming = undefined;
  engine.state.emit(EventType.parallelJoined, {
    node: node.id,
    join: join.node,
    fan_in: join.fanIn,
    branches: results.map((r) => ({ id: r.id, status: r.status, last_node: r.last_node })),
    merged: [...merged.updates.keys()],
    conflicts: merged.conflicts.map((c) => ({ key: c.key, branches: c.values.map((v) => v.branch), kept: c.kept })),
    ...(lane.branch ? { branch: lane.branch } : {}),
  });
  return {
    outcome: {
      status,
      notes: `${ok}/${results.length} branches succeeded (${policy}); joined at ${join.node}${merged.conflicts.length ? `; ${merged.conflicts.length} context conflict(s): ${merged.conflicts.map((c) => c.key).join(', ')}` : ''}`,
      // §4.8 step 4 / §5.1 `parallel.*`: the results (each with `outcome`, as §4.9 fan-in reads it) and counts
      context_updates: {
        ...Object.fromEntries(merged.updates),
        'parallel.results': results.map(({ updates, ...r }) => ({ ...r, outcome: r.status, context_keys: [...updates.keys()] })),
        'parallel.success_count': ok,
        'parallel.fail_count': failed,
        'parallel.total': results.length,
        'parallel.conflicts': merged.conflicts,
      },
      ...(status === 'fail' ? { failure_reason: `join policy ${policy} not satisfied: ${ok}/${results.length} succeeded` } : {}),
    },
    attempts: 1,
    ...(status !== 'fail' ? { jumpTo: join.node } : {}),
  };
}

/** One branch from `from` until it reaches `stopAt` (the join), an exit, or a node with nowhere to go. */
async function runBranch(engine: Engine, from: string, stopAt: string, lane: Lane): Promise<BranchResult> {
  let current: string | undefined = from;
  let last: { node: string; outcome: Outcome } = { node: from, outcome: { status: 'skipped', notes: `branch start ${from} is the join node: it runs once after the branches` } };
  const updates = new Map<string, unknown>();
  while (current !== undefined && current !== stopAt) {
    const node = engine.node(current);
    if (node.type === 'exit') break;
    const result = await engine.runNode(node, lane);
    last = { node: node.id, outcome: result.outcome };
    for (const [key, value] of Object.entries(result.outcome.context_updates ?? {})) updates.set(key, value);
    if (result.jumpTo !== undefined) {
      current = result.jumpTo;
      continue;
    }
    // the main line's routing step; NONE ends the branch: a node without edges is the branch's end, a
    // failed stage keeps its reason, and an outcome no edge accepts fails the branch with the reason
    const step = engine.step(node, result.outcome, lane);
    if (step.to === undefined && step.none === 'no_match') last = { node: node.id, outcome: { status: 'fail', failure_reason: step.message } };
    current = step.to;
  }
  return {
    id: lane.branch ?? from,
    status: last.outcome.status,
    last_node: last.node,
    ...(last.outcome.notes ? { notes: last.outcome.notes } : {}),
    ...(last.outcome.failure_reason ? { failure_reason: last.outcome.failure_reason } : {}),
    updates,
  };
}
