// The LLM providers (openai, anthropic, google, openai_compatible) through the Vercel AI SDK. With
// tools on (the default) a codergen stage IS the coding-agent loop in the workspace; with
// `tools: false` it is one model call. Either way the transcript is journaled in the stage directory.

import { join } from 'node:path';
import { runAgent } from '../../agent/loop';
import { buildSystemPrompt } from '../../agent/system-prompt';
import { readThread, threadKey, writeThread } from '../../agent/threads';
import { toolsFor } from '../../agent/tools';
import { hooksOf } from '../../agent/tool-hooks';
import { StageConfigError } from '../../errors';
import type { StageContext } from '../../handler-registry';
import { bindModel, limitsOf } from '../../llm/models';
import { resolveNodeProvider } from '../../llm/resolve';
import { isLlmProvider } from '../../../definitions/schemas/providers';
import { stageSandbox } from '../../sandbox/stage';
import type { BackendResult, CodergenBackend } from './types';

/** Node attribute (`attrs.system`) appended to the system prompt. */
export const SYSTEM_ATTR = 'system';
/** Node attribute that turns the tools off for one node (`tools: false`). */
export const TOOLS_ATTR = 'tools';

/** The activity-execution key a stage resumes by (falls back to one session per attempt). */
export function activityKey(stage: StageContext): string {
  return stage.activityKey ?? `${stage.runId}/${stage.node.id}/attempt-${stage.attempt}`;
}

/** Builds the LLM backend. */
export function createLlmBackend(): CodergenBackend {
  return {
    async run(stage: StageContext, prompt: string): Promise<BackendResult> {
      const np = resolveNodeProvider(stage.node, stage.provider, stage.providers);
      const provider = np.config;
      if (!isLlmProvider(provider)) throw new StageConfigError(`provider ${np.name} (kind ${provider.kind}) is not an LLM provider`);
      const model = np.model ?? provider.model;
      const bound = bindModel(provider, np.name, model, stage.env, np.reasoningEffort);
      const toolsOn = provider.tools !== false && stage.node.attrs[TOOLS_ATTR] !== false && stage.node.attrs[TOOLS_ATTR] !== 'false';
      const nodeSystem = stage.node.attrs[SYSTEM_ATTR];
      const sandbox = toolsOn ? await stageSandbox(stage) : undefined;
      const system = await buildSystemPrompt({ workdir: stage.workdir, model, toolsOn, ...(sandbox ? { sandbox } : {}), ...(typeof nodeSystem === 'string' ? { nodeSystem } : {}) });
      // fidelity full continues the thread's conversation; any other mode carries the projected context instead
      const thread = stage.carried?.mode === 'full' ? threadKey(stage.node, stage.context) : undefined;
      const prior = thread ? await readThread(stage.runDir, thread) : [];
      const preamble = prior.length === 0 && stage.carried?.text ? stage.carried.text : undefined;
      const result = await runAgent({
        stageDir: stage.stageDir,
        workdir: stage.workdir,
        activity: activityKey(stage),
        providerName: np.name,
        provider,
        model,
        bound,
        system,
        prompt,
        ...(preamble ? { preamble } : {}),
        ...(prior.length ? { prior } : {}),
        ...(thread ? { thread } : {}),
        tools: toolsOn ? toolsFor(provider.kind) : [],
        hooks: hooksOf(stage.node),
        limits: limitsOf(provider),
        usage: { runDir: stage.runDir, node: stage.node.id, attempt: stage.attempt },
        ...(stage.budget ? { budget: stage.budget } : {}),
        env: stage.env,
        ...(sandbox ? { sandbox } : {}),
        signal: stage.signal,
        heartbeat: (d) => stage.heartbeat(d),
      });
      if (stage.carried?.mode === 'full') await writeThread(stage.runDir, threadKey(stage.node, stage.context) ?? stage.node.id, stage.node.id, result.messages);
      const details = { provider: np.name, model, turns: result.turns, tool_calls: result.toolCalls, stop_reason: result.stopReason, transcript: join(stage.stageDir, 'transcript.jsonl') };
      if (result.stopReason !== 'completed') {
        const limits = limitsOf(provider);
        const counts = `${result.turns} turns, ${result.toolCalls} tool calls`;
        const why = result.stopReason === 'turn_limit' || result.stopReason === 'round_limit'
          ? `agent stopped at ${result.stopReason === 'turn_limit' ? `max_turns (${limits.max_turns})` : `max_tool_rounds (${limits.max_tool_rounds})`} before the model finished (${counts})`
          : `agent stopped: ${result.stopDetail ?? result.stopReason} (${counts})`;
        return { response: result.text, usage: result.usage, details, outcome: { status: 'fail', failure_reason: why } };
      }
      return { response: result.text, usage: result.usage, details };
    },
  };
}
