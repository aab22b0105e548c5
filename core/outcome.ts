// What a stage hands back to the engine (Attractor §5.2): drives routing, goal gates and context updates.

import { STAGE_STATUSES, StageStatus } from './model';

/** A stage's result, as handlers return it and as `status.json` records it. */
export interface Outcome {
  status: StageStatus;
  /** Which outgoing edge label to follow (compared after label normalization). */
  preferred_label?: string;
  /** Explicit next node ids, tried in order when no label matched. */
  suggested_next_ids?: string[];
  /** Key/value pairs merged into the run context after the stage. */
  context_updates?: Record<string, unknown>;
  notes?: string;
  failure_reason?: string;
  /** Tokens (and cost, where the profile prices them) an LLM stage spent. */
  usage?: { input_tokens: number; output_tokens: number; cost_usd?: number };
}

/** The run context as conditions read it: a flat key → value map (keys may contain dots). */
export type ContextValues = Readonly<Record<string, unknown>>;

/** True for the statuses that satisfy a goal gate and route as success (§3.4, §5.2). */
export function isSuccess(outcome: Pick<Outcome, 'status'> | StageStatus): boolean {
  const status = typeof outcome === 'string' ? outcome : outcome.status;
  return status === StageStatus.success || status === StageStatus.partialSuccess;
}

/** Type guard for untrusted input (status files, signals, fixtures). */
export function isStageStatus(value: unknown): value is StageStatus {
  return typeof value === 'string' && (STAGE_STATUSES as readonly string[]).includes(value);
}

/** Builds an outcome; the one-liner handlers and tests use instead of object literals. */
export function outcomeOf(status: StageStatus, extra: Omit<Outcome, 'status'> = {}): Outcome {
  return { status, ...extra };
}

/** A failed outcome with its reason, for handlers that catch an error. */
export function failure(reason: string): Outcome {
  return { status: StageStatus.fail, failure_reason: reason };
}
