// A plain-directory base is copied whole into every run's workspace, so before the copy: the run root and
// the project's own `.factory` (the local server's database and logs) are left out, a base that holds the
// worker's own state (its run key: ~/.factory, FACTORY_STATE_DIR, the key file's directory) is refused —
// a copy would put the key in the stage's (the agent's) reach, where the sandbox no longer hides it — and
// so is a base over the profile's size limits (environment.workspace.max_base_bytes / max_base_files).

import { execFile, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { runKeyFiles } from '../signing';
import { FACTORY_DIR } from './paths';

/** Default limits of a plain-directory base (documented in docs/deployment.md and the profile schema). */
export const DEFAULT_BASE_LIMITS = { maxBytes: 1024 ** 3, maxFiles: 100_000 } as const;

/** What a plain base may hold: bytes of regular files and entries (files, links, directories). */
export interface BaseLimits {
  maxBytes: number;
  maxFiles: number;
}

/** Whether `inner` is `outer` or lies inside it. */
function within(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** The worker's own state directories that exist (real paths): where its run key lives, now or formerly. */
export function workerStateDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const { file, legacy } = runKeyFiles(env);
  const dirs = new Set([dirname(file), dirname(legacy), join(env.HOME || homedir(), FACTORY_DIR), ...(env.FACTORY_STATE_DIR ? [env.FACTORY_STATE_DIR] : [])]);
  const out: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    try {
      out.push(realpathSync(d));
    } catch {
      // gone between the check and the realpath: nothing to protect
    }
  }
  return out;
}

/** What the copy leaves out: the run root and the project's `.factory` (real paths, those inside the base). */
export function excludedFromCopy(base: string, runRoot: string): string[] {
  return [runRoot, join(base, FACTORY_DIR)].filter((p) => p !== base && within(base, p));
}

/**
 * The BOOT_FAILURE causes for a plain base (empty: it may be copied): it is the run root, it holds the worker's
 * state, or it is larger than the limits (counted without the excluded paths, stopping once over).
 */
export async function plainBaseCauses(base: string, runRoot: string, limits: BaseLimits, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  if (base === runRoot) return [`environment.workdir ${base} (the run's base) is the run root itself; point it at the project's files`];
  const state = workerStateDirs(env).filter((d) => within(base, d));
  if (state.length > 0) {
    return [
      `environment.workdir ${base} (a plain directory, copied whole into every run's workspace) contains the worker's own state directory ${state.join(', ')} (its run key); ` +
        'point environment.workdir at the project\'s files, or make the base a git repository (only committed files are cloned)',
    ];
  }
  const over = await overLimits(base, excludedFromCopy(base, runRoot), limits);
  return over ? [over] : [];
}

/**
 * Counts entries and bytes of regular files under `base` with one `find` (a tenth of what a walk with
 * lstat per file costs in Node on a 10,000-file base, BENCHMARKS.md), pruning `excluded`; stops it as soon
 * as a limit is passed. Returns the cause, or undefined within the limits.
 */
function overLimits(base: string, excluded: readonly string[], limits: BaseLimits): Promise<string | undefined> {
  const prune = excluded.flatMap((p, i) => [...(i > 0 ? ['-o'] : []), '-path', p.replace(/[\\*?[\]]/g, '\\$&')]);
  const args = [base, '-mindepth', '1', ...(prune.length ? ['(', ...prune, ')', '-prune', '-o'] : []), '-printf', '%y %s\\n'];
  return new Promise((resolve, reject) => {
    const child = spawn('find', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let files = 0;
    let bytes = 0;
    let rest = '';
    let verdict: string | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (verdict) return;
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        files++;
        if (line.startsWith('f ')) bytes += Number(line.slice(2)) || 0;
      }
      if (files > limits.maxFiles) verdict = tooBig(base, `more than ${limits.maxFiles.toLocaleString('en')} files and directories`, 'max_base_files', limits.maxFiles);
      else if (bytes > limits.maxBytes) verdict = tooBig(base, `more than ${limits.maxBytes.toLocaleString('en')} bytes`, 'max_base_bytes', limits.maxBytes);
      if (verdict) child.kill();
    });
    child.on('error', reject);
    // find exits non-zero for an unreadable subdirectory: what it could read still counts (cp -a would fail on it later, naming it)
    child.on('close', () => resolve(verdict));
  });
}

function tooBig(base: string, what: string, setting: string, limit: number): string {
  return (
    `environment.workdir ${base} (a plain directory, copied whole into every run's workspace) holds ${what}: over environment.workspace.${setting} (${limit}); ` +
    'point environment.workdir at the project\'s files, make the base a git repository (cloned with hardlinks, not copied), or raise the limit'
  );
}

/** Copies a plain directory's contents (symbolic links as links, modes and times kept), leaving `excluded` paths out. */
export async function copyTree(from: string, to: string, excluded: readonly string[]): Promise<void> {
  const inside = excluded.filter((p) => p !== from && within(from, p));
  const cp = (sources: string[]) => promisify(execFile)('cp', ['-a', '--', ...sources, `${to}/`], { maxBuffer: 16 * 1024 * 1024 });
  if (inside.length === 0) {
    await cp([`${from}/.`]);
    return;
  }
  // an excluded path lies inside (e.g. workdir `.` with run_root `runs`): copied around, never into itself
  const whole: string[] = [];
  for (const name of await readdir(from)) {
    const path = join(from, name);
    if (inside.includes(path)) continue;
    if (inside.some((p) => within(path, p))) {
      await mkdir(join(to, name), { recursive: true });
      await copyTree(path, join(to, name), inside);
    } else whole.push(path);
  }
  // one cp for the rest, in batches so a wide directory never exceeds the argument limit
  for (let i = 0; i < whole.length; i += 500) await cp(whole.slice(i, i + 500));
}
