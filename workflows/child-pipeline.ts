// stack.manager_loop inside the run workflow (Attractor §4.11): the child pipeline runs as a child run
// workflow (on the parent's task queue, so pinned to the parent's version); the manager cycles
// observe/steer/wait up to manager.max_cycles, stopping on the child's end or the stop_condition.

import { CancellationScope, condition, proxyActivities, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { PipelineActivityContract as PipelineActivities } from '../core/contracts';
import type { PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import { evaluateCondition } from '../core/conditions';
import { decodeFailure, errorMessage } from '../core/failures';
import type { RunState } from './run-state';
import type { runPipeline } from './run';
import type { BootResult, RunInput } from './types';
import { conflictReason, type SnapshotRecord } from '../core/workspace';
import type { RunWorkspace } from './workspace';

/** Runs a stack.manager_loop node's child pipeline once as a child run (`childWorkflow`: the run workflow itself). */
export async function runChildPipeline(
  childWorkflow: typeof runPipeline,
  input: RunInput,
  boot: BootResult,
  state: RunState,
  node: PipelineNode,
  visit: number,
  context: Record<string, unknown>,
  workspace?: RunWorkspace,
): Promise<{ outcome: Outcome; snapshot?: SnapshotRecord }> {
  const childRef = node.attrs['stack.child_pipeline'];
  const childFile = boot.specs.graph.stack?.child_dotfile;
  if (typeof childRef !== 'string' && !childFile) {
    return { outcome: { status: 'fail', failure_reason: `manager loop ${node.id}: no stack.child_pipeline attribute nor graph stack.child_dotfile` } };
  }
  // the child works on the parent's code as it is now (issue 21): its workspace starts at the parent's head
  const start = workspace?.childStart();
  const source = boot.specs.pipelineSource;
  const dir = source.includes('/') ? source.slice(0, source.lastIndexOf('/')) : '.';
  const pipeline = typeof childRef === 'string' ? { ref: childRef } : { file: (childFile as string).startsWith('/') ? (childFile as string) : `${dir}/${childFile}` };
  const childId = `${state.envelope.runId}.${node.id}.${visit}`;
  const options = {
    workflowId: childId,
    // a child run id names one child run forever (issue 24 item 1): a finished child's record is never reused
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [
      {
        runId: childId,
        pipeline,
        profile: input.profile,
        ...(input.autoApprove ? { autoApprove: true } : {}),
        ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}),
        runDir: `${boot.runDir}/${node.id}/child-${visit}`,
        ...(input.registryRoot !== undefined ? { registryRoot: input.registryRoot } : {}),
        ...(input.runRoot !== undefined ? { runRoot: input.runRoot } : {}),
        ...(start ? { workspaceFrom: start } : {}),
      },
    ] as Parameters<typeof runPipeline>,
  };
  const { outcome, candidate } = await superviseChild(childWorkflow, options, node, context, `${boot.runDir}/${node.id}/child-${visit}`);
  if (outcome.status !== 'success' || !start || !workspace || !candidate) return { outcome };
  // ... and what it made comes back into the parent's workspace (a conflict fails the node naming the files)
  try {
    const merged = await workspace.mergeChild(state.envelope.runId, node.id, start.commit, { ...candidate, runId: childId });
    if (merged.conflicts) return { outcome: { status: 'fail', failure_reason: conflictReason(childId, merged.conflicts), context_updates: outcome.context_updates ?? {} } };
    return { outcome, ...(merged.snapshot ? { snapshot: merged.snapshot } : {}) };
  } catch (err) {
    return { outcome: { status: 'fail', failure_reason: `child run ${childId} succeeded, but its commit ${candidate.commit} could not be brought into the parent's workspace: ${decodeFailure(err)?.message ?? errorMessage(err)}`, context_updates: outcome.context_updates ?? {} } };
  }
}

/** Steering writes one small file: short, bounded retries (only runs whose manager lists `steer` call it). */
const steerActivities = proxyActivities<PipelineActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } });

/** Spec §4.11 defaults. */
const DEFAULT_POLL_MS = 45_000;
const DEFAULT_MAX_CYCLES = 1000;

/**
 * The §4.11 cycle: start the child, then per cycle observe (has it ended?), check the stop condition, wait
 * poll_interval (ended early by the child's end). A child still running when the loop stops is cancelled.
 */
