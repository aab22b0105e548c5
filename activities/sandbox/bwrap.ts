// The bubblewrap command line for one untrusted process (docs/security.md): fresh PID/IPC/UTS/mount
// (and by default network) namespaces, system directories read-only, only the given paths writable,
// a private /tmp and HOME, a fresh /proc, the environment from an allow-list, killed with its parent.

import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ProcessSpec } from '../handlers/process';
import type { ResolvedSandbox } from './policy';
import { BWRAP } from './probe';

/** Worker variables every sandbox gets (when set); everything else is left out unless named. */
export const ENV_ALLOW: readonly string[] = ['PATH', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'TZ', 'TERM', 'NO_COLOR', 'CI'];
/** HOME inside the sandbox: an empty tmpfs. */
export const SANDBOX_HOME = '/home/sandbox';
/** System directories mounted read-only (or recreated as the symlinks they are, on merged-/usr systems). */
export const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/**
 * The parts of /etc programs read at run time: the loader cache, users, name lookup order and hosts,
 * TLS roots, time zone, alternatives (`/usr/bin/awk` links through them), git's system config and the
 * OS release. Each is one mount, and mounts are most of bwrap's set-up time (BENCHMARKS.md sandbox-call),
 * so files only installers read (ld.so.conf, ca-certificates.conf, mime.types…) are left out.
 */
const ETC_ENTRIES = ['alternatives', 'ld.so.cache', 'passwd', 'group', 'nsswitch.conf', 'hosts', 'ssl', 'localtime', 'timezone', 'gitconfig', 'os-release'];
/** Only where a resolver is reachable (network `on`): with the network off there is none to name. */
const ETC_RESOLVER = ['resolv.conf', 'host.conf'];

/** What one sandboxed process may see besides the system: absolute paths. */
export interface Box {
  sandbox: ResolvedSandbox;
  /** Bound read-write (the run's workspace; a tool stage's own stage directory). */
  writable: readonly string[];
  /** Bound read-only (a command scenario's candidate). */
  readOnly?: readonly string[];
  /** Covered by an empty tmpfs after the binds (a run root or `.factory/` inside the workspace). */
  hide?: readonly string[];
  /** The network allow-list proxy's directory (socket and forwarder), bound read-only at NET_DIR (activities/sandbox/run.ts). */
  netDir?: string;
}

/** Where the allow-list proxy's directory appears inside the sandbox. */
export const NET_DIR = '/run/factory-net';

/**
 * The process spec to run instead: bwrap around spec.argv, or spec itself when the sandbox is `none`.
 * `pass` names variables of spec.env the command needs (FACTORY_* stage variables) beside ENV_ALLOW and the profile's list.
 */
export function confine(spec: ProcessSpec, box: Box, pass: readonly string[] = []): ProcessSpec {
  if (box.sandbox.mode === 'none') return spec;
  const env = sandboxEnv(spec.env, [...pass, ...box.sandbox.env]);
  // bwrap itself gets an empty environment: it is pid 1 inside, and /proc/1/environ is readable there
  return { ...spec, argv: [BWRAP, ...bwrapArgs(box, spec.cwd, env), '--', ...spec.argv], env: {} };
}

/** The sandbox's environment: ENV_ALLOW plus the named variables, then HOME/TMPDIR of its own. */
export function sandboxEnv(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...ENV_ALLOW, ...names]) {
    const v = env[name];
    if (v !== undefined && !v.includes('\0')) out[name] = v;
  }
  return { ...out, HOME: SANDBOX_HOME, TMPDIR: '/tmp' };
}

/** bwrap's arguments (before `--` and the command): pure apart from checking which system paths exist. */
export function bwrapArgs(box: Box, cwd: string, env: Record<string, string>): string[] {
  const a = [...systemArgs(box.sandbox.network === 'on')];
  if (box.netDir !== undefined) a.push('--ro-bind', abs(box.netDir), NET_DIR);
  for (const p of box.readOnly ?? []) a.push('--ro-bind', abs(p), abs(p));
  for (const p of box.writable) a.push('--bind', abs(p), abs(p));
  for (const p of box.hide ?? []) a.push('--tmpfs', abs(p));
  // writable paths inside a hidden one (the stage directory inside a hidden run root) are bound again on top
  for (const p of box.writable) if ((box.hide ?? []).some((h) => within(abs(h), abs(p)) && abs(h) !== abs(p))) a.push('--bind', abs(p), abs(p));
  a.push('--clearenv');
  for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
  a.push('--chdir', abs(cwd));
  return a;
}

/**
 * The paths a stage's sandbox hides inside its workspace: the run root when it lies there, `.factory/`
 * (server address, scenario worker log) and a scenario registry (`scenarios/` holding registry.lock.json),
 * for a workspace that is the factory's own project root (workdir `.`).
 */
export function hiddenInWorkspace(workspace: string, runDir: string | undefined): string[] {
  const ws = abs(workspace);
  const out: string[] = [];
  if (runDir !== undefined) {
    const runRoot = dirname(abs(runDir));
    if (within(ws, runRoot)) out.push(runRoot === ws ? abs(runDir) : runRoot);
  }
  const dotFactory = resolve(ws, '.factory');
  if (existsSync(dotFactory)) out.push(dotFactory);
  // a workspace holding the worker's HOME (workdir ~ or /) must still not show ~/.factory/run-key
  const homeFactory = resolve(homedir(), '.factory');
  if (homeFactory !== dotFactory && within(ws, homeFactory) && existsSync(homeFactory)) out.push(homeFactory);
  const scenarios = resolve(ws, 'scenarios');
  if (existsSync(resolve(scenarios, 'registry.lock.json'))) out.push(scenarios);
  return out;
}

const systemCache = new Map<boolean, readonly string[]>();

/**
 * The arguments every sandbox shares (namespaces, system directories, /etc entries, node, /proc, /dev,
 * /tmp, HOME), built once per process: which system paths exist and which are links does not change
 * while a worker runs.
 */
function systemArgs(networkOn: boolean): readonly string[] {
  let a = systemCache.get(networkOn);
  if (a) return a;
  const out = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session'];
  if (!networkOn) out.push('--unshare-net');
  for (const d of SYSTEM_DIRS) mountSystem(out, d);
  for (const e of [...ETC_ENTRIES, ...(networkOn ? ETC_RESOLVER : [])]) mountSystem(out, `/etc/${e}`);
  // node from outside the system directories (nvm, /opt): its installation, read-only, so `npm test` runs
  const nodePrefix = dirname(dirname(process.execPath));
  if (!SYSTEM_DIRS.some((d) => within(d, nodePrefix))) out.push('--ro-bind-try', nodePrefix, nodePrefix);
  out.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', SANDBOX_HOME);
  a = Object.freeze(out);
  systemCache.set(networkOn, a);
  return a;
}

function mountSystem(a: string[], path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) a.push('--symlink', readlinkSync(path), path);
  else a.push('--ro-bind', path, path);
}

/** True when `inner` is `outer` or below it. */
function within(outer: string, inner: string): boolean {
  const r = relative(outer, inner);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

function abs(p: string): string {
  return resolve(p);
}
