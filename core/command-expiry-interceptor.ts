// Workflow interceptor module (bundled into the workflow sandbox by the pipeline worker): refuses an update
// whose `expiresAt` has passed before its validator runs, so a `factory approve` the operator gave up on
// (no worker took it in time; Temporal kept it admitted) is never applied when a worker comes back.
// Validators never run on replay, so judging by the current workflow task's time is safe.
import type { Next, UpdateInput, WorkflowInboundCallsInterceptor, WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { commandExpired } from './command-expiry';

/** Rejects stale updates (the answerGate and decide updates the CLI stamps with expiresAt). */
class StaleCommandInbound implements WorkflowInboundCallsInterceptor {
  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    // workflow time: the start of the workflow task that delivers the update (deterministic in the sandbox)
    const stale = commandExpired(input.args[0], new Date().getTime());
    if (stale) throw new Error(stale);
    next(input);
  }
}

/** The interceptor factory Temporal loads from this module (WorkerOptions.interceptors.workflowModules). */
export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new StaleCommandInbound()] });
