// The codergen backend interface (Attractor §4.5 CodergenBackend): one per provider kind.

import type { Outcome } from '../../../core/outcome';
import type { StageContext } from '../../handler-registry';
import type { Usage } from '../../llm/usage';

/** What a backend answers: the response text, and an Outcome when it decided one itself. */
export interface BackendResult {
  response: string;
  outcome?: Outcome;
  /** Tokens (and cost) the stage spent, for status.json, events and the run budget. */
  usage?: Usage;
  /** Provider, model, turns, tool calls, stop reason: recorded in status.json. */
  details?: Record<string, unknown>;
}

/** Runs one prompt for one stage; throws ProviderUnavailableError (retry) or ProviderRejectedError (do not). */
export interface CodergenBackend {
  run(stage: StageContext, prompt: string): Promise<BackendResult>;
}
