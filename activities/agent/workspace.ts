// Confines the agent's file tools to the run's workspace: a relative path resolves inside it; a path
// outside it, one that climbs out with `..`, or one that reaches outside through a symlink is refused.
// This is the check by name; fs-inside.ts opens what it allowed without following any link.

import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** A path the agent may not touch; the message says why and is shown to the model. */
export class OutsideWorkspaceError extends Error {
  override readonly name = 'OutsideWorkspaceError';
}

/** Resolves `p` inside `root` (both may not exist yet); throws OutsideWorkspaceError when it escapes. */
export async function resolveInside(root: string, p: string): Promise<string> {
  return (await realInside(root, p)).target;
}

/**
 * The checks of resolveInside, with the resolved paths: `target` as named, `real` with every existing
 * link resolved (the missing tail appended as named) and `base`, the workspace's real path.
 */
export async function realInside(root: string, p: string): Promise<{ target: string; real: string; base: string }> {
  if (typeof p !== 'string' || p === '') throw new OutsideWorkspaceError('path is empty');
  if (p.includes('\0')) throw new OutsideWorkspaceError('path contains a NUL byte');
  const base = resolve(root);
  const target = isAbsolute(p) ? resolve(p) : resolve(base, p);
  if (!within(base, target)) throw new OutsideWorkspaceError(`${p} is outside the workspace ${base}`);
  const realBase = await realpath(base);
  const real = await realpathOfExisting(target);
  if (!within(realBase, real)) throw new OutsideWorkspaceError(`${p} leads outside the workspace through a symbolic link`);
  return { target, real, base: realBase };
}

/** The path relative to the workspace, for messages the model reads. */
export function shown(root: string, abs: string): string {
  return relative(resolve(root), abs) || '.';
}

function within(base: string, target: string): boolean {
  return target === base || target.startsWith(base.endsWith(sep) ? base : base + sep);
}

/** realpath of the deepest existing ancestor, with the missing tail appended. */
async function realpathOfExisting(target: string): Promise<string> {
  let cur = target;
  const tail: string[] = [];
  for (;;) {
    try {
      return resolve(await realpath(cur), ...tail.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = dirname(cur);
      if (parent === cur) return target;
      tail.push(cur.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      cur = parent;
    }
  }
}
