// The scenario side of a pinned candidate (issue 21): fetch exactly the published commit from its git
// remote into this worker's own scratch root (read-only towards the remote; no shared volume with the
// pipeline side), check the commit and its tree digest, and give each scenario a fresh copy of the tree.
// A remote that cannot be reached, a ref that moved (force-pushed) or a tree that differs is an
// EVAL_FAILURE naming the commit.

import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CandidateSnapshot } from '../../core/workspace';
import { evalFailure } from '../errors';
import { git, GitError, gitEnv, isObjectId, resolveCommit, treeOf } from '../workspace/git';

/** Written into a cached repository once its commit and tree were checked. */
const CHECKED = 'factory-checked';

/** A candidate tree checked out for one scenario; `release` removes it. */
export interface FetchedCandidate {
  dir: string;
  release(): Promise<void>;
}

/** Fetches (once per commit per scratch root) and checks the candidate, then extracts a fresh copy of its tree. */
export async function fetchCandidate(snapshot: CandidateSnapshot, scratchRoot: string): Promise<FetchedCandidate> {
  checkShape(snapshot);
  const repo = await cachedRepo(snapshot, scratchRoot);
  await mkdir(join(scratchRoot, 'trees'), { recursive: true });
  const dir = await mkdtemp(join(scratchRoot, 'trees', `${snapshot.commit.slice(0, 12)}-`));
  try {
    await extract(repo, snapshot.commit, dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, release: () => rm(dir, { recursive: true, force: true }) };
}

/** The fields a scenario worker trusts nothing else about: ids, a candidates ref, a remote git cannot mistake for an option. */
function checkShape(s: CandidateSnapshot): void {
  const causes: string[] = [];
  if (!isObjectId(s.commit)) causes.push(`candidate commit ${JSON.stringify(String(s.commit)).slice(0, 80)} is not a commit id`);
  if (!isObjectId(s.tree)) causes.push(`candidate ${String(s.commit).slice(0, 64)}: tree digest is not a git object id`);
  if (typeof s.ref !== 'string' || !s.ref.startsWith('refs/factory/candidates/') || s.ref.includes('..')) causes.push(`candidate ${String(s.commit).slice(0, 64)}: ref is not under refs/factory/candidates/`);
  if (typeof s.remote !== 'string' || s.remote.startsWith('-') || /^ext::/i.test(s.remote)) causes.push(`candidate ${String(s.commit).slice(0, 64)}: remote is not a usable git remote`);
  if (causes.length) throw evalFailure(causes);
}

/** A bare repository holding the candidate commit, fetched and checked once; concurrent scenarios race to rename, the loser's copy is dropped. */
async function cachedRepo(s: CandidateSnapshot, scratchRoot: string): Promise<string> {
  const objects = join(scratchRoot, 'objects');
  const final = join(objects, `${s.commit}.git`);
  if (await exists(join(final, CHECKED))) return final;
  await mkdir(objects, { recursive: true });
  const tmp = await mkdtemp(join(objects, 'fetch-'));
  try {
    await git(['init', '--quiet', '--bare', tmp]);
    try {
      // the ref, shallow: only the candidate's tree crosses, not the base's history
      await git(['fetch', '--quiet', '--no-tags', '--depth=1', '--', s.remote, `+${s.ref}:refs/candidate`], { gitDir: tmp, timeoutMs: 300_000 });
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      throw evalFailure([`candidate commit ${s.commit} could not be fetched from ${s.remote} (${s.ref}): ${firstLine(err.stderr)}`]);
    }
    const got = await resolveCommit('refs/candidate', { gitDir: tmp });
    if (got !== s.commit) {
      throw evalFailure([`candidate commit ${s.commit}: ${s.remote} has ${s.ref} at ${got ?? 'no commit'} instead (the ref was moved or force-pushed); nothing else is evaluated in its place`]);
    }
    const tree = await treeOf(s.commit, { gitDir: tmp });
    if (tree !== s.tree) throw evalFailure([`candidate commit ${s.commit} has tree ${tree}, but the run published tree ${s.tree}`]);
    await writeFile(join(tmp, CHECKED), `${s.commit} ${s.tree}\n`);
    await rename(tmp, final).catch(async (err: { code?: string }) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      // another scenario finished first; a leftover without the mark (a crash mid-fetch) is replaced
      if (!(await exists(join(final, CHECKED)))) {
        await rm(final, { recursive: true, force: true });
        await rename(tmp, final);
      } else await rm(tmp, { recursive: true, force: true });
    });
    return final;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** `git archive <commit> | tar -x -C dir`: read-only on the repository, so parallel scenarios never contend for an index. */
function extract(repo: string, commit: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['-c', 'core.hooksPath=/dev/null', `--git-dir=${repo}`, 'archive', '--format=tar', commit], { env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-C', dir, '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    archive.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    let failed = false;
    const done = (who: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new Error(`extracting candidate ${commit}: ${who} exited ${code}: ${firstLine(stderr)}`));
      }
      if (--pending === 0 && !failed) resolve();
    };
    archive.on('close', done('git archive'));
    tar.on('close', done('tar'));
    archive.on('error', reject);
    tar.on('error', reject);
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) || 'no message';
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
