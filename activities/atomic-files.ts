// Files replaced atomically (temp file, fsync when durable, rename in the same directory), alone or as a
// set that is renamed into place only once every member is durable, and directory fsyncs that make new
// and renamed names durable. Shared by the run directory (run-dir.ts), finalize and the spec registry.

import { randomUUID } from 'node:crypto';
import { closeSync, constants, fsync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

/** fsync in the thread pool: the one file-system wait the writers here make off the event loop. */
export const fsyncFd = promisify(fsync);

/**
 * Makes the names created or renamed in each directory durable (one fsync of each, concurrently): a file's
 * own fsync makes its bytes durable, not its directory entry, so after an OS crash a new file (or a rename)
 * could be missing without it.
 */
export async function fsyncDirs(...dirs: string[]): Promise<void> {
  await Promise.all(
    dirs.map(async (dir) => {
      const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        await fsyncFd(fd);
      } finally {
        closeSync(fd);
      }
    }),
  );
}

/**
 * How a replaced file must survive: `durable` (default) fsyncs the temp file before the rename, for
 * files recovery reads (checkpoint.json, run.json); `derived` skips the fsync, for files rebuilt from
 * the record and rewritten on every retry (a stage's status.json, manifest.json): readers still never
 * see a half-written file, and a process crash loses nothing (the page cache survives it); only an OS
 * crash may leave the older copy, which the next attempt rewrites.
 */
export type Durability = 'durable' | 'derived';

/** Writes JSON via temp file + rename, so readers never see a half-written file. */
export async function writeJsonAtomic(file: string, value: unknown, durability: Durability = 'durable'): Promise<void> {
  await writeFileAtomic(file, jsonText(value), durability);
}

/** Writes text via temp file (+ fsync unless `derived`) + rename in the same directory. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, durability: Durability = 'durable'): Promise<void> {
  await (await stageFile(file, data, durability)).commit();
}

/**
 * Writes several files like writeFileAtomic, their fsyncs concurrent (one wait for all, finalize's
 * summary and picture); each is renamed into place only once every one is durable, so a failure
 * leaves all of them as they were and no temp file behind.
 */
export async function writeFilesAtomic(files: ReadonlyArray<{ file: string; data: string | Uint8Array }>, durability: Durability = 'durable'): Promise<void> {
  await commitStaged(await Promise.allSettled(files.map((f) => stageFile(f.file, f.data, durability))));
}

/** A durable temp copy of a file's next content: commit() renames it into place, discard() removes it. */
export interface StagedFile {
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** JSON as the run directory's files hold it: two-space indented, one trailing newline. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Writes (and fsyncs, when durable) `<file>.<pid>.<random>.tmp`; nothing is left behind when this fails. */
export async function stageFile(file: string, data: string | Uint8Array, durability: Durability = 'durable'): Promise<StagedFile> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const discard = async () => rmSync(tmp, { force: true });
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      if (durability === 'durable') await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    await discard();
    throw err;
  }
  return {
    discard,
    async commit() {
      try {
        renameSync(tmp, file);
      } catch (err) {
        await discard();
        throw err;
      }
    },
  };
}

/** Removes every staged temp file (a flush that failed before its commit). */
export async function discardStaged(staged: readonly PromiseSettledResult<StagedFile>[]): Promise<void> {
  for (const s of staged) if (s.status === 'fulfilled') await s.value.discard();
}

/** Renames every staged file into place, in order; if any failed to stage or to rename, the rest are discarded and it throws. */
export async function commitStaged(staged: readonly PromiseSettledResult<StagedFile>[]): Promise<void> {
  const failed = staged.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await discardStaged(staged);
    throw failed.reason;
  }
  for (const [i, s] of staged.entries()) {
    try {
      await (s as PromiseFulfilledResult<StagedFile>).value.commit();
    } catch (err) {
      await discardStaged(staged.slice(i));
      throw err;
    }
  }
}

