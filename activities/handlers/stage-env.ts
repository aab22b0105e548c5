// How run data reaches a child process (tool command, coding agent): ONLY through environment
// variables and a JSON context file, never spliced into a command line, so no value can inject shell.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageContext } from '../handler-registry';
import { statusPath } from './status-file';
import { NO_FOLLOW_WRITE } from '../no-follow';

/** Prefix of the per-key context variables. */
export const CONTEXT_ENV_PREFIX = 'FACTORY_CTX_';
/** Context values longer than this are left out of the env (E2BIG); they are in FACTORY_CONTEXT_FILE. */
export const ENV_VALUE_LIMIT = 32 * 1024;
/** The context dump every child process can read. */
export const CONTEXT_FILE = 'context.json';

/** `tool.output` → `FACTORY_CTX_TOOL_OUTPUT`: upper-cased, every non-alphanumeric → '_'. */
export function contextEnvName(key: string): string {
  return CONTEXT_ENV_PREFIX + key.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The env string for a context value: strings verbatim, everything else as JSON; undefined when unfit for env. */
export function contextEnvValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined || text.length > ENV_VALUE_LIMIT || text.includes('\0')) return undefined;
  return text;
}

/** Writes `<stage>/context.json` and returns the child env: worker env + FACTORY_* variables. */
export async function stageEnv(stage: StageContext): Promise<NodeJS.ProcessEnv> {
  return { ...workerEnv(stage.env), ...(await stageVars(stage)) };
}

/** The worker's environment without stale FACTORY_CTX_* variables (a worker started by a stage). */
export function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith(CONTEXT_ENV_PREFIX)) out[k] = v;
  return out;
}

/** Writes `<stage>/context.json` and returns the FACTORY_* variables alone (what a sandboxed command is given by name). */
export async function stageVars(stage: StageContext): Promise<Record<string, string>> {
  const contextFile = join(stage.stageDir, CONTEXT_FILE);
  // never through a link: a sandboxed tool command may write its own stage directory between attempts
  await writeFile(contextFile, JSON.stringify(stage.context, null, 2) + '\n', { flag: NO_FOLLOW_WRITE });
  const env: Record<string, string> = {};
  for (const key of Object.keys(stage.context).sort()) {
    const value = contextEnvValue(stage.context[key]);
    if (value !== undefined) env[contextEnvName(key)] = value;
  }
  return Object.assign(env, {
    FACTORY_RUN_ID: stage.runId,
    FACTORY_RUN_DIR: stage.runDir,
    FACTORY_STAGE_DIR: stage.stageDir,
    FACTORY_NODE_ID: stage.node.id,
    FACTORY_WORKDIR: stage.workdir,
    FACTORY_GOAL: stage.goal,
    FACTORY_PIPELINE_ID: stage.pipelineId,
    FACTORY_ATTEMPT: String(stage.attempt),
    FACTORY_CONTEXT_FILE: contextFile,
    FACTORY_STATUS_FILE: statusPath(stage.stageDir),
  });
}
