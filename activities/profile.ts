// Boot phase 1, Profile Resolve: load the FactoryProfile (registry ref or file), resolve its paths and
// defaults, and check every required env var and contract; any miss is one BOOT_FAILURE listing all.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { FactoryProfile, ProviderConfig } from '../definitions/schemas/profile';
import { isLlmProvider } from '../definitions/schemas/providers';
import { loadBootSpec } from './boot-load';
import { bootFailure, throwIfCauses } from './errors';
import { loadTwinFixture } from './handlers/backends/twin';
import type { ResolvedProfile, ResolveProfileInput } from './types';

/** Where relative paths resolve and which env is checked (the worker's). */
export interface ProfileDeps {
  registryRoot: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Resolves a profile. Paths come back absolute: provider.fixture and TLS files relative to the profile
 * file, environment.run_root and environment.workdir relative to the registry (project) root.
 */
export async function resolveProfile(input: ResolveProfileInput, deps: ProfileDeps): Promise<ResolvedProfile> {
  const root = resolve(input.registryRoot ?? deps.registryRoot);
  const causes: string[] = [];
  const spec = await loadBootSpec('profile', input.profile, root, causes);
  const raw = spec?.loaded.kind === 'FactoryProfile' ? spec.loaded.profile : undefined;
  if (!spec || !raw) {
    throw bootFailure('profile resolve', causes.length ? causes : [`profile ${input.profile.ref ?? input.profile.file}: did not load`]);
  }
  const profile = withResolvedPaths(raw, dirname(spec.loaded.file), root);
  const name = `profile ${profile.id}@${profile.version}`;
  for (const missing of missingEnv(profile, deps.env)) causes.push(`${name}: ${missing}`);
  for (const broken of await brokenContracts(profile, deps.env)) causes.push(`${name}: ${broken}`);
  throwIfCauses('profile resolve', causes);
  return { profile, ref: { id: profile.id, version: profile.version }, digest: spec.loaded.digest, source: spec.source };
}

/** Env vars the profile needs that are unset or empty: environment.required_env and the default provider's api_key_env. */
export function missingEnv(profile: FactoryProfile, env: NodeJS.ProcessEnv): string[] {
  const needed = new Map<string, string>();
  for (const v of profile.environment.required_env) needed.set(v, 'environment.required_env');
  // the default provider's key is needed by every codergen stage; a named provider's key is checked when a
  // node uses it (StageConfigError naming the variable), so a profile may declare providers a machine lacks keys for
  const p = profile.provider;
  if (isLlmProvider(p) && p.api_key_env && !needed.has(p.api_key_env)) needed.set(p.api_key_env, 'provider.api_key_env');
  return [...needed].filter(([v]) => !env[v]).map(([v, field]) => `environment variable ${v} is not set (${field})`);
}

/** The profile with every path made absolute (see resolveProfile). */
export function withResolvedPaths(profile: FactoryProfile, profileDir: string, root: string): FactoryProfile {
  const withFixture = (p: ProviderConfig): ProviderConfig => (p.kind === 'twin' && p.fixture ? { ...p, fixture: resolve(profileDir, p.fixture) } : p);
  const provider = withFixture(profile.provider);
  const providers = Object.fromEntries(Object.entries(profile.providers ?? {}).map(([n, p]) => [n, withFixture(p)]));
  const tls = profile.environment.temporal.tls;
  const tlsResolved = tls && {
    ...tls,
    ...(tls.server_root_ca_cert ? { server_root_ca_cert: resolve(profileDir, tls.server_root_ca_cert) } : {}),
    ...(tls.client_cert ? { client_cert: resolve(profileDir, tls.client_cert) } : {}),
    ...(tls.client_key ? { client_key: resolve(profileDir, tls.client_key) } : {}),
  };
  return {
    ...profile,
    provider,
    providers,
    ...(profile.plugins ? { plugins: profile.plugins.map((p) => resolve(profileDir, p)) } : {}),
    environment: {
      ...profile.environment,
      run_root: resolve(root, profile.environment.run_root),
      workdir: resolve(root, profile.environment.workdir),
      workspace: withRemoteResolved(profile.environment.workspace, root),
      temporal: { ...profile.environment.temporal, ...(tlsResolved ? { tls: tlsResolved } : {}) },
    },
  };
}

/** Contracts the profile promises but the machine does not keep: files, directories, commands. */
async function brokenContracts(profile: FactoryProfile, env: NodeJS.ProcessEnv): Promise<string[]> {
  const out: string[] = [];
  const workdir = profile.environment.workdir;
  if (!(await isDirectory(workdir))) out.push(`environment.workdir ${workdir} is not a directory`);
  const p = profile.provider;
  if (p.kind === 'twin' && p.fixture) {
    await loadTwinFixture(p.fixture).catch((err: Error) => out.push(`provider.fixture: ${err.message.replace(/\n\s*/g, '; ')}`));
  }
  if (p.kind === 'agent') {
    const cmd = p.command[0] as string;
    if (!(await findExecutable(cmd, workdir, env))) out.push(`provider.command[0] "${cmd}" is not an executable file${cmd.includes('/') ? '' : ' on PATH'}`);
  }
  const tls = profile.environment.temporal.tls;
  for (const field of ['server_root_ca_cert', 'client_cert', 'client_key'] as const) {
    const file = tls?.[field];
    if (file && !(await isReadable(file))) out.push(`environment.temporal.tls.${field} ${file} cannot be read`);
  }
  return out;
}

/** Resolves a command the way spawn will: a path (relative to the workdir) or a name on PATH. */
export async function findExecutable(cmd: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const candidates = cmd.includes('/')
    ? [isAbsolute(cmd) ? cmd : resolve(cwd, cmd)]
    : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // try the next
    }
  }
  return undefined;
}

// the boot checks are synchronous metadata calls (µs): in a busy worker each thread-pool call waits
// for an event-loop turn (BENCHMARKS.md, issue 12)
async function isDirectory(path: string): Promise<boolean> {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function isReadable(path: string): Promise<boolean> {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** A candidate remote given as a path resolves against the registry root like workdir; URLs (scheme:// or scp-like host:path) stay. */
function withRemoteResolved(ws: FactoryProfile['environment']['workspace'], root: string): FactoryProfile['environment']['workspace'] {
  const remote = ws.remote;
  if (remote === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || /^[^/]+:/.test(remote)) return ws;
  return { ...ws, remote: resolve(root, remote) };
}
