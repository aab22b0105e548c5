// One entry point from a path on disk to a loaded spec: file-level checks (size, text, extension),
// then the YAML or DOT loader, then lint for pipelines. Everything but an unreadable path is a Diagnostic.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { Diagnostic } from '../core/diagnostics';
import { type LintRule, lintPipeline } from '../core/lint';
import { applyCustomTransforms, type Transform } from '../core/transforms';
import { loadPipelineDot } from './dot';
import { loadYamlSpec, type SpecLoadResult } from './yaml';

/** Files above this size are refused before parsing (a spec is hand-written text, not data). */
export const MAX_SPEC_BYTES = 2 * 1024 * 1024;

/** Extensions the loader dispatches on; anything else is `unknown_extension`. */
export const SPEC_EXTENSIONS = { '.yaml': 'yaml', '.yml': 'yaml', '.dot': 'dot', '.gv': 'dot' } as const;
export type SpecSyntax = (typeof SPEC_EXTENSIONS)[keyof typeof SPEC_EXTENSIONS];

/** Rules raised here, before any parser sees the bytes. */
export const FileRule = {
  emptyFile: 'empty_file',
  fileTooLarge: 'file_too_large',
  notText: 'not_text',
  unknownExtension: 'unknown_extension',
} as const;
export type FileRule = (typeof FileRule)[keyof typeof FileRule];

/** A loaded spec file: the loader's result plus where it came from and the sha256 of its bytes. */
export type LoadedSpec = SpecLoadResult & { file: string; digest: string; size: number };

/** Thrown when the path itself cannot be read (missing, a directory, no permission): bad input, not bad content. */
export class SpecFileError extends Error {
  override readonly name = 'SpecFileError';
  constructor(
    readonly file: string,
    readonly code: string,
    detail: string,
  ) {
    super(`cannot read ${file}: ${detail}`);
  }
}

/** sha256 hex of some bytes: the digest the registry locks and runs record. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** How a file is named in diagnostics when that differs from the path read (CLI: as the user typed it). */
export interface LoadSpecOptions {
  displayName?: string;
  /**
   * Refuse anything but a regular file (a FIFO, a device) instead of reading it: a worker's boot phase,
   * where such a read would wait for a writer until the activity times out. The CLI reads them (`<(...)`).
   */
  regularOnly?: boolean;
  /** The directory a DOT graph's `prompt_file`s are read from (loadSpecFile: the file's own); unset: none is read. */
  baseDir?: string;
}

/** Reads and loads one spec file; throws SpecFileError only when the path cannot be read. */
export async function loadSpecFile(path: string, opts: LoadSpecOptions = {}): Promise<LoadedSpec> {
  const file = opts.displayName ?? path;
  let bytes: Buffer;
  try {
    // synchronous stat and read of a file ≤ 2 MiB: in a busy worker each thread-pool round trip of an
    // async read waits for an event-loop turn, which costs more than the read (boot, BENCHMARKS.md)
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (opts.regularOnly && !st.isFile()) throw Object.assign(new Error(`is not a regular file (${st.isFIFO() ? 'a FIFO' : 'a device or socket'}); a worker reads specs from regular files only`), { code: 'EFTYPE' });
    if (st.size > MAX_SPEC_BYTES) {
      const digest = await sha256Stream(path);
      return { kind: undefined, file, digest, size: st.size, diagnostics: [tooLarge(file, st.size)] };
    }
    // anything but a regular file (a FIFO, a device) is read the old way: it must never block the worker
    bytes = st.isFile() ? readFileSync(path) : await readFile(path);
  } catch (err) {
    throw toFileError(file, err);
  }
  return loadSpecBytes(bytes, path, { baseDir: dirname(path), ...opts });
}

/** Loads spec bytes already in memory (registry, tests); `path` picks the parser by extension. Never throws. */
export function loadSpecBytes(bytes: Uint8Array, path: string, opts: LoadSpecOptions = {}): LoadedSpec {
  const file = opts.displayName ?? path;
  const digest = sha256(bytes);
  const size = bytes.byteLength;
  const fail = (d: Diagnostic): LoadedSpec => ({ kind: undefined, file, digest, size, diagnostics: [d] });
  if (size > MAX_SPEC_BYTES) return fail(tooLarge(file, size));
  const syntax = specSyntax(path);
  if (!syntax) {
    return fail({
      rule: FileRule.unknownExtension,
      severity: 'error',
      message: extname(path)
        ? `cannot tell the format of a "${extname(path)}" file; expected .yaml, .yml, .dot or .gv`
        : 'file has no extension, so its format is unknown; expected .yaml, .yml, .dot or .gv',
      file,
      fix: 'name pipelines, profiles and suites *.yaml / *.yml, Attractor pipelines *.dot / *.gv',
    });
  }
  const text = decodeText(bytes, file);
  if (typeof text !== 'string') return fail(text);
  if (text.trim() === '') {
    return fail({
      rule: FileRule.emptyFile,
      severity: 'error',
      message: size === 0 ? 'file is empty' : 'file contains only whitespace',
      file,
      fix: syntax === 'dot' ? 'write a `digraph <id> { ... }`' : 'start the document with `kind: PipelineSpec` (or FactoryProfile, ScenarioSuite)',
    });
  }
  let loaded: SpecLoadResult;
  try {
    loaded = syntax === 'dot' ? { kind: 'PipelineSpec', ...loadPipelineDot(text, file, opts.baseDir !== undefined ? { baseDir: opts.baseDir } : {}) } : loadYamlSpec(text, file);
  } catch (err) {
    // Loaders promise never to throw; if one does, report it as a diagnostic rather than crash the caller.
    const message = err instanceof Error ? err.message : String(err);
    return fail({ rule: 'internal_error', severity: 'error', message: `the ${syntax} loader failed: ${message}`, file });
  }
  return { ...loaded, file, digest, size };
}

