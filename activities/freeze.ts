// The freeze's file work (seed step 9): list the run directory, sha256 every file, make files read-only
// or writable again, and check a directory against its manifest (finalize's retry, `factory verify`).
// Every call is synchronous except the reads of large files: in a busy worker each thread-pool call
// waits for a turn of the event loop (BENCHMARKS.md, issue 12 third pass), and these are page-cache
// and metadata calls of microseconds. Every file is opened with O_NOFOLLOW, so a name swapped for a
// symbolic link between listing and reading is never followed out of the run directory.
import { closeSync, fchmodSync, fstatSync, openSync, readdirSync, readlinkSync, readFileSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import { fsyncDirs, fsyncFd } from './atomic-files';
import { NO_FOLLOW_READ } from './no-follow';
import { sha256 } from '../definitions/load';

/** The freeze manifest's file name; it lists every other file of the run directory. */
export const FREEZE_MANIFEST = 'artifacts.sha256.json';
/** Lineage written after the freeze (reruns of this run); not part of the frozen set. */
export const LINEAGE_FILE = 'lineage.json';

const UNFROZEN = new Set([FREEZE_MANIFEST, LINEAGE_FILE, 'events.jsonl.lock']);

/** Files up to this size are read in one synchronous call; larger ones in chunks through the thread pool. */
export const SYNC_HASH_LIMIT = 1 << 20;


export interface FreezeManifest {
  algorithm: 'sha256';
  runId: string;
  /** Run-directory-relative path (forward slashes) → sha256. */
  files: Record<string, string>;
}

export interface VerifyReport {
  ok: boolean;
  freezeDigest?: string;
  files: number;
  modified: string[];
  missing: string[];
  added: string[];
  problems: string[];
}

/** Every regular file and symbolic link under `root` (relative, forward slashes, sorted), minus the unfrozen ones. */
export function listFrozenFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFrozenFiles(root, path));
    else if (entry.isSymbolicLink() || entry.isFile()) {
      // a symbolic link is frozen as its target text: never followed out of the run directory
      const rel = relative(root, path).split(sep).join('/');
      if (!UNFROZEN.has(rel)) out.push(rel);
    }
  }
  return out.sort();
}

/** A frozen name that now holds something other than a file or a link (a directory, a FIFO). */
export class NotAFileError extends Error {
  readonly code = 'ENOTFILE';
  constructor(readonly path: string) {
    super(`${path} is neither a regular file nor a symbolic link; a run directory's frozen set holds only those`);
  }
}

/** Opens a listed name without following a link: the fd of a regular file, 'link' for a symbolic link. */
function openNoFollow(path: string): number | 'link' {
  let fd: number;
  try {
    fd = openSync(path, NO_FOLLOW_READ);
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOOP') return 'link';
    throw err;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new NotAFileError(path);
  }
  return fd;
}

/** sha256 of a file's bytes, or of `symlink:<target>` for a symbolic link (whose target is never read). */
export async function fingerprint(path: string): Promise<string> {
  const fd = openNoFollow(path);
  if (fd === 'link') return sha256(`symlink:${readlinkSync(path)}`);
  try {
    if (fstatSync(fd).size <= SYNC_HASH_LIMIT) return sha256(readFileSync(fd));
  } finally {
    closeSync(fd);
  }
  return hashLargeFile(path);
}

// a large file (a tool's output, a long response) is read 1 MiB at a time through the thread pool,
// so neither memory nor the worker's event loop is held by one file
async function hashLargeFile(path: string): Promise<string> {
  const handle = await open(path, NO_FOLLOW_READ);
  try {
    if (!(await handle.stat()).isFile()) throw new NotAFileError(path);
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(SYNC_HASH_LIMIT);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

/**
 * Makes the frozen set durable before the manifest that lists it: every regular file fsynced (through a
 * no-follow descriptor; links are names, made durable with their directory) and every directory holding
 * one. Stage files (prompts, responses, status.json) are written without fsync while the run goes on;
 * without this an OS crash after the freeze could leave a manifest whose files `verify` calls modified.
 * At most SYNC_AT_ONCE fsyncs wait in the thread pool at a time.
 */
export async function syncFrozen(root: string, files: readonly string[], onFile: () => void = () => undefined): Promise<void> {
  const dirs = new Set<string>([root]);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      const path = join(root, files[i] as string);
      dirs.add(dirname(path));
      const fd = openNoFollow(path);
      if (fd === 'link') continue;
      try {
        await fsyncFd(fd);
      } finally {
        closeSync(fd);
      }
      onFile();
    }
  };
  await Promise.all(Array.from({ length: Math.min(SYNC_AT_ONCE, files.length) }, worker));
  await fsyncDirs(...dirs);
}

const SYNC_AT_ONCE = 8;

/** Sets a regular file's mode bits (through its fd: a link under the name is skipped, never followed). */
export function setFileMode(path: string, mode: (current: number) => number): void {
  let fd: number | 'link';
  try {
    fd = openNoFollow(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw err;
  }
  if (fd === 'link') return;
  try {
    const current = fstatSync(fd).mode & 0o777;
    const next = mode(current);
    if (next !== current) fchmodSync(fd, next);
  } finally {
    closeSync(fd);
  }
}

/** Checks a run directory against its freeze manifest (and the recorded digest when given). */
export async function verifyRunDir(runDir: string, expectedDigest?: string, onFile: () => void = () => undefined): Promise<VerifyReport> {
  const report: VerifyReport = { ok: false, files: 0, modified: [], missing: [], added: [], problems: [] };
  const manifestPath = join(runDir, FREEZE_MANIFEST);
  if (!existsSync(manifestPath)) {
    report.problems.push(`no ${FREEZE_MANIFEST}: the run was not finalized`);
    return report;
  }
  const text = readFileSync(manifestPath, 'utf8');
  report.freezeDigest = sha256(text);
  if (expectedDigest && expectedDigest !== report.freezeDigest) {
    report.problems.push(`freeze manifest digest ${report.freezeDigest} differs from the recorded ${expectedDigest}`);
  }
  const manifest = JSON.parse(text) as FreezeManifest;
  const listed = Object.keys(manifest.files);
  report.files = listed.length;
  for (const file of listed) {
    const digest = await fingerprint(join(runDir, file)).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'ENOENT') return undefined;
      if (err instanceof NotAFileError) return 'not a file';
      throw err;
    });
    if (digest === undefined) report.missing.push(file);
    else if (digest !== manifest.files[file]) report.modified.push(file);
    onFile();
  }
  const present = listFrozenFiles(runDir);
  report.added = present.filter((f) => !(f in manifest.files));
  report.ok = report.problems.length === 0 && report.modified.length === 0 && report.missing.length === 0 && report.added.length === 0;
  return report;
}
