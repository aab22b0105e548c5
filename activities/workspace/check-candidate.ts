// `factory verify` for the candidate a run decided on: is the recorded commit still what its remote's
// candidate ref names, with the recorded tree? Read-only on the remote (ls-remote; rev-parse for a
// remote on this disk).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CandidateSnapshot } from '../../core/workspace';
import { git, GitError, isObjectId } from './git';

/** The problems with a recorded candidate (empty when its remote still holds exactly that commit and tree). */
export async function checkPublished(s: CandidateSnapshot): Promise<string[]> {
  const what = `candidate commit ${isObjectId(s.commit) ? s.commit : JSON.stringify(String(s.commit)).slice(0, 80)}`;
  if (!isObjectId(s.commit) || !isObjectId(s.tree) || typeof s.ref !== 'string' || !s.ref.startsWith('refs/') || typeof s.remote !== 'string' || s.remote.startsWith('-')) {
    return [`${what}: the recorded candidate is malformed (commit, tree, ref or remote)`];
  }
  let listed: string;
  try {
    listed = (await git(['ls-remote', '--', s.remote, s.ref], { timeoutMs: 60_000 })).stdout;
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    return [`${what}: the candidate remote ${s.remote} cannot be read (${err.stderr.trim().split('\n')[0] ?? 'no message'})`];
  }
  const line = listed.split('\n').find((l) => l.endsWith(`\t${s.ref}`));
  const at = line?.split('\t')[0];
  if (!at) return [`${what}: ${s.remote} no longer has ${s.ref}`];
  if (at !== s.commit) return [`${what}: ${s.remote} has ${s.ref} at ${at} (moved or force-pushed)`];
  if (existsSync(join(s.remote, 'objects'))) {
    const tree = await git(['rev-parse', '--verify', '--quiet', `${s.commit}^{tree}`], { gitDir: s.remote, okCodes: [1, 128] });
    if (tree.stdout.trim() !== s.tree) return [`${what}: its tree in ${s.remote} is ${tree.stdout.trim() || 'missing'}, not the recorded ${s.tree}`];
  }
  return [];
}
