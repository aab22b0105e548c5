// stack.manager_loop inside the run workflow, as it works today: the child pipeline runs once, to
// completion, as a child run workflow (no observe/steer cycles yet: Attractor §4.11's loop is future work).

import { executeChild } from '@temporalio/workflow';
import type { PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import { evaluateCondition } from '../core/conditions';
import { decodeFailure, errorMessage } from '../core/failures';
import type { RunState } from './run-state';
import type { runPipeline } from './run';
import type { BootResult, RunInput } from './types';

/** Runs a stack.manager_loop node's child pipeline once as a child run (`childWorkflow`: the run workflow itself). */
export async function runChildPipeline(
  childWorkflow: typeof runPipeline,
  input: RunInput,
  boot: BootResult,
  state: RunState,
  node: PipelineNode,
  visit: number,
  context: Record<string, unknown>,
): Promise<Outcome> {
  const childRef = node.attrs['stack.child_pipeline'];
  const childFile = boot.specs.graph.stack?.child_dotfile;
  if (typeof childRef !== 'string' && !childFile) {
    return { status: 'fail', failure_reason: `manager loop ${node.id}: no stack.child_pipeline attribute nor graph stack.child_dotfile` };
  }
  const source = boot.specs.pipelineSource;
  const dir = source.includes('/') ? source.slice(0, source.lastIndexOf('/')) : '.';
  const pipeline = typeof childRef === 'string' ? { ref: childRef } : { file: (childFile as string).startsWith('/') ? (childFile as string) : `${dir}/${childFile}` };
  const childId = `${state.envelope.runId}.${node.id}.${visit}`;
  try {
    const child = await executeChild(childWorkflow, {
      workflowId: childId,
      args: [
        {
          runId: childId,
          pipeline,
          profile: input.profile,
          ...(input.autoApprove ? { autoApprove: true } : {}),
          ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}),
          runDir: `${boot.runDir}/${node.id}/child-${visit}`,
          ...(input.registryRoot !== undefined ? { registryRoot: input.registryRoot } : {}),
        },
      ],
    });
    const stop = stopConditionMet(node.manager?.stop_condition, { ...context, ...child.context });
    return {
      status: child.outcome === 'succeeded' || stop ? 'success' : 'fail',
      notes: `child run ${childId} ${child.outcome}`,
      context_updates: { 'stack.child.status': 'completed', 'stack.child.outcome': child.outcome, 'stack.child.run_id': childId },
    };
  } catch (err) {
    const reason = decodeFailure(err)?.message ?? errorMessage(err);
    return { status: 'fail', failure_reason: `child run ${childId} failed: ${reason}`, context_updates: { 'stack.child.status': 'failed' } };
  }
}

/** Evaluates a manager loop's stop condition against a child's final context. */
function stopConditionMet(condition: string | undefined, context: Record<string, unknown>): boolean {
  if (!condition) return false;
  return evaluateCondition(condition, { status: 'success' }, context);
}
