// The agent's system prompt, in the spec's layers (§6.1): base instructions, an environment block,
// project instructions (AGENTS.md, CLAUDE.md or GEMINI.md in the workspace), then the node's own
// `system` attribute, which wins. Built once per session and journaled, so a resumed session sends
// the same one. With the tools off, only the node's `system` is sent.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { platform, release } from 'node:os';
import { join } from 'node:path';
import type { ResolvedSandbox } from '../sandbox/policy';

const BASE = `You are a coding agent working inside one project workspace, as one stage of a software-factory pipeline.
Use the tools to inspect and change files and to run commands: read a file before you edit it, prefer edit_file
(old_string must match exactly once) over rewriting whole files, and run the project's tests with shell before you
finish. Paths of the file tools are relative to the workspace and cannot leave it. When the task is done, answer with
a short summary of what you changed and how you checked it, without calling a tool.`;

/** What the shell is, said truthfully for the stage's sandbox (docs/security.md). */
export function shellNote(sandbox: ResolvedSandbox | undefined): string {
  if (sandbox?.mode === 'none') return 'Shell commands run unsandboxed, as the worker\'s user.';
  const allow = sandbox?.network === 'off' ? (sandbox.allow ?? []) : [];
  const net =
    sandbox?.network === 'on'
      ? 'the network is available'
      : allow.length > 0
        ? `there is no network except HTTP(S) to ${allow.join(', ')} through the proxy in HTTPS_PROXY (other hosts are refused; there is no DNS)`
        : 'there is no network (loopback only)';
  return `Shell commands run in a sandbox: only the workspace is visible and writable besides read-only system directories, /tmp and HOME are private and empty for each command, ${net}, and no process outlives the command that started it.`;
}

const PROJECT_DOCS = ['AGENTS.md', 'CLAUDE.md', 'GEMINI.md'];
const PROJECT_DOC_LIMIT = 32 * 1024;

/** The layered system prompt for a session in `workdir` on `model`. */
export async function buildSystemPrompt(opts: { workdir: string; model: string; toolsOn: boolean; nodeSystem?: string; today?: string; sandbox?: ResolvedSandbox }): Promise<string> {
  // one plain call (tools off): only the node's own system message, as a bare chat request would send
  if (!opts.toolsOn) return opts.nodeSystem?.trim() ?? '';
  const env = [
    '<environment>',
    `Working directory: ${opts.workdir}`,
    `Is git repository: ${existsSync(join(opts.workdir, '.git'))}`,
    `Platform: ${platform()}`,
    `OS version: ${release()}`,
    `Today's date: ${opts.today ?? new Date().toISOString().slice(0, 10)}`,
    `Model: ${opts.model}`,
    '</environment>',
  ].join('\n');
  const layers = [`${BASE}\n${shellNote(opts.sandbox)}`, env];
  for (const name of PROJECT_DOCS) {
    const text = await readFile(join(opts.workdir, name), 'utf8').catch(() => undefined);
    if (text?.trim()) layers.push(`<project_instructions file="${name}">\n${text.slice(0, PROJECT_DOC_LIMIT)}\n</project_instructions>`);
  }
  if (opts.nodeSystem?.trim()) layers.push(opts.nodeSystem.trim());
  return layers.join('\n\n');
}
