// Tool call hooks (Attractor §9.7): `tool_hooks.pre` / `tool_hooks.post` shell commands run around each
// agent tool call, confined like the shell tool (the stage's bubblewrap sandbox, workspace cwd, a
// timeout): a hook sees the agent's arguments and workspace, so it is treated as untrusted too. Pre exit 0 = proceed, non-zero = the call is skipped; post failures are recorded only.

import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runConfined } from '../sandbox/run';
import { resolveSandbox, type ResolvedSandbox } from '../sandbox/policy';
import { stageBox } from '../sandbox/stage';
import type { PipelineNode } from '../../core/model';

/** The node attribute keys (graph-level hooks are copied onto nodes by the tool_hook_inheritance transform). */
export const PRE_HOOK_ATTR = 'tool_hooks.pre';
export const POST_HOOK_ATTR = 'tool_hooks.post';
/** Hook output kept in the transcript. */
const HOOK_OUTPUT_LIMIT = 4_000;

/** The hooks a node's agent runs with. */
export interface ToolHooks {
  pre?: string;
  post?: string;
}

/** What one hook run did, as journaled on the tool line. */
export interface HookRecord {
  command: string;
  exit_code: number | null;
  timed_out: boolean;
  output: string;
}

/** The node's hooks (node attribute; empty string = none). */
export function hooksOf(node: Pick<PipelineNode, 'attrs'>): ToolHooks {
  const pick = (k: string): string | undefined => {
    const v = node.attrs[k];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const pre = pick(PRE_HOOK_ATTR);
  const post = pick(POST_HOOK_ATTR);
  return { ...(pre ? { pre } : {}), ...(post ? { post } : {}) };
}

/** One hook invocation: tool metadata in env (FACTORY_TOOL_*) and as JSON on stdin. */
export interface HookCall {
  phase: 'pre' | 'post';
  command: string;
  cwd: string;
  stageDir: string;
  env: NodeJS.ProcessEnv;
  /** The stage's sandbox; absent: the default (bubblewrap, network off). */
  sandbox?: ResolvedSandbox;
  signal: AbortSignal;
  timeoutMs: number;
  callId: string;
  tool: { name: string; call_id: string; args: unknown; result?: { output: string; is_error: boolean } };
}

/** Runs a hook; a spawn failure or timeout counts as a non-zero exit (a pre-hook that cannot run vetoes). */
export async function runHook(h: HookCall): Promise<HookRecord> {
  const dir = join(h.stageDir, 'tools');
  await mkdir(dir, { recursive: true });
  const stdoutFile = join(dir, `${h.callId}.${h.phase}-hook.stdout.log`);
  const stderrFile = join(dir, `${h.callId}.${h.phase}-hook.stderr.log`);
  const vars: Record<string, string> = { FACTORY_HOOK_PHASE: h.phase, FACTORY_TOOL_NAME: h.tool.name, FACTORY_TOOL_CALL_ID: h.tool.call_id, ...(h.tool.result ? { FACTORY_TOOL_IS_ERROR: String(h.tool.result.is_error) } : {}) };
  const sandbox = h.sandbox ?? (await resolveSandbox(undefined, false));
  const spec = {
    argv: ['/bin/sh', '-c', h.command],
    cwd: h.cwd,
    env: { ...h.env, ...vars },
    stdin: JSON.stringify({ phase: h.phase, tool_name: h.tool.name, call_id: h.tool.call_id, arguments: h.tool.args, ...(h.tool.result ? { result: h.tool.result } : {}) }),
    signal: h.signal,
    timeoutMs: h.timeoutMs,
    stdoutFile,
    stderrFile,
  };
  const r = await runConfined(spec, stageBox(sandbox, h.cwd, dirname(h.stageDir)), Object.keys(vars));
  if (r.aborted) throw h.signal.reason ?? new Error('aborted');
  const stderr = await readFile(stderrFile, 'utf8').catch(() => r.stderrTail);
  let output = [r.stdout.trimEnd(), stderr.trimEnd()].filter(Boolean).join('\n');
  if (r.spawnError) output = `cannot run /bin/sh: ${r.spawnError}`;
  if (r.timedOut) output = `${output}\n[hook timed out after ${h.timeoutMs}ms]`.trim();
  const failed = r.spawnError !== undefined || r.timedOut;
  return { command: h.command, exit_code: failed ? (r.exitCode ?? -1) : r.exitCode, timed_out: r.timedOut, output: output.slice(0, HOOK_OUTPUT_LIMIT) };
}

/** True when a hook run counts as success (exit 0, not timed out). */
export function hookPassed(r: HookRecord): boolean {
  return r.exit_code === 0 && !r.timed_out;
}
