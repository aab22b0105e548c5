// The sandbox a run's untrusted processes run in (docs/security.md): the profile's `sandbox` setting,
// and how it resolves on this machine — bubblewrap when it works, else refused for real-LLM runs.

import { StageConfigError } from '../errors';
import { probeBwrap, type BwrapProbe } from './probe';

import type { SandboxPolicy } from '../../core/sandbox-policy';

export type { SandboxPolicy };

/** What a run gets without a `sandbox` setting (and what a stage assumes when its input carries none). */
export const DEFAULT_SANDBOX: SandboxPolicy = { mode: 'bwrap', network: 'off', env: [] };

/** The sandbox one stage or scenario runs its processes in. */
export interface ResolvedSandbox extends SandboxPolicy {
  /** Why processes run unconfined (mode none): the profile said so, or a twin-only run without bubblewrap. */
  note?: string;
}

/** The message for a machine where bubblewrap does not work (preflight and stages say the same). */
export function bwrapMissing(reason: string): string {
  return `sandbox: bubblewrap does not work on this worker (${reason}); agent commands, tool stages, hooks and command scenarios run under it. Install the Debian package bubblewrap (/usr/bin/bwrap), or set \`sandbox: none\` in the profile to run them unconfined (docs/security.md)`;
}

/**
 * The sandbox in force: `none` when the policy says so; bubblewrap when it works; unconfined with a
 * note for a twin-only run without it; otherwise a StageConfigError (preflight refuses such runs first).
 */
export async function resolveSandbox(policy: SandboxPolicy | undefined, twinOnly: boolean, probe: () => Promise<BwrapProbe> = probeBwrap): Promise<ResolvedSandbox> {
  const p = policy ?? DEFAULT_SANDBOX;
  if (p.mode === 'none') return { ...p, note: 'sandbox: none (profile): agent commands run unconfined' };
  const found = await probe();
  if (found.ok) return p;
  if (twinOnly) return { ...p, mode: 'none', note: `bubblewrap unavailable (${found.reason}): this twin-only run runs commands unsandboxed` };
  throw new StageConfigError(bwrapMissing(found.reason));
}

/** An agent provider's sandbox: the base widened by its own variables (its key) and its model API's hosts (unless the network is `on` or the sandbox `none`). */
export function agentSandbox(base: ResolvedSandbox, provider: { env?: readonly string[]; allow_hosts?: readonly string[] }): ResolvedSandbox {
  const env = [...base.env, ...(provider.env ?? [])];
  const hosts = provider.allow_hosts ?? [];
  if (base.mode !== 'bwrap' || base.network !== 'off' || hosts.length === 0) return { ...base, env };
  return { ...base, env, allow: [...new Set([...(base.allow ?? []), ...hosts])] };
}
