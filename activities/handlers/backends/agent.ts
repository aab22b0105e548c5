// The `agent` provider: a command-line coding agent (argv from the profile) runs in the workdir with the
// prompt on stdin and the same FACTORY_* environment as a tool; its stdout is the response. It runs the
// model's commands itself, so it is sandboxed like a tool stage (docs/security.md): the workspace and its
// stage directory writable, its installation read-only, only the variables it names (its key) passed
// in, and the network only to its `allow_hosts` (its model API) through the allow-list proxy.

import { join } from 'node:path';
import { StageStatus } from '../../../core/model';
import type { ProviderConfig } from '../../../definitions/schemas/profile';
import { StageConfigError } from '../../errors';
import type { StageContext } from '../../handler-registry';
import { describeExit, tail } from '../process';
import { stageVars, workerEnv } from '../stage-env';
import { runConfined } from '../../sandbox/run';
import { stageBox, stageSandbox } from '../../sandbox/stage';
import { agentSandbox } from '../../sandbox/policy';
import { resolveCommand } from '../../sandbox/command-path';
import type { BackendResult, CodergenBackend } from './types';

type AgentProvider = Extract<ProviderConfig, { kind: 'agent' }>;

/** Builds the agent backend: exit 0 → the stdout is the response; otherwise a FAIL outcome. */
export function createAgentBackend(): CodergenBackend {
  return {
    async run(stage: StageContext, prompt: string): Promise<BackendResult> {
      const provider = stage.provider as AgentProvider;
      const sandbox = agentSandbox(await stageSandbox(stage), provider);
      const vars: Record<string, string> = {
        ...(await stageVars(stage)),
        FACTORY_PROMPT_FILE: join(stage.stageDir, 'prompt.md'),
        // the run context as the stage's fidelity carries it (Attractor §5.4; written by codergen)
        ...(stage.carried ? { FACTORY_CARRIED_CONTEXT_FILE: join(stage.stageDir, 'context.md'), FACTORY_FIDELITY: stage.carried.mode } : {}),
      };
      const env = { ...workerEnv(stage.env), ...vars };
      // bwrap reports a missing program as its own exit 1: find it first, and show its file to the sandbox
      const found = await resolveCommand(provider.command[0] ?? '', stage.workdir, env.PATH ?? '/usr/bin:/bin');
      if ('error' in found) throw new StageConfigError(`agent command ${JSON.stringify(provider.command)} could not start: ${found.error}`);
      const box = { ...stageBox(sandbox, stage.workdir, stage.runDir, [stage.stageDir]), readOnly: found.outside };
      const result = await runConfined(
        {
          argv: provider.command,
          cwd: stage.workdir,
          env,
          stdin: prompt,
          signal: stage.signal,
          timeoutMs: provider.timeout_ms,
          stdoutFile: join(stage.stageDir, 'stdout.log'),
          stderrFile: join(stage.stageDir, 'stderr.log'),
          onOutput: () => stage.heartbeat(),
        },
        box,
        Object.keys(vars),
      );
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
