// Running git for workspaces and candidates. The git CLI (child_process), not a library: it is what the
// base repository's owner uses, it reads every object format and pack git writes, it fetches and pushes
// over every transport a remote may use (file, ssh, https with the user's credential helpers), and its
// `clone --local` hardlinks objects instead of copying them; a JavaScript reimplementation (isomorphic-git)
// does none of those as fast and would be a second notion of what a commit is.
// Every call runs with hooks off and optional locks off, an environment without the caller's GIT_*
// variables, and a fixed author, so a workspace or base cannot redirect or extend what factory runs.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';

/** A git command that failed: its arguments (never stdin), exit code and stderr's first lines. */
export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    readonly args: readonly string[],
    readonly code: number | string | undefined,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (${code ?? 'error'}): ${stderr.trim().split('\n').slice(0, 3).join('; ') || 'no message'}`);
  }
}

/** Who factory's commits are by: fixed, so a snapshot never depends on the worker's git config. */
export const FACTORY_AUTHOR = { name: 'factory', email: 'factory@localhost' };

/** The hardening every call gets: no hooks, no fsmonitor daemon, no pager, no optional index writes. */
const SAFE_CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'core.pager=cat', '-c', 'advice.detachedHead=false', '-c', 'protocol.ext.allow=never'];

/** GIT_* variables a remote's transport may need (ssh command, askpass, CA bundle, the user's global config). */
const KEPT_GIT_VARS = new Set(['GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_ASKPASS', 'GIT_SSL_CAINFO', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM']);

/** The environment git runs in: the worker's, without GIT_* variables that would redirect it (GIT_DIR, GIT_INDEX_FILE...). */
export function gitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('GIT_') || KEPT_GIT_VARS.has(k)) env[k] = v;
  return {
    ...env,
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: FACTORY_AUTHOR.name,
    GIT_AUTHOR_EMAIL: FACTORY_AUTHOR.email,
    GIT_COMMITTER_NAME: FACTORY_AUTHOR.name,
    GIT_COMMITTER_EMAIL: FACTORY_AUTHOR.email,
  };
}

/** Options of one git call. */
export interface GitOptions {
  cwd?: string;
  /** Explicit repository and work tree: a `.git` entry inside a work tree is never trusted. */
  gitDir?: string;
  workTree?: string;
  env?: NodeJS.ProcessEnv;
  /** Exit codes that are answers, not failures (`diff --quiet` exits 1 when there are changes). */
  okCodes?: readonly number[];
  timeoutMs?: number;
}

/** What a git call printed and how it exited. */
export interface GitResult {
  stdout: string;
  code: number;
}

/** Runs `git <args>`; rejects with a GitError unless it exits 0 or with one of `okCodes`. */
export function git(args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  const full = [
    ...SAFE_CONFIG,
    ...(opts.gitDir !== undefined ? [`--git-dir=${opts.gitDir}`] : []),
    ...(opts.workTree !== undefined ? [`--work-tree=${opts.workTree}`] : []),
    ...args,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      full,
      { cwd: opts.cwd ?? opts.workTree ?? opts.gitDir, env: gitEnv(opts.env), maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number | string }).code ?? 'error') : 0;
        if (typeof code === 'number' && (code === 0 || opts.okCodes?.includes(code))) return resolve({ stdout, code });
        reject(new GitError(args, code, stderr));
      },
    );
  });
}

/** `git rev-parse --verify <rev>^{commit}`, or undefined when it names no commit. */
export async function resolveCommit(rev: string, opts: GitOptions): Promise<string | undefined> {
  const out = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { ...opts, okCodes: [1, 128] });
  const sha = out.stdout.trim();
  return out.code === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

/** The tree id of a commit (the digest a candidate is checked by). */
export async function treeOf(commit: string, opts: GitOptions): Promise<string> {
  return (await git(['rev-parse', '--verify', '--end-of-options', `${commit}^{tree}`], opts)).stdout.trim();
}

/** The run's own branch: `factory/<runId>`, the id made ref-safe (with a hash of the original when it had to change). */
export function runBranch(runId: string): string {
  const safe = runId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
  if (safe === runId && safe.length > 0) return `factory/${safe}`;
  return `factory/${safe}-${createHash('sha256').update(runId).digest('hex').slice(0, 10)}`;
}

/** A sha in the form git prints (40 hex for sha1 repositories, 64 for sha256 ones). */
export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(value);
}
