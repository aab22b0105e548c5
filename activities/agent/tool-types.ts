// The shape of one agent tool: a name and description the model sees, a zod schema for its
// arguments (validated before it runs), and the function that runs it in the workspace.

import type { z } from 'zod';
import type { ResolvedSandbox } from '../sandbox/policy';

/** Where a tool runs: the workspace root, the stage's directory, limits, the abort signal. */
export interface ToolEnv {
  root: string;
  stageDir: string;
  /** Environment for shell commands, secrets filtered out (sandboxed: only ENV_ALLOW and the profile's names reach them). */
  env: NodeJS.ProcessEnv;
  /** The stage's sandbox; absent: the default (bubblewrap, network off), refused when bubblewrap is missing. */
  sandbox?: ResolvedSandbox;
  signal: AbortSignal;
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  /** Unique per call (journal id), for log file names. */
  callId: string;
  heartbeat(): void;
}

/** One tool; run() returns its full output or throws (the error text goes back to the model). */
export interface AgentTool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: S;
  run(args: z.output<S>, env: ToolEnv): Promise<string>;
}
