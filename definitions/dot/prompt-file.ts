// `prompt_file` (a dialect other Attractor engines read): a node's prompt loaded from a file next to
// the graph, at load time, so the workflow receives the prompt as plain data. Confined to the graph's
// directory: no absolute paths, no `..` out of it, no symlink out of it, regular files of at most 256 KiB.
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../../core/diagnostics';
import type { DotGraph } from './collect';

/** The largest prompt file read; a prompt is text for a model, not data. */
export const MAX_PROMPT_FILE_BYTES = 256 * 1024;

/** Rule of every prompt_file diagnostic. */
export const PROMPT_FILE_RULE = 'prompt_file';

/**
 * Replaces each node's `prompt_file` by its text as `prompt` (the attribute stays, as provenance).
 * `baseDir` is the graph file's directory; without one (bytes from a registry) nothing is read and each
 * use is an error. A node that also sets `prompt` keeps it, with a warning.
 */
export function resolvePromptFiles(graph: DotGraph, file: string, baseDir: string | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of graph.nodes) {
    const attr = node.attrs.get('prompt_file');
    if (!attr) continue;
    const at = { file, line: attr.pos.line, column: attr.pos.column, node: node.id, path: `nodes[${node.id}].prompt_file` };
    const fail = (message: string, fix: string): void => {
      out.push({ rule: PROMPT_FILE_RULE, severity: 'error', message: `node '${node.id}': ${message}`, fix, ...at });
    };
    if (node.attrs.has('prompt')) {
      out.push({ rule: PROMPT_FILE_RULE, severity: 'warning', message: `node '${node.id}' sets both prompt and prompt_file: prompt is used, the file is not read`, fix: 'keep one of them', ...at });
      continue;
    }
    if (baseDir === undefined) {
      fail('prompt_file is read only when the graph is loaded from a file (a published spec is locked by digest, its prompt files are not)', 'inline the prompt (prompt="...") before publishing');
      continue;
    }
    const read = readConfined(baseDir, attr.value);
    if ('error' in read) {
      fail(`prompt_file ${JSON.stringify(attr.value.slice(0, 200))} ${read.error}`, read.fix);
      continue;
    }
    node.attrs.set('prompt', { value: read.text, quoted: true, pos: attr.pos, keyPos: attr.keyPos });
  }
  return out;
}

/** Reads `rel` under `baseDir`, refusing anything that leaves it (also through symlinks). */
function readConfined(baseDir: string, rel: string): { text: string } | { error: string; fix: string } {
  const fix = 'name a text file inside the graph\'s directory, relative to it (e.g. prompts/plan.md)';
  if (rel.trim() === '') return { error: 'is empty', fix };
  if (isAbsolute(rel) || rel.includes('\0')) return { error: 'must be a path relative to the graph\'s directory', fix };
  let root: string;
  let target: string;
  try {
    root = realpathSync(baseDir);
    target = realpathSync(resolve(root, rel));
  } catch {
    return { error: 'does not exist', fix };
  }
  const inside = relative(root, target);
  if (inside === '' || inside === '..' || inside.startsWith('..' + sep) || isAbsolute(inside)) {
    return { error: 'leads out of the graph\'s directory', fix };
  }
  let fd: number;
  try {
    fd = openSync(target, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return { error: 'cannot be read', fix };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { error: 'is not a regular file', fix };
    if (st.size > MAX_PROMPT_FILE_BYTES) return { error: `is ${st.size} bytes, over the ${MAX_PROMPT_FILE_BYTES}-byte limit`, fix: 'shorten the prompt' };
    // the opened file itself (no second lookup of the path); at most the size checked above
    const buf = readFileSync(fd).subarray(0, st.size);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      return { error: 'is not UTF-8 text', fix: 'save the prompt file as UTF-8' };
    }
    if (text.includes('\0')) return { error: 'is not text (it holds a NUL byte)', fix };
    return { text: text.replace(/^\uFEFF/, '') };
  } finally {
    closeSync(fd);
  }
}
