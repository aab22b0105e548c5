// Git repositories for workspace and candidate tests: a base with a few committed files, and the
// status/refs a test compares before and after to prove the base was never written.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Runs git in `cwd` with a fixed identity and none of the caller's GIT_* redirections; returns stdout. */
export function gitIn(cwd: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, env, encoding: 'utf8' });
}

/** A repository at `dir` with `files` committed on main; returns the commit. */
export function makeRepo(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  gitIn(dir, 'init', '--quiet');
  writeFiles(dir, files);
  gitIn(dir, 'add', '--all');
  gitIn(dir, 'commit', '--quiet', '-m', 'base');
  return gitIn(dir, 'rev-parse', 'HEAD').trim();
}

/** Writes files (creating parent directories) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** What must not change in a base: its porcelain status, every ref, its worktree list and its config. */
export function baseState(dir: string): { status: string; refs: string; worktrees: string; config: string } {
  return {
    status: gitIn(dir, 'status', '--porcelain', '--untracked-files=all'),
    refs: gitIn(dir, 'for-each-ref', '--format=%(refname) %(objectname)'),
    worktrees: gitIn(dir, 'worktree', 'list', '--porcelain'),
    config: gitIn(dir, 'config', '--local', '--list'),
  };
}
