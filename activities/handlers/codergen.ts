// `codergen` nodes (Attractor §4.5): write prompt.md, ask the profile's backend (twin, openai, agent),
// write response.md, and return the outcome. A response that is a JSON object with an `outcome` field
// is read as the Outcome (status-file contract); otherwise the stage succeeded.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StageStatus } from '../../core/model';
import type { Outcome } from '../../core/outcome';
import type { ProviderConfig } from '../../spec/schemas/profile';
import { StageConfigError } from '../errors';
import type { Handler, StageContext } from '../handler-registry';
import { createAgentBackend } from './backends/agent';
import { createOpenAIBackend } from './backends/openai';
import { createTwinBackend } from './backends/twin';
import type { CodergenBackend } from './backends/types';
import { outcomeFromResponse } from './status-file';

/** Characters of the response kept in context `last_response` (Attractor: truncate(response, 200)). */
export const LAST_RESPONSE_LIMIT = 200;

/** What the stage's fidelity carries into the LLM session (Attractor §5.4), beside prompt.md. */
export const CARRIED_CONTEXT_FILE = 'context.md';

/** One backend per provider kind. */
export type CodergenBackends = Record<ProviderConfig['kind'], CodergenBackend>;

/** The built-in backends: twin, OpenAI-compatible HTTP, command-line agent. */
export function defaultBackends(): CodergenBackends {
  return { twin: createTwinBackend(), openai: createOpenAIBackend(), agent: createAgentBackend() };
}

/** The prompt sent: node.prompt ($goal already expanded at load), else the label with $goal expanded. */
export function stagePrompt(stage: Pick<StageContext, 'node' | 'goal'>): string {
  if (stage.node.prompt !== '') return stage.node.prompt;
  return stage.node.label.split('$goal').join(stage.goal);
}

/** Builds the codergen handler over a set of backends (tests and workers may swap one). */
export function createCodergenHandler(backends: CodergenBackends = defaultBackends()): Handler {
  return {
    async execute(stage: StageContext): Promise<Outcome> {
      const prompt = stagePrompt(stage);
      await writeFile(join(stage.stageDir, 'prompt.md'), prompt);
      if (stage.carried) await writeFile(join(stage.stageDir, CARRIED_CONTEXT_FILE), stage.carried.text);
      const backend = backends[stage.provider.kind];
      if (!backend) throw new StageConfigError(`no codergen backend for provider kind "${stage.provider.kind}"`);
      const result = await backend.run(stage, prompt);
      await writeFile(join(stage.stageDir, 'response.md'), result.response);
      const outcome = result.outcome ??
        outcomeFromResponse(result.response) ?? { status: StageStatus.success, notes: `Stage completed: ${stage.node.id}` };
      return {
        ...outcome,
        context_updates: {
          last_stage: stage.node.id,
          last_response: result.response.slice(0, LAST_RESPONSE_LIMIT),
          ...outcome.context_updates,
        },
      };
    },
  };
}
