// The candidate as scenarios see it: a pinned snapshot fetched from its git remote (issue 21), or an
// artifact reference (file:// on shared storage, or http(s)://), plus the pipeline's exported context
// keys. Nothing else of the run reaches a scenario.

import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candidate } from '../../core/evaluation';
import { ScenarioConfigError, ScenarioInfraError } from '../errors';
import { fetchCandidate } from './fetch-candidate';

/** Where a scenario worker fetches candidates when its deps name no scratch root. */
export function defaultScratchRoot(): string {
  return join(tmpdir(), 'factory-candidates');
}

/** The export key whose value is the candidate service's base URL (http scenarios). */
export const CANDIDATE_URL_EXPORT = 'candidate.url';
/** Most candidate text a judge sees (bytes); the rest is cut. */
export const MAX_CANDIDATE_TEXT = 1024 * 1024;

/** Where a candidate lives on this worker: a file or directory for file:// refs, nothing for URLs. */
export interface CandidateView {
  ref: string;
  /** Absolute path of a file:// candidate, or of this scenario's copy of a fetched snapshot. */
  path?: string;
  isDirectory: boolean;
  /** Removes what viewing made (a fetched snapshot's copy); call when the scenario is done. */
  release?: () => Promise<void>;
}

/**
 * Resolves the candidate: a snapshot is fetched into `scratchRoot` and checked (EVAL_FAILURE naming the commit
 * when it cannot be); a file:// candidate missing on this worker is an infrastructure error (shared storage).
 */
export async function viewCandidate(candidate: Candidate, scratchRoot: string = defaultScratchRoot()): Promise<CandidateView> {
  const ref = candidate.ref;
  if (candidate.snapshot) {
    const fetched = await fetchCandidate(candidate.snapshot, scratchRoot);
    return { ref, path: fetched.dir, isDirectory: true, release: fetched.release };
  }
  if (/^https?:\/\//i.test(ref)) return { ref, isDirectory: false };
  let path: string;
  try {
    path = ref.startsWith('/') ? ref : fileURLToPath(ref);
  } catch {
    throw new ScenarioConfigError(`candidate ref ${JSON.stringify(ref)} is neither a file:// URL nor an http(s):// URL`);
  }
  try {
    const st = await stat(path);
    return { ref, path, isDirectory: st.isDirectory() };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new ScenarioInfraError(`candidate ${ref} is not readable on this scenario worker (${code}); is the shared storage mounted?`);
  }
}

/** The candidate's environment for commands: FACTORY_CANDIDATE_REF, FACTORY_CANDIDATE_PATH, FACTORY_EXPORT_<KEY>. */
export function candidateEnv(candidate: Candidate, view: CandidateView, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, FACTORY_CANDIDATE_REF: candidate.ref };
  if (view.path !== undefined) env.FACTORY_CANDIDATE_PATH = view.path;
  if (candidate.snapshot) {
    env.FACTORY_CANDIDATE_COMMIT = candidate.snapshot.commit;
    env.FACTORY_CANDIDATE_TREE = candidate.snapshot.tree;
  }
  for (const [key, value] of Object.entries(candidate.exports)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text !== undefined && !text.includes('\u0000')) env[`FACTORY_EXPORT_${exportEnvName(key)}`] = text;
  }
  return env;
}

/** `candidate.url` → `CANDIDATE_URL`: upper-cased, non-alphanumerics → `_`. */
export function exportEnvName(key: string): string {
  return key.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Base URL for http scenarios: the `candidate.url` export, else an http(s) ref; undefined when neither. */
export function candidateBaseUrl(candidate: Candidate): string | undefined {
  const exported = candidate.exports[CANDIDATE_URL_EXPORT];
  if (typeof exported === 'string' && /^https?:\/\//i.test(exported)) return exported;
  return /^https?:\/\//i.test(candidate.ref) ? candidate.ref : undefined;
}

/** Runs `fn` in the candidate's directory (a file's parent for a file), or a scratch directory for URL candidates. */
export async function inCandidateDir<T>(view: CandidateView, fn: (dir: string) => Promise<T>): Promise<T> {
  if (view.path !== undefined) return fn(view.isDirectory ? view.path : dirname(view.path));
  const dir = await mkdtemp(join(tmpdir(), 'factory-scenario-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What a judge reads: the exports as JSON, then the file's content (file candidate) or every regular
 * file directly in the directory (sorted, each under a `=== name ===` header), cut at MAX_CANDIDATE_TEXT.
 */
export async function candidateText(candidate: Candidate, view: CandidateView): Promise<string> {
  const parts = [`ref: ${candidate.ref}`, ...(candidate.snapshot ? [`commit: ${candidate.snapshot.commit}`] : []), `exports: ${JSON.stringify(candidate.exports)}`];
  let size = parts.join('\n').length;
  const push = (text: string): boolean => {
    const room = MAX_CANDIDATE_TEXT - size;
    if (room <= 0) return false;
    parts.push(text.length > room ? text.slice(0, room) : text);
    size += text.length + 1;
    return true;
  };
  if (view.path !== undefined && !view.isDirectory) push(await readFile(view.path, 'utf8'));
  else if (view.path !== undefined) {
    const entries = (await readdir(view.path, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    for (const name of entries) if (!push(`=== ${name} ===\n${await readFile(join(view.path, name), 'utf8')}`)) break;
  }
  return parts.join('\n');
}
