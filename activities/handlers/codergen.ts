// `codergen` nodes (Attractor §4.5): write prompt.md, ask the node's provider (twin, an LLM via the agent loop, agent),
// write response.md, and return the outcome. A response that is a JSON object with an `outcome` field
// is read as the Outcome (status-file contract); otherwise the stage succeeded.

import { NO_FOLLOW_WRITE } from '../no-follow';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StageStatus } from '../../core/model';
import type { Outcome } from '../../core/outcome';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { StageConfigError } from '../errors';
import type { Handler, StageContext } from '../handler-registry';
import { resolveNodeProvider } from '../llm/resolve';
import { createAgentBackend } from './backends/agent';
import { createLlmBackend } from './backends/llm';
import { createTwinBackend } from './backends/twin';
import type { CodergenBackend } from './backends/types';
import { outcomeFromResponse } from './status-file';

/** Create/truncate, never through a symbolic link a stage planted. */

/** Characters of the response kept in context `last_response` (Attractor: truncate(response, 200)). */
export const LAST_RESPONSE_LIMIT = 200;

/** What the stage's fidelity carries into the LLM session (Attractor §5.4), beside prompt.md. */
export const CARRIED_CONTEXT_FILE = 'context.md';

/** One backend per provider kind. */
export type CodergenBackends = Record<ProviderConfig['kind'], CodergenBackend>;

/** The built-in backends: twin, the LLM providers (AI SDK + agent loop), command-line agent. */
export function defaultBackends(): CodergenBackends {
  const llm = createLlmBackend();
  return { twin: createTwinBackend(), openai: llm, anthropic: llm, google: llm, openai_compatible: llm, agent: createAgentBackend() };
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
      await writeFile(join(stage.stageDir, 'prompt.md'), prompt, { flag: NO_FOLLOW_WRITE });
      if (stage.carried) await writeFile(join(stage.stageDir, CARRIED_CONTEXT_FILE), stage.carried.text, { flag: NO_FOLLOW_WRITE });
      const chosen = resolveNodeProvider(stage.node, stage.provider, stage.providers).config;
      const backend = backends[chosen.kind];
      if (!backend) throw new StageConfigError(`no codergen backend for provider kind "${chosen.kind}"`);
      const result = await backend.run({ ...stage, provider: chosen }, prompt);
      await writeFile(join(stage.stageDir, 'response.md'), result.response, { flag: NO_FOLLOW_WRITE });
      const outcome = result.outcome ??
        outcomeFromResponse(result.response) ?? { status: StageStatus.success, notes: `Stage completed: ${stage.node.id}` };
      const d = result.details;
      const notes = d ? `agent: ${String(d.turns)} turns, ${String(d.tool_calls)} tool calls (provider ${String(d.provider)}, model ${String(d.model)})` : undefined;
      return {
        ...outcome,
        ...(result.usage ? { usage: result.usage } : {}),
        ...(notes && !outcome.notes ? { notes } : {}),
        context_updates: {
          last_stage: stage.node.id,
          last_response: result.response.slice(0, LAST_RESPONSE_LIMIT),
          ...outcome.context_updates,
        },
      };
    },
  };
}
