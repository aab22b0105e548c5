// The agent's file tools (coding-agent-loop spec §3.3, §3.6): read_file, write_file, edit_file, grep,
// glob, list_dir, with the spec's names and parameters. Every path goes through resolveInside; files are
// read and written through fs-inside.ts, which never follows a link and never writes a hard-linked file.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { glob as globFiles } from 'tinyglobby';
import { z } from 'zod';
import { openInside, readInside, writeInside } from './fs-inside';
import { resolveInside, shown } from './workspace';
import type { AgentTool } from './tool-types';

const readArgs = z.strictObject({
  file_path: z.string().describe('Path of the file (relative to the workspace, or absolute inside it)'),
  offset: z.int().min(1).optional().describe('1-based line number to start reading from'),
  limit: z.int().min(1).optional().describe('Max lines to read (default 2000)'),
});
/** read_file: line-numbered content ("NNN | line"). */
export const readFileTool: AgentTool<typeof readArgs> = {
  name: 'read_file',
  description: 'Read a file from the filesystem. Returns line-numbered content.',
  schema: readArgs,
  async run(a, env) {
    const { buf } = await readInside(env.root, a.file_path);
    if (buf.subarray(0, 8000).includes(0)) throw new Error(`${a.file_path} is a binary file`);
    const lines = buf.toString('utf8').split('\n');
    const start = (a.offset ?? 1) - 1;
    const slice = lines.slice(start, start + (a.limit ?? 2000));
    const width = String(start + slice.length).length;
    return slice.map((l, i) => `${String(start + i + 1).padStart(width, ' ')} | ${l}`).join('\n');
  },
};

const writeArgs = z.strictObject({
  file_path: z.string().describe('Path of the file (relative to the workspace, or absolute inside it)'),
  content: z.string().describe('The full file content'),
});
/** write_file: creates parent directories; never through a link, never into a hard-linked file (fs-inside.ts). */
export const writeFileTool: AgentTool<typeof writeArgs> = {
  name: 'write_file',
  description: 'Write content to a file. Creates the file and parent directories if needed.',
  schema: writeArgs,
  async run(a, env) {
    const abs = await resolveInside(env.root, a.file_path);
    await writeInside(env.root, a.file_path, a.content);
    return `wrote ${Buffer.byteLength(a.content)} bytes to ${shown(env.root, abs)}`;
  },
};

const editArgs = z.strictObject({
  file_path: z.string(),
  old_string: z.string().min(1).describe('Exact text to find'),
  new_string: z.string().describe('Replacement text'),
  replace_all: z.boolean().optional().describe('Replace every occurrence (default false)'),
});
/** edit_file: exact search and replace; a non-unique match without replace_all is an error. */
export const editFileTool: AgentTool<typeof editArgs> = {
  name: 'edit_file',
  description: 'Replace an exact string occurrence in a file.',
  schema: editArgs,
  async run(a, env) {
    const abs = await resolveInside(env.root, a.file_path);
    const f = await openInside(env.root, a.file_path, 'edit');
    try {
      const text = (await f.fh.readFile()).toString('utf8');
      const count = text.split(a.old_string).length - 1;
      if (count === 0) throw new Error(`old_string not found in ${a.file_path}`);
      if (count > 1 && !a.replace_all) throw new Error(`old_string occurs ${count} times in ${a.file_path}; add context to make it unique or set replace_all`);
      const out = a.replace_all ? text.split(a.old_string).join(a.new_string) : text.replace(a.old_string, () => a.new_string);
      // the same open file, read then rewritten: what was checked is what is written
      await f.fh.truncate(0);
      await f.fh.write(out, 0, 'utf8');
      return `replaced ${a.replace_all ? count : 1} occurrence${(a.replace_all ? count : 1) === 1 ? '' : 's'} in ${shown(env.root, abs)}`;
    } finally {
      await f.fh.close();
    }
  },
};

const globArgs = z.strictObject({
  pattern: z.string().describe('Glob pattern, e.g. **/*.ts'),
  path: z.string().optional().describe('Base directory (default: the workspace)'),
});
/** glob: matching files, newest first. */
export const globTool: AgentTool<typeof globArgs> = {
  name: 'glob',
  description: 'Find files matching a glob pattern.',
  schema: globArgs,
  async run(a, env) {
    const base = await resolveInside(env.root, a.path ?? '.');
    const files = await globFiles(a.pattern, { cwd: base, absolute: true, dot: false, ignore: ['**/node_modules/**', '**/.git/**'], followSymbolicLinks: false });
    const inside = (await Promise.all(files.map(async (f) => ((await resolveInside(env.root, f).catch(() => undefined)) ? f : undefined)))).filter((f): f is string => !!f);
    const withTimes = await Promise.all(inside.map(async (f) => ({ f, t: (await stat(f)).mtimeMs })));
    withTimes.sort((x, y) => y.t - x.t || x.f.localeCompare(y.f));
    return withTimes.map(({ f }) => shown(env.root, f)).join('\n') || '(no matches)';
  },
};

const grepArgs = z.strictObject({
  pattern: z.string().describe('Regular expression'),
  path: z.string().optional().describe('Directory or file to search (default: the workspace)'),
  glob_filter: z.string().optional().describe('File pattern filter, e.g. *.py'),
  case_insensitive: z.boolean().optional(),
  max_results: z.int().min(1).optional().describe('Default 100'),
});
/** grep: "path:line: text" per match. */
export const grepTool: AgentTool<typeof grepArgs> = {
  name: 'grep',
  description: 'Search file contents using regex patterns.',
  schema: grepArgs,
  async run(a, env) {
    const re = new RegExp(a.pattern, a.case_insensitive ? 'i' : '');
    const base = await resolveInside(env.root, a.path ?? '.');
    const isFile = (await stat(base)).isFile();
    const files = isFile
      ? [base]
      : await globFiles(a.glob_filter ? [`**/${a.glob_filter}`] : ['**/*'], { cwd: base, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'], followSymbolicLinks: false });
    const max = a.max_results ?? 100;
    const hits: string[] = [];
    for (const f of files.sort()) {
      if (hits.length >= max) break;
      const buf = await readInside(env.root, f).then((r) => r.buf, () => undefined);
      if (!buf || buf.subarray(0, 8000).includes(0)) continue;
      const lines = buf.toString('utf8').split('\n');
      for (let i = 0; i < lines.length && hits.length < max; i++) if (re.test(lines[i] as string)) hits.push(`${shown(env.root, f)}:${i + 1}: ${lines[i]}`);
    }
    return hits.join('\n') || '(no matches)';
  },
};

const listArgs = z.strictObject({
  path: z.string().optional().describe('Directory (default: the workspace)'),
  depth: z.int().min(1).max(5).optional().describe('Levels to list (default 1)'),
});
/** list_dir: entries with a trailing / on directories. */
export const listDirTool: AgentTool<typeof listArgs> = {
  name: 'list_dir',
  description: 'List a directory (directories end with /).',
  schema: listArgs,
  async run(a, env) {
    const base = await resolveInside(env.root, a.path ?? '.');
    const out: string[] = [];
    const walk = async (dir: string, level: number): Promise<void> => {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((x, y) => x.name.localeCompare(y.name));
      for (const e of entries) {
        if (e.name === '.git' || e.name === 'node_modules') continue;
        const p = join(dir, e.name);
        out.push(`${shown(env.root, p)}${e.isDirectory() ? '/' : ''}`);
        if (e.isDirectory() && level < (a.depth ?? 1)) await walk(p, level + 1);
      }
    };
    await walk(base, 1);
    return out.join('\n') || '(empty)';
  },
};
