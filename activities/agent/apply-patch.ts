// The apply_patch tool (coding-agent-loop spec §3.4, Appendix A, the v4a format OpenAI models are
// trained on): add, delete, update and move files in one patch. Hunks are located by their context
// lines (exact, then whitespace-insensitive), after the `@@` hint line when it is found.

import { z } from 'zod';
import { assertWritable, readInside, unlinkInside, writeInside } from './fs-inside';
import { resolveInside, shown } from './workspace';
import type { AgentTool } from './tool-types';

/** One parsed operation. */
export type PatchOp =
  | { kind: 'add'; path: string; lines: string[] }
  | { kind: 'delete'; path: string }
  | { kind: 'update'; path: string; moveTo?: string; hunks: { hint: string; lines: string[] }[] };

/** Parses a v4a patch; throws with the offending line number when it is malformed. */
export function parsePatch(patch: string): PatchOp[] {
  const lines = patch.replace(/\r\n/g, '\n').split('\n');
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines[0]?.trim() !== '*** Begin Patch') throw new Error('patch must start with "*** Begin Patch"');
  if (lines[lines.length - 1]?.trim() !== '*** End Patch') throw new Error('patch must end with "*** End Patch"');
  const ops: PatchOp[] = [];
  let i = 1;
  const end = lines.length - 1;
  while (i < end) {
    const line = lines[i] as string;
    const header = /^\*\*\* (Add|Delete|Update) File: (.+)$/.exec(line);
    if (!header) throw new Error(`line ${i + 1}: expected "*** Add/Delete/Update File: <path>", got ${JSON.stringify(line.slice(0, 80))}`);
    const path = (header[2] as string).trim();
    i += 1;
    if (header[1] === 'Delete') {
      ops.push({ kind: 'delete', path });
      continue;
    }
    if (header[1] === 'Add') {
      const added: string[] = [];
      while (i < end && (lines[i] as string).startsWith('+')) added.push((lines[i++] as string).slice(1));
      ops.push({ kind: 'add', path, lines: added });
      continue;
    }
    let moveTo: string | undefined;
    const move = /^\*\*\* Move to: (.+)$/.exec(lines[i] ?? '');
    if (move) {
      moveTo = (move[1] as string).trim();
      i += 1;
    }
    const hunks: { hint: string; lines: string[] }[] = [];
    while (i < end && !/^\*\*\* (Add|Delete|Update) File: /.test(lines[i] as string)) {
      const l = lines[i] as string;
      if (l.startsWith('@@')) hunks.push({ hint: l.slice(2).trim(), lines: [] });
      else if (l === '*** End of File') {
        // optional marker
      } else if (/^[ +-]/.test(l) || l === '') {
        if (!hunks.length) hunks.push({ hint: '', lines: [] });
        (hunks[hunks.length - 1] as { lines: string[] }).lines.push(l === '' ? ' ' : l);
      } else throw new Error(`line ${i + 1}: hunk lines start with " ", "+" or "-", got ${JSON.stringify(l.slice(0, 80))}`);
      i += 1;
    }
    if (!hunks.length && !moveTo) throw new Error(`Update File ${path} has no hunks`);
    ops.push({ kind: 'update', path, ...(moveTo ? { moveTo } : {}), hunks });
  }
  return ops;
}

/** Applies hunks to a file's text; throws naming the hunk that did not match. */
export function applyHunks(text: string, hunks: { hint: string; lines: string[] }[], path: string): string {
  const file = text.split('\n');
  let cursor = 0;
  hunks.forEach((h, n) => {
    const old = h.lines.filter((l) => !l.startsWith('+')).map((l) => l.slice(1));
    const neu = h.lines.filter((l) => !l.startsWith('-')).map((l) => l.slice(1));
    if (h.hint) {
      const at = file.findIndex((l, idx) => idx >= cursor && l.trim() === h.hint.trim());
      if (at >= 0) cursor = at;
    }
    let at = find(file, old, cursor, (a, b) => a === b);
    if (at < 0) at = find(file, old, cursor, (a, b) => a.trim() === b.trim());
    if (at < 0) at = find(file, old, 0, (a, b) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim());
    if (at < 0) throw new Error(`hunk ${n + 1} of ${path} does not match the file (context: ${JSON.stringify(old.slice(0, 3).join('\n').slice(0, 120))})`);
    file.splice(at, old.length, ...neu);
    cursor = at + neu.length;
  });
  return file.join('\n');
}

function find(file: string[], block: string[], from: number, eq: (a: string, b: string) => boolean): number {
  if (block.length === 0) return from;
  for (let i = from; i + block.length <= file.length; i++) if (block.every((b, j) => eq(file[i + j] as string, b))) return i;
  return -1;
}

const patchArgs = z.strictObject({ patch: z.string().min(1).describe('The patch in v4a format (*** Begin Patch … *** End Patch)') });

/** apply_patch: every operation is checked (paths, hunks) before any file is written; files read are written only if still the same file. */
export const applyPatchTool: AgentTool<typeof patchArgs> = {
  name: 'apply_patch',
  description: 'Apply code changes using the patch format. Supports creating, deleting, and modifying files in a single operation.',
  schema: patchArgs,
  async run(a, env) {
    const ops = parsePatch(a.patch);
    const writes: { path: string; text?: string; remove?: boolean; read?: { dev: number; ino: number } }[] = [];
    const report: string[] = [];
    for (const op of ops) {
      const abs = await resolveInside(env.root, op.path);
      if (op.kind === 'add') {
        await assertWritable(env.root, op.path);
        writes.push({ path: op.path, text: op.lines.join('\n') + '\n' });
        report.push(`A ${shown(env.root, abs)}`);
      } else if (op.kind === 'delete') {
        await readInside(env.root, op.path).catch((err: Error) => Promise.reject(new Error(`cannot delete ${op.path}: ${err.message}`)));
        writes.push({ path: op.path, remove: true });
        report.push(`D ${shown(env.root, abs)}`);
      } else {
        const read = await readInside(env.root, op.path).catch((err: Error) => Promise.reject(new Error(`cannot update ${op.path}: ${err.message}`)));
        if (!op.moveTo) await assertWritable(env.root, op.path);
        const out = applyHunks(read.buf.toString('utf8'), op.hunks, op.path);
        if (op.moveTo) {
          const dest = await resolveInside(env.root, op.moveTo);
          await assertWritable(env.root, op.moveTo);
          writes.push({ path: op.path, remove: true }, { path: op.moveTo, text: out });
          report.push(`R ${shown(env.root, abs)} -> ${shown(env.root, dest)}`);
        } else {
          writes.push({ path: op.path, text: out, read: { dev: read.dev, ino: read.ino } });
          report.push(`M ${shown(env.root, abs)}`);
        }
      }
    }
    for (const w of writes) {
      if (w.remove) await unlinkInside(env.root, w.path);
      else await writeInside(env.root, w.path, w.text ?? '', w.read);
    }
    return report.join('\n');
  },
};
