// A stage's sandbox: the profile's policy resolved on this worker, and the box its processes get —
// the workspace writable (minus the run root and `.factory/` when they lie inside it), nothing else of the run.

import { dirname } from 'node:path';
import type { StageContext } from '../handler-registry';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { hiddenInWorkspace, type Box } from './bwrap';
import { resolveSandbox, type ResolvedSandbox, type SandboxPolicy } from './policy';

/** True when every provider of the run is the twin (no real model drives the agent). */
export function twinOnly(provider: ProviderConfig, providers?: Readonly<Record<string, ProviderConfig>>): boolean {
  return [provider, ...Object.values(providers ?? {})].every((p) => p.kind === 'twin');
}

/** The sandbox a stage runs its processes in (throws StageConfigError when bubblewrap is required but missing). */
export function stageSandbox(stage: Pick<StageContext, 'provider' | 'providers'> & { sandbox?: SandboxPolicy }): Promise<ResolvedSandbox> {
  return resolveSandbox(stage.sandbox, twinOnly(stage.provider, stage.providers));
}

/** The box for a process of a stage: `workspace` (and `alsoWritable`) read-write; the rest of the run invisible. */
export function stageBox(sandbox: ResolvedSandbox, workspace: string, runDir: string, alsoWritable: readonly string[] = []): Box {
  return { sandbox, writable: [workspace, ...alsoWritable], hide: hiddenInWorkspace(workspace, runDir) };
}

/** The run directory of a stage directory (`<runDir>/<stage>`). */
export function runDirOf(stageDir: string): string {
  return dirname(stageDir);
}
