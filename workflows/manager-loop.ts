// stack.manager_loop inside the run workflow: the child pipeline runs as a child run workflow.

import { executeChild } from '@temporalio/workflow';
import type { PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import { stopConditionMet } from './engine';
import type { RunState } from './run-state';
import type { BootResult, RunInput, RunResult } from './types';

/** stack.manager_loop: a child run of the child pipeline, supervised to completion (Attractor §4.11). */
export async function runManagerLoop(
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
    // by name: this module cannot import run.ts (which imports it)
    const child = await executeChild<(i: RunInput) => Promise<RunResult>>('runPipeline', {
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
    const cause = err instanceof Error ? err.cause : undefined;
    const reason = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
    return { status: 'fail', failure_reason: `child run ${childId} failed: ${reason}`, context_updates: { 'stack.child.status': 'failed' } };
  }
}
