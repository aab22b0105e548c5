// The agent's shell tool (coding-agent-loop spec §3.3, §5.4): /bin/sh -c in the workspace inside the
// stage's bubblewrap sandbox (activities/sandbox: only the workspace visible and writable, no network,
// environment from an allow-list, every process killed when the command ends), a default timeout the
// call may raise up to the maximum, TERM then KILL on timeout.

import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { runConfined } from '../sandbox/run';
import { resolveSandbox } from '../sandbox/policy';
import { stageBox } from '../sandbox/stage';
import type { AgentTool } from './tool-types';

/** Environment variable names never passed to the agent's shell. */
export const SECRET_ENV = /(API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY)/i;

/** The environment with secrets removed (spec §4 environment filtering; with `sandbox: none` the only filter). */
export function filteredEnv(env: NodeJS.ProcessEnv, alsoDrop: readonly string[] = []): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!SECRET_ENV.test(k) && !alsoDrop.includes(k)) out[k] = v;
  return out;
}

const shellArgs = z.strictObject({
  command: z.string().min(1).describe('The command to run (sh -c)'),
  timeout_ms: z.int().min(1).optional().describe('Override the default timeout'),
  description: z.string().optional().describe('What this command does'),
});

/** shell: stdout + stderr, exit code and duration; a timeout returns the partial output with the spec's message. */
export const shellTool: AgentTool<typeof shellArgs> = {
  name: 'shell',
  description: 'Execute a shell command. Returns stdout, stderr, and exit code.',
  schema: shellArgs,
  async run(a, env) {
    const timeoutMs = Math.min(a.timeout_ms ?? env.defaultTimeoutMs, env.maxTimeoutMs);
    const dir = join(env.stageDir, 'tools');
    await mkdir(dir, { recursive: true });
    const sandbox = env.sandbox ?? (await resolveSandbox(undefined, false));
    const started = Date.now();
    const spec = {
      argv: ['/bin/sh', '-c', a.command],
      cwd: env.root,
      env: env.env,
      signal: env.signal,
      timeoutMs,
      stdoutFile: join(dir, `${env.callId}.stdout.log`),
      stderrFile: join(dir, `${env.callId}.stderr.log`),
      onOutput: () => env.heartbeat(),
    };
    const r = await runConfined(spec, stageBox(sandbox, env.root, dirname(env.stageDir)));
    if (r.aborted) throw env.signal.reason ?? new Error('aborted');
    if (r.spawnError) throw new Error(`cannot run /bin/sh: ${r.spawnError}`);
    const stderr = await readFile(join(dir, `${env.callId}.stderr.log`), 'utf8').catch(() => r.stderrTail);
    const parts = [r.stdout.trimEnd(), stderr.trimEnd() ? `[stderr]\n${stderr.trimEnd()}` : ''].filter(Boolean);
    if (r.timedOut) {
      parts.push(`[ERROR: Command timed out after ${timeoutMs}ms. Partial output is shown above.\nYou can retry with a longer timeout by setting the timeout_ms parameter.]`);
    } else {
      parts.push(`[exit code ${r.exitCode ?? `signal ${r.signal}`}, ${Date.now() - started} ms]`);
    }
    return parts.join('\n');
  },
};
