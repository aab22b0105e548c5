// `tool` nodes (Attractor §4.10): `tool_command` run by /bin/sh in the run's workdir. The command text
// comes from the spec only; run data reaches it as FACTORY_* environment variables (see stage-env.ts).

import { join } from 'node:path';
import { StageStatus } from '../../core/model';
import { failure, type Outcome } from '../../core/outcome';
import type { Handler, StageContext } from '../handler-registry';
import { describeExit, head, tail } from './process';
import { stageVars, workerEnv } from './stage-env';
import { runConfined } from '../sandbox/run';
import { stageBox, stageSandbox } from '../sandbox/stage';

/** Characters of stdout kept in `tool.output` (the full output is in `<stage>/stdout.log`). */
export const TOOL_OUTPUT_LIMIT = 4096;
const STDERR_REASON_LIMIT = 500;

/** Runs `node.tool_command`; exit 0 → success, anything else → fail with the exit and stderr tail. */
export const toolHandler: Handler = {
  async execute(stage: StageContext): Promise<Outcome> {
    const command = stage.node.tool_command ?? '';
    if (command.trim() === '') return failure('No tool_command specified');
    // the command runs the agent's code (`npm test`): sandboxed, the workspace and this stage's directory writable
    const sandbox = await stageSandbox(stage);
    const vars = await stageVars(stage);
    const spec = {
      argv: ['/bin/sh', '-c', command],
      cwd: stage.workdir,
      env: { ...workerEnv(stage.env), ...vars },
      signal: stage.signal,
      stdoutFile: join(stage.stageDir, 'stdout.log'),
      stderrFile: join(stage.stageDir, 'stderr.log'),
      onOutput: () => stage.heartbeat(),
    };
    const result = await runConfined(spec, stageBox(sandbox, stage.workdir, stage.runDir, [stage.stageDir]), Object.keys(vars));
    const unconfined = sandbox.note ? ` (${sandbox.note})` : '';
    const output = head(result.stdout.replace(/\s+$/, ''), TOOL_OUTPUT_LIMIT);
    const context_updates = { 'tool.output': output, 'tool.exit_code': result.exitCode };
    if (result.exitCode === 0 && !result.spawnError && !result.logError) {
      return { status: StageStatus.success, context_updates, notes: `Tool completed: ${command}${unconfined}` };
    }
    const stderr = tail(result.stderrTail, STDERR_REASON_LIMIT);
    const reason = `tool command failed (${describeExit(result)})${stderr ? `: ${stderr}` : ''}`;
    return { status: StageStatus.fail, failure_reason: reason, context_updates, notes: `Tool failed: ${command}${unconfined}` };
  },
};
