// The `agent` provider: a command-line coding agent (argv from the profile) runs in the workdir with the
// prompt on stdin and the same FACTORY_* environment as a tool; its stdout is the response.

import { join } from 'node:path';
import { StageStatus } from '../../../core/model';
import type { ProviderConfig } from '../../../definitions/schemas/profile';
import { StageConfigError } from '../../errors';
import type { StageContext } from '../../handler-registry';
import { describeExit, runProcess, tail } from '../process';
import { stageEnv } from '../stage-env';
import type { BackendResult, CodergenBackend } from './types';

type AgentProvider = Extract<ProviderConfig, { kind: 'agent' }>;

/** Builds the agent backend: exit 0 → the stdout is the response; otherwise a FAIL outcome. */
export function createAgentBackend(): CodergenBackend {
  return {
    async run(stage: StageContext, prompt: string): Promise<BackendResult> {
      const provider = stage.provider as AgentProvider;
      const env = {
        ...(await stageEnv(stage)),
        FACTORY_PROMPT_FILE: join(stage.stageDir, 'prompt.md'),
        // the run context as the stage's fidelity carries it (Attractor §5.4; written by codergen)
        ...(stage.carried ? { FACTORY_CARRIED_CONTEXT_FILE: join(stage.stageDir, 'context.md'), FACTORY_FIDELITY: stage.carried.mode } : {}),
      };
      const result = await runProcess({
        argv: provider.command,
        cwd: stage.workdir,
        env,
        stdin: prompt,
        signal: stage.signal,
        timeoutMs: provider.timeout_ms,
        stdoutFile: join(stage.stageDir, 'stdout.log'),
        stderrFile: join(stage.stageDir, 'stderr.log'),
        onOutput: () => stage.heartbeat(),
      });
      if (result.spawnError) throw new StageConfigError(`agent command ${JSON.stringify(provider.command)} ${describeExit(result)}`);
      if (result.exitCode === 0 && !result.logError) return { response: result.stdout };
      const stderr = tail(result.stderrTail, 500);
      return {
        response: result.stdout,
        outcome: {
          status: StageStatus.fail,
          failure_reason: `agent ${provider.command[0]} failed (${describeExit(result)})${stderr ? `: ${stderr}` : ''}`,
        },
      };
    },
  };
}
