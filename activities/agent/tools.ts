// The agent's tool registry: the spec's shared core tools plus list_dir, as SDK tool definitions
// (no execute: the loop runs tools itself, one journaled call at a time).

import { tool, type ToolSet } from 'ai';
import { applyPatchTool } from './apply-patch';
import { editFileTool, globTool, grepTool, listDirTool, readFileTool, writeFileTool } from './tools-fs';
import { shellTool } from './tools-shell';
import type { AgentTool, ToolEnv } from './tool-types';
import { truncateToolOutput } from './truncate';

/** Every tool a codergen stage gets by default (the Anthropic / Gemini profiles: edit_file). */
export const DEFAULT_TOOLS: readonly AgentTool[] = [readFileTool, writeFileTool, editFileTool, shellTool, grepTool, globTool, listDirTool] as AgentTool[];
/** The OpenAI profile (spec §3.4): apply_patch beside write_file; edit_file stays for models that prefer it. */
export const OPENAI_TOOLS: readonly AgentTool[] = [readFileTool, applyPatchTool, writeFileTool, editFileTool, shellTool, grepTool, globTool, listDirTool] as AgentTool[];

/** The tool set for a provider kind (provider-aligned toolsets, spec §3.1). */
export function toolsFor(kind: string): readonly AgentTool[] {
  return kind === 'openai' || kind === 'openai_compatible' ? OPENAI_TOOLS : DEFAULT_TOOLS;
}

/** The tools as the SDK declares them to the model. */
export function toolSet(tools: readonly AgentTool[]): ToolSet {
  const set: ToolSet = {};
  for (const t of tools) set[t.name] = tool({ description: t.description, inputSchema: t.schema });
  return set;
}

/** One tool call's result: the full output (journal) and what the model sees (truncated). */
export interface ToolOutcome {
  output: string;
  forModel: string;
  isError: boolean;
}

/** Runs one call: unknown tool and invalid arguments are errors the model reads, as are thrown errors (spec §2.5). */
export async function runTool(tools: readonly AgentTool[], name: string, args: unknown, env: ToolEnv): Promise<ToolOutcome> {
  const t = tools.find((x) => x.name === name);
  if (!t) return errorOutcome(`Unknown tool: ${name}`);
  const parsed = t.schema.safeParse(args);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    return errorOutcome(`Invalid arguments for tool: ${name}: ${issues}`);
  }
  try {
    const output = await t.run(parsed.data, env);
    return { output, forModel: truncateToolOutput(output, name), isError: false };
  } catch (err) {
    if (env.signal.aborted) throw env.signal.reason ?? err;
    return errorOutcome(`Tool error (${name}): ${err instanceof Error ? err.message : String(err)}`);
  }
}

function errorOutcome(message: string): ToolOutcome {
  return { output: message, forModel: message, isError: true };
}
