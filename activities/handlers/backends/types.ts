// The codergen backend interface (Attractor §4.5 CodergenBackend): one per provider kind.

import type { Outcome } from '../../../core/outcome';
import type { StageContext } from '../../handler-registry';

/** What a backend answers: the response text, and an Outcome when it decided one itself. */
export interface BackendResult {
  response: string;
  outcome?: Outcome;
}

/** Runs one prompt for one stage; throws ProviderUnavailableError (retry) or ProviderRejectedError (do not). */
export interface CodergenBackend {
  run(stage: StageContext, prompt: string): Promise<BackendResult>;
}
