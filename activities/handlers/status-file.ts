// The status-file contract (Attractor Appendix C): `<stage>/status.json` records each stage's outcome,
// and a tool or agent that writes it (or answers with such a JSON object) decides the outcome itself.

import { closeSync, fstatSync, openSync, readFileSync, rmSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { StageStatus } from '../../core/model';
import { isStageStatus, type Outcome } from '../../core/outcome';
import { RUN_FILES } from '../run-dir';
import { writeJsonAtomic } from '../atomic-files';
import { NO_FOLLOW_READ } from '../no-follow';

/** `status.json` as written: Appendix C fields plus the attempt that produced it. */
export interface StatusFile {
  outcome: StageStatus;
  preferred_next_label: string;
  suggested_next_ids: string[];
  context_updates: Record<string, unknown>;
  notes: string;
  failure_reason?: string;
  attempt: number;
  node: string;
  /** Tokens (and cost) an LLM stage spent. */
  usage?: { input_tokens: number; output_tokens: number; cost_usd?: number };
}

/** Where a stage's status file lives. */
export function statusPath(stageDir: string): string {
  return join(stageDir, RUN_FILES.status);
}

/** Keys a context update may not name: assigning them changes an object's prototype instead of adding a key. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Reads an Appendix C object (from a file or a response) into an Outcome; a string says what is wrong. */
export function parseStatusObject(value: unknown): Outcome | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  const status = typeof v.outcome === 'string' ? v.outcome.toLowerCase() : v.outcome;
  if (!isStageStatus(status)) return `"outcome" must be one of success, partial_success, retry, fail, skipped (got ${JSON.stringify(v.outcome)})`;
  const out: Outcome = { status };
  const label = v.preferred_next_label ?? v.preferred_label;
  if (typeof label === 'string' && label !== '') out.preferred_label = label;
  if (Array.isArray(v.suggested_next_ids)) out.suggested_next_ids = v.suggested_next_ids.filter((x): x is string => typeof x === 'string');
  if (isRecord(v.context_updates)) {
    // the stage (an agent, its code) writes these keys and the run workflow assigns them into the run's
    // context: `__proto__` there would replace the context object's prototype, not add a key
    const reserved = Object.keys(v.context_updates).find((k) => RESERVED_KEYS.has(k));
    if (reserved !== undefined) return `"context_updates" may not set the key ${JSON.stringify(reserved)} (reserved by JavaScript objects)`;
    out.context_updates = { ...v.context_updates };
  }
  if (typeof v.notes === 'string') out.notes = v.notes;
  if (typeof v.failure_reason === 'string' && v.failure_reason !== '') out.failure_reason = v.failure_reason;
  return out;
}

/** A response that is a JSON object with an `outcome` field, read as an Outcome; otherwise undefined. */
export function outcomeFromResponse(text: string): Outcome | undefined {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !('outcome' in value)) return undefined;
  const parsed = parseStatusObject(value);
  return typeof parsed === 'string' ? undefined : parsed;
}

/** The outcome a tool/agent wrote to `<stage>/status.json`; undefined when none; a string when unreadable. */
export async function readStatusFile(stageDir: string): Promise<Outcome | string | undefined> {
  let text: string;
  try {
    text = readRegularFile(statusPath(stageDir));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') return 'status.json is a symbolic link: a stage writes its status as a regular file in its own directory';
    return `cannot read status.json: ${(err as Error).message}`;
  }
  try {
    const parsed = parseStatusObject(JSON.parse(text));
    return typeof parsed === 'string' ? `invalid status.json: ${parsed}` : parsed;
  } catch (err) {
    return `invalid status.json: ${(err as Error).message}`;
  }
}

/** Largest status.json read (a status is a few lines; a bigger file is a FAIL, never loaded whole). */
const MAX_STATUS_BYTES = 1024 * 1024;

/**
 * Reads a regular file synchronously (no thread-pool round trip) through one descriptor opened without
 * following a link and without blocking: a FIFO or device planted as status.json is refused, never read
 * (it would block the stage), and a link is never followed out of the stage directory.
 */
function readRegularFile(path: string): string {
  const fd = openSync(path, NO_FOLLOW_READ);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`status.json is not a regular file (${kindOf(st)})`), { code: 'EFTYPE' });
    if (st.size > MAX_STATUS_BYTES) throw Object.assign(new Error(`status.json is ${st.size} bytes; at most ${MAX_STATUS_BYTES}`), { code: 'EFBIG' });
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}

/** Removes a previous attempt's status.json so a fresh one can only come from this attempt. */
export async function clearStatusFile(stageDir: string): Promise<void> {
  rmSync(statusPath(stageDir), { force: true });
}

/**
 * Writes the stage's final status.json (atomically, not fsynced: it restates the outcome the workflow
 * history records and every attempt rewrites it; recovery never reads it — see run-dir Durability).
 */
export async function writeStatusFile(stageDir: string, node: string, outcome: Outcome, attempt: number): Promise<StatusFile> {
  const file: StatusFile = {
    outcome: outcome.status,
    preferred_next_label: outcome.preferred_label ?? '',
    suggested_next_ids: outcome.suggested_next_ids ?? [],
    context_updates: outcome.context_updates ?? {},
    notes: outcome.notes ?? '',
    ...(outcome.failure_reason !== undefined ? { failure_reason: outcome.failure_reason } : {}),
    attempt,
    node,
    ...(outcome.usage ? { usage: outcome.usage } : {}),
  };
  await writeJsonAtomic(statusPath(stageDir), file, 'derived');
  return file;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