/** Options for lintSpecFile: the lint options core/lint.ts takes besides file and sourceMap. */
export interface LintSpecOptions extends LoadSpecOptions {
  /** Every handler type the workers can run, built-ins included (core/lint.ts `knownTypes`); default: the built-ins. */
  knownTypes?: Iterable<string>;
  /** Custom lint rules (plugins, §7.4), run after the built-ins. */
  extraRules?: readonly LintRule[];
  /** Custom transforms (plugins, §9.3), applied before lint as at boot. */
  transforms?: readonly Transform[];
}

/** Load + lint: the diagnostics `factory lint` prints and `publish` requires to be error-free. */
export async function lintSpecFile(path: string, opts: LintSpecOptions = {}): Promise<LoadedSpec> {
  return lintLoaded(await loadSpecFile(path, opts), opts);
}

/** Adds lint diagnostics to an already loaded spec (pipelines only; profiles and suites are checked by their schema). */
export function lintLoaded(loaded: LoadedSpec, opts: LintSpecOptions = {}): LoadedSpec {
  if (loaded.kind !== 'PipelineSpec' || !loaded.graph) return loaded;
  let graph = loaded.graph;
  if (opts.transforms?.length) {
    try {
      graph = applyCustomTransforms(graph, opts.transforms);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { ...loaded, diagnostics: [...loaded.diagnostics, { rule: 'plugin_transform', severity: 'error', message, file: loaded.file }] };
    }
  }
  let lint: Diagnostic[];
  try {
    lint = lintPipeline(graph, { file: loaded.file, sourceMap: loaded.sourceMap, knownTypes: opts.knownTypes, ...(opts.extraRules ? { extraRules: opts.extraRules } : {}) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    lint = [{ rule: 'internal_error', severity: 'error', message: `lint failed: ${message}`, file: loaded.file }];
  }
  return { ...loaded, diagnostics: [...loaded.diagnostics, ...lint] };
}

/** Which parser a path goes to, by extension (case-insensitive); undefined when unknown. */
export function specSyntax(file: string): SpecSyntax | undefined {
  const ext = extname(file).toLowerCase();
  return Object.prototype.hasOwnProperty.call(SPEC_EXTENSIONS, ext) ? SPEC_EXTENSIONS[ext as keyof typeof SPEC_EXTENSIONS] : undefined;
}

function tooLarge(file: string, size: number): Diagnostic {
  return {
    rule: FileRule.fileTooLarge,
    severity: 'error',
    message: `file is ${size} bytes, over the ${MAX_SPEC_BYTES}-byte (2 MiB) limit for spec files; not parsed`,
    file,
    fix: 'split the spec, or move data out of it',
  };
}

/** UTF-8 text without a BOM, or a `not_text` diagnostic at the first NUL / invalid byte. */
function decodeText(bytes: Uint8Array, file: string): string | Diagnostic {
  const nul = bytes.indexOf(0);
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    text = undefined;
  }
  if (nul < 0 && text !== undefined) return text;
  const at = nul >= 0 ? nul : firstInvalidUtf8(bytes);
  const pos = bytePosition(bytes, at);
  return {
    rule: FileRule.notText,
    severity: 'error',
    message: nul >= 0 ? `file contains a NUL byte at offset ${at}: binary, not text` : `file is not valid UTF-8 (bad byte at offset ${at})`,
    file,
    ...pos,
    fix: 'save the file as UTF-8 text',
  };
}

/** Offset of the first byte where UTF-8 decoding fails (decodes growing prefixes by code point). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      decoder.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return 0;
}

/** 1-based line and (byte) column of a byte offset. */
function bytePosition(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

async function sha256Stream(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function toFileError(file: string, err: unknown): SpecFileError {
  if (err instanceof SpecFileError) return err;
  const code = (err as { code?: string }).code ?? 'EIO';
  const detail: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory',
    EACCES: 'permission denied',
    ENOTDIR: 'a parent is not a directory',
  };
  return new SpecFileError(file, code, detail[code] ?? (err instanceof Error ? err.message : String(err)));
}
