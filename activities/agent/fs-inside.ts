// Opens files for the agent's file tools without ever following a symbolic link (issue 20, item 5):
// the path is checked by name and resolved (workspace.ts: a link that stays inside is allowed), then the
// workspace's real path is opened and every resolved component below it is opened with O_NOFOLLOW
// relative to the directory opened before it (through /proc/self/fd/<fd>/<name>, Node's openat). A
// dangling link, a linked parent directory or a link swapped in mid-call is refused, never followed;
// new files are created O_CREAT|O_EXCL|O_NOFOLLOW inside a directory opened this way; a file with more
// than one hard link is never written (it may be an outside file's other name).

import { constants, existsSync } from 'node:fs';
import { lstat, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { OutsideWorkspaceError, realInside } from './workspace';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** Linux gives openat through /proc/self/fd; elsewhere components are opened by path (checked, but racy). */
const PROC_FD = existsSync('/proc/self/fd') ? '/proc/self/fd' : undefined;

/** How a file is opened: read it, edit it in place (must exist), or write it (created when missing). */
export type OpenMode = 'read' | 'edit' | 'write';

/** An open file inside the workspace, with the device/inode it was checked as. */
export interface InsideFile {
  fh: FileHandle;
  /** The path relative to the workspace (for messages the model reads). */
  rel: string;
  dev: number;
  ino: number;
  /** True when write mode created the file. */
  created: boolean;
}

/** An open directory and how to name an entry in it without resolving the path above it again. */
interface OpenDir {
  fh: FileHandle;
  path: string;
  at(name: string): string;
}

/** Opens `p` inside `root` per `mode`; throws OutsideWorkspaceError (shown to the model) for a link, a hard-linked file or a non-file. */
export async function openInside(root: string, p: string, mode: OpenMode): Promise<InsideFile> {
  const { base, parts, rel } = await components(root, p);
  const name = parts.pop();
  if (name === undefined) throw new OutsideWorkspaceError(`${p} is the workspace directory, not a file`);
  const dir = await openDir(base, parts, mode === 'write', rel);
  try {
    const target = dir.at(name);
    let fh: FileHandle;
    let created = false;
    try {
      if (mode === 'read') fh = await open(target, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      else if (mode === 'edit') fh = await open(target, O_RDWR | O_NOFOLLOW | O_NONBLOCK);
      else {
        try {
          fh = await open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o666);
          created = true;
        } catch (err) {
          // EEXIST also for a dangling link under the name: the no-follow open below refuses it
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          fh = await open(target, O_WRONLY | O_NOFOLLOW | O_NONBLOCK);
        }
      }
    } catch (err) {
      throw await refusal(err, target, rel);
    }
    const st = await fh.stat();
    const why = !st.isFile() ? 'is not a regular file' : mode !== 'read' && st.nlink > 1 ? hardLinks(st.nlink) : undefined;
    if (why) {
      await fh.close();
      throw new OutsideWorkspaceError(`refusing ${rel}: it ${why}`);
    }
    return { fh, rel, dev: st.dev, ino: st.ino, created };
  } finally {
    await dir.fh.close();
  }
}

/** Reads a whole file inside the workspace (no link followed). */
export async function readInside(root: string, p: string): Promise<{ buf: Buffer; dev: number; ino: number }> {
  const f = await openInside(root, p, 'read');
  try {
    return { buf: await f.fh.readFile(), dev: f.dev, ino: f.ino };
  } finally {
    await f.fh.close();
  }
}

/**
 * Replaces a file's content (creating it and its parent directories when missing). With `expect`, the
 * file must still be the one read earlier (same device and inode): a file swapped since is refused.
 */
export async function writeInside(root: string, p: string, content: string, expect?: { dev: number; ino: number }): Promise<void> {
  const f = await openInside(root, p, expect ? 'edit' : 'write');
  try {
    if (expect && (f.dev !== expect.dev || f.ino !== expect.ino)) throw new OutsideWorkspaceError(`refusing ${f.rel}: it was replaced since it was read`);
    await f.fh.truncate(0);
    await f.fh.write(content, 0, 'utf8');
  } finally {
    await f.fh.close();
  }
}

/** Removes a file's name inside the workspace (a link is removed itself, never its target); a missing name is no error. */
export async function unlinkInside(root: string, p: string): Promise<void> {
  const { base, parts, rel } = await components(root, p, true);
  const name = parts.pop();
  if (name === undefined) throw new OutsideWorkspaceError(`${p} is the workspace directory, not a file`);
  const dir = await openDir(base, parts, false, rel);
  try {
    const target = dir.at(name);
    const st = await lstat(target).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (!st) return;
    if (st.isDirectory()) throw new Error(`cannot delete ${rel}: it is a directory`);
    await unlink(target);
  } finally {
    await dir.fh.close();
  }
}

/**
 * Throws what writeInside would refuse (a link on the way or under the name, a hard-linked file, a
 * non-file) without creating or changing anything: apply_patch checks every write before the first.
 */
export async function assertWritable(root: string, p: string): Promise<void> {
  const { base, parts, rel } = await components(root, p);
  const name = parts.pop();
  if (name === undefined) throw new OutsideWorkspaceError(`${p} is the workspace directory, not a file`);
  let dir = await openDir(base, [], false, rel);
  try {
    for (const part of parts) {
      const path = dir.at(part);
      const next = await open(path, DIR_FLAGS).catch(async (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(await refusal(err, path, rel))));
      if (!next) return; // the write creates the missing directories: nothing below them exists yet
      const opened = await dirAt(join(dir.path, part), next);
      await dir.fh.close();
      dir = opened;
    }
    const st = await lstat(dir.at(name)).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (st?.isSymbolicLink()) throw new OutsideWorkspaceError(linkRefusal(rel));
    if (st && !st.isFile()) throw new OutsideWorkspaceError(`refusing ${rel}: it is not a regular file`);
    if (st && st.nlink > 1) throw new OutsideWorkspaceError(`refusing ${rel}: it ${hardLinks(st.nlink)}`);
  } finally {
    await dir.fh.close();
  }
}

/** The checked path, links inside the workspace resolved, as components below the workspace's real path. */
async function components(root: string, p: string, keepName = false): Promise<{ base: string; parts: string[]; rel: string }> {
  const { target, real, base } = await realInside(root, p);
  // keepName: the last component as named (unlink removes a link, not what it points to)
  const below = keepName && target !== resolve(root) ? join(relative(base, (await realInside(root, dirname(target))).real), basename(target)) : relative(base, real);
  return { base, parts: below === '' ? [] : below.split(sep), rel: relative(resolve(root), target) || '.' };
}

/** Opens the workspace, then each component with O_NOFOLLOW below the last; creates missing ones when asked. */
async function openDir(base: string, parts: readonly string[], create: boolean, rel: string): Promise<OpenDir> {
  let dir = await dirAt(base, await open(base, O_RDONLY | O_DIRECTORY));
  for (const part of parts) {
    const path = dir.at(part);
    let fh: FileHandle;
    try {
      fh = await open(path, DIR_FLAGS).catch(async (err: unknown) => {
        if (!create || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await mkdir(path).catch((e: unknown) => ((e as NodeJS.ErrnoException).code === 'EEXIST' ? undefined : Promise.reject(e)));
        return open(path, DIR_FLAGS);
      });
    } catch (err) {
      const why = await refusal(err, path, rel);
      await dir.fh.close();
      throw why;
    }
    const next = await dirAt(join(dir.path, part), fh);
    await dir.fh.close();
    dir = next;
  }
  return dir;
}

async function dirAt(path: string, fh: FileHandle): Promise<OpenDir> {
  const proc = PROC_FD;
  return { fh, path, at: proc ? (name) => `${proc}/${fh.fd}/${name}` : (name) => join(path, name) };
}

/** The error the model reads: a symbolic link is named as such; other errors keep their code. */
async function refusal(err: unknown, path: string, rel: string): Promise<Error> {
  const code = (err as NodeJS.ErrnoException).code;
  const isLink = code === 'ELOOP' || ((code === 'ENOTDIR' || code === 'EEXIST') && (await lstat(path).then((s) => s.isSymbolicLink(), () => false)));
  if (isLink) return new OutsideWorkspaceError(linkRefusal(rel));
  if (code === 'ENOENT') return new Error(`${rel}: no such file or directory`);
  if (code === 'ENOTDIR') return new Error(`${rel}: a parent is not a directory`);
  return new Error(`${rel}: ${code ?? (err instanceof Error ? err.message : String(err))}`);
}

function linkRefusal(rel: string): string {
  return `refusing ${rel}: it goes through a symbolic link, which the file tools never follow (it may lead outside the workspace)`;
}

function hardLinks(n: number): string {
  return `has ${n} hard links (it may be a file outside the workspace under another name); the file tools never write such a file`;
}
