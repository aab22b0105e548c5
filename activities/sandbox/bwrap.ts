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
/** The parts of /etc programs need (libraries, users, name resolution, TLS roots, time zone, alternatives). */
const ETC_ENTRIES = ['alternatives', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'passwd', 'group', 'nsswitch.conf', 'hosts', 'resolv.conf', 'host.conf', 'ssl', 'ca-certificates', 'ca-certificates.conf', 'localtime', 'timezone', 'mime.types', 'gitconfig', 'os-release', 'debian_version'];

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
  const a = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session'];
  if (box.sandbox.network === 'off') a.push('--unshare-net');
  for (const d of SYSTEM_DIRS) mountSystem(a, d);
  for (const e of ETC_ENTRIES) mountSystem(a, `/etc/${e}`);
  // node from outside the system directories (nvm, /opt): its installation, read-only, so `npm test` runs
  const nodePrefix = dirname(dirname(process.execPath));
  if (!SYSTEM_DIRS.some((d) => within(d, nodePrefix))) a.push('--ro-bind-try', nodePrefix, nodePrefix);
  a.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', SANDBOX_HOME);
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
