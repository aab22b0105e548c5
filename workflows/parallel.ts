// Parallel fan-out inside the run workflow (Attractor §4.8): branches on cloned contexts, run with
// bounded concurrency, joined by the node's join policy at the downstream fan-in node.

import type { PipelineEdge, PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import { findFanIn } from '../core/routing';
import type { Engine, Lane, NodeResult } from './engine';

/** Attractor §4.8: branches on cloned contexts, joined at the downstream fan-in node. */
export async function runParallel(engine: Engine, node: PipelineNode, lane: Lane): Promise<NodeResult> {
  const branches = (engine.index.outgoing.get(node.id) ?? []).map((e) => e.edge);
  const fanIn = findFanIn(engine.graph, branches.map((e) => e.to), engine.index);
  const limit = Math.max(1, node.max_parallel ?? 4);
  const results: { id: string; status: string; last_node: string; failure_reason?: string }[] = [];
  let nextBranch = 0;
  const worker = async (): Promise<void> => {
    while (nextBranch < branches.length) {
      const edge = branches[nextBranch++] as PipelineEdge;
      results.push(await runBranch(engine, edge.to, fanIn, { context: { ...engine.contextOf(lane) }, branch: edge.to }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, branches.length) }, () => worker()));
  results.sort((a, b) => branches.findIndex((e) => e.to === a.id) - branches.findIndex((e) => e.to === b.id));
  const ok = results.filter((r) => r.status === 'success' || r.status === 'partial_success').length;
  const policy = node.join_policy ?? 'wait_all';
  const k = Number(node.attrs['join_k'] ?? node.attrs['k'] ?? 1);
  const fraction = Number(node.attrs['join_quorum'] ?? node.attrs['quorum'] ?? 0.5);
  const satisfied =
    policy === 'first_success' ? ok > 0 : policy === 'k_of_n' ? ok >= k : policy === 'quorum' ? ok / Math.max(1, results.length) >= fraction : true;
  const status = !satisfied ? 'fail' : policy === 'wait_all' && ok < results.length ? 'partial_success' : 'success';
  return {
    outcome: {
      status,
      notes: `${ok}/${results.length} branches succeeded (${policy})`,
      // §4.8 step 4 / §5.1 `parallel.*`: the results (each with `outcome`, as §4.9 fan-in reads it) and counts
      context_updates: {
        'parallel.results': results.map((r) => ({ ...r, outcome: r.status })),
        'parallel.success_count': ok,
        'parallel.fail_count': results.filter((r) => r.status === 'fail').length,
        'parallel.total': results.length,
      },
      ...(status === 'fail' ? { failure_reason: `join policy ${policy} not satisfied: ${ok}/${results.length} succeeded` } : {}),
    },
    attempts: 1,
    ...(fanIn !== undefined && status !== 'fail' ? { jumpTo: fanIn } : {}),
  };
}

async function runBranch(engine: Engine, from: string, stopAt: string | undefined, lane: Lane) {
  let current: string | undefined = from;
  let last: { node: string; outcome: Outcome } = { node: from, outcome: { status: 'skipped' } };
  while (current !== undefined && current !== stopAt) {
    const node = engine.node(current);
    if (node.type === 'exit') break;
    const result = await engine.runNode(node, lane);
    last = { node: node.id, outcome: result.outcome };
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
    ...(last.outcome.failure_reason ? { failure_reason: last.outcome.failure_reason } : {}),
  };
}