async function superviseChild(
  childWorkflow: typeof runPipeline,
  options: { workflowId: string; workflowIdReusePolicy: WorkflowIdReusePolicy; args: Parameters<typeof runPipeline> },
  node: PipelineNode,
  context: Record<string, unknown>,
  childRunDir: string,
): Promise<{ outcome: Outcome; candidate?: { commit: string; remote: string; ref: string } }> {
  const childId = options.workflowId;
  const maxCycles = node.manager?.max_cycles ?? DEFAULT_MAX_CYCLES;
  const pollMs = node.manager?.poll_interval_ms ?? DEFAULT_POLL_MS;
  const actions = node.manager?.actions ?? ['observe', 'wait'];
  const steering = actions.includes('steer');
  if (steering && !node.prompt) {
    return { outcome: { status: 'fail', failure_reason: `manager loop ${node.id}: manager.actions includes steer but the node has no prompt to steer the child with` } };
  }
  let steered = 0;
  let ended: { outcome?: string; context?: Record<string, unknown>; error?: string; candidate?: { commit: string; remote: string; ref: string } } | undefined;
  const scope = new CancellationScope();
  try {
    const handle = await scope.run(() => startChild(childWorkflow, options));
    void handle.result().then(
      (r) => (ended = { outcome: r.outcome, context: r.context, ...(r.candidate ? { candidate: r.candidate } : {}) }),
      (err: unknown) => (ended = { error: decodeFailure(err)?.message ?? errorMessage(err) }),
    );
  } catch (err) {
    return { outcome: { status: 'fail', failure_reason: `child run ${childId} failed to start: ${decodeFailure(err)?.message ?? errorMessage(err)}`, context_updates: { 'stack.child.status': 'failed' } } };
  }
  const finish = async (outcome: Outcome, cycles: number): Promise<{ outcome: Outcome; candidate?: { commit: string; remote: string; ref: string } }> => {
    // only a child that ended by itself with success has work to bring back (a cancelled one is cut off mid-way)
    const candidate = ended?.outcome === 'succeeded' ? ended.candidate : undefined;
    if (!ended) {
      scope.cancel();
      await condition(() => ended !== undefined, '1 minute');
    }
    const done = { ...outcome, context_updates: { ...outcome.context_updates, 'stack.child.run_id': childId, 'stack.manager.cycles': cycles, ...(steering ? { 'stack.manager.steered': steered } : {}) } };
    return { outcome: done, ...(candidate ? { candidate } : {}) };
  };
  for (let cycle = 1; cycle <= maxCycles; cycle++) {
    const seen = actions.includes('observe') ? ended : undefined;
    if (seen) {
      const status = seen.error === undefined ? 'completed' : 'failed';
      const updates = { 'stack.child.status': status, ...(seen.outcome ? { 'stack.child.outcome': seen.outcome } : {}) };
      if (seen.outcome === 'succeeded' || stopConditionMet(node.manager?.stop_condition, { ...context, ...seen.context, ...updates })) {
        return finish({ status: 'success', notes: `child run ${childId} ${seen.outcome ?? status} (cycle ${cycle})`, context_updates: updates }, cycle);
      }
      return finish({ status: 'fail', failure_reason: `child run ${childId} ${seen.error !== undefined ? `failed: ${seen.error}` : seen.outcome}`, context_updates: updates }, cycle);
    }
    if (steering) {
      // one instruction per stage visit of the child (the activity refuses a second): the steer cool-down
      const r = await steerActivities.steerChild({ childRunDir, manager: node.id, message: node.prompt });
      if (r.steered) steered += 1;
    }
    if (stopConditionMet(node.manager?.stop_condition, { ...context, 'stack.child.status': 'running' })) {
      return finish({ status: 'success', notes: `stop condition satisfied at cycle ${cycle}; child run ${childId} cancelled`, context_updates: { 'stack.child.status': 'cancelled' } }, cycle);
    }
    if (actions.includes('wait')) await condition(() => ended !== undefined, pollMs);
  }
  return finish({
    status: 'fail',
    failure_reason: `manager loop ${node.id}: manager.max_cycles (${maxCycles}) exhausted, polling every ${pollMs} ms, before child run ${childId} ended; the child was cancelled`,
    context_updates: { 'stack.child.status': 'cancelled' },
  }, maxCycles);
}

/** Evaluates a manager loop's stop condition against a child's final context. */
function stopConditionMet(condition: string | undefined, context: Record<string, unknown>): boolean {
  if (!condition) return false;
  return evaluateCondition(condition, { status: 'success' }, context);
}
