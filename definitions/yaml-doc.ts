// YAML text → plain data plus a position lookup for any document path, with every syntax error as a
// Diagnostic. The schema-level loaders (definitions/yaml.ts) build on this.
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic, SourcePos } from '../core/diagnostics';
import type { LocateContext } from './issues';
import { lineIndex } from './source-map';
import { parseFast, type FastIndex } from './yaml-fast';

type Path = readonly (string | number)[];

/** Rules raised while reading YAML, before any schema looks at it. */
export const YamlRule = {
  syntax: 'yaml_syntax',
  duplicateKey: 'duplicate_key',
  multipleDocuments: 'multiple_documents',
} as const;

/** A parsed YAML file: `raw` is set only when the text parsed cleanly enough to validate. */
export interface ParsedYaml extends LocateContext {
  raw?: unknown;
  /** The document had a mapping at its root. */
  isMapping: boolean;
  diagnostics: Diagnostic[];
}

const PARSE_OPTIONS = { logLevel: 'error', prettyErrors: false, uniqueKeys: true, resolveKnownTags: false, schema: 'core', version: '1.2' } as const;

/**
 * Parses one YAML document; never throws. A clean document takes the fast path (definitions/yaml-fast.ts);
 * anything else, and any position the fast index cannot give, comes from the full `yaml` Document.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const fast = parseFast(text);
  if (!fast) return parseDocument(text, file);
  let slow: ParsedYaml | undefined;
  const full = () => (slow ??= parseDocument(text, file));
  const pos = lineIndex(text);
  return {
    file,
    raw: fast.raw,
    isMapping: fast.raw !== null && typeof fast.raw === 'object' && !Array.isArray(fast.raw),
    diagnostics: [],
    locate: (path) => {
      const offset = offsetAt(fast.raw, fast.index, path);
      return offset === undefined ? full().locate(path) : pos(offset);
    },
    locateKey: (path) => full().locateKey?.(path),
    locateIn: (container, key) => {
      const offset = fast.index.children.get(container)?.get(key);
      return offset === undefined ? undefined : pos(offset);
    },
  };
}

/** The offset of the value at `path` from the fast index, or undefined when it has none. */
function offsetAt(raw: unknown, index: FastIndex, path: Path): number | undefined {
  let cur = raw;
  let offset: number | undefined = index.root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    offset = index.children.get(cur)?.get(seg);
    if (offset === undefined) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return offset;
}

/** The full parse: a `yaml` Document with source ranges, every syntax error and warning as a Diagnostic. */
export function parseDocument(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const pos = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const docs = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter });
  const first = docs[0];
  const diagnostics: Diagnostic[] = [];
  const syntax = (rule: string, message: string, offset: number, severity: Diagnostic['severity'] = 'error') =>
    diagnostics.push({ rule, severity, message, file, ...pos(offset) });

  for (const doc of docs.slice(0, 1)) {
    for (const e of doc.errors) {
      if (e.code !== 'DUPLICATE_KEY') syntax(YamlRule.syntax, cleanMessage(e.message, e.code), e.pos[0]);
      else {
        const key = keyAt(doc, e.pos[0]) ?? text.slice(e.pos[0]).split(/[:\n]/)[0]?.trim() ?? '';
        syntax(YamlRule.duplicateKey, `key ${JSON.stringify(key)} appears more than once in the same mapping`, e.pos[0]);
        diagnostics[diagnostics.length - 1]!.fix = `keep one "${key}" entry`;
      }
    }
    for (const w of doc.warnings) syntax(YamlRule.syntax, cleanMessage(w.message, w.code), w.pos[0], 'warning');
  }
  const second = docs[1];
  if (second) {
    const start = second.contents?.range?.[0] ?? second.range[0];
    syntax(YamlRule.multipleDocuments, `a spec file holds one YAML document, found ${docs.length}`, start);
    diagnostics[diagnostics.length - 1]!.fix = 'split the documents into separate files';
  }
  const ctx: ParsedYaml = {
    file,
    isMapping: isMap(first?.contents),
    diagnostics,
    locate: (path) => {
      const found = first && find(first, path);
      return found ? pos(found.value ? contentStart(found.value, text) : (found.key?.range?.[0] ?? 0)) : undefined;
    },
    locateKey: (path) => {
      const found = first && find(first, path);
      const node = found?.key ?? found?.value;
      return node?.range ? pos(node.range[0]) : undefined;
    },
  };
  const blocking = diagnostics.some((d) => d.severity === 'error' && d.rule !== YamlRule.duplicateKey);
  if (!first) {
    ctx.raw = null;
    return ctx;
  }
  if (blocking) return ctx;
  try {
    ctx.raw = first.toJS({ maxAliasCount: 100 });
  } catch (err) {
    syntax(YamlRule.syntax, err instanceof Error ? err.message : String(err), culprit(first) ?? first.contents?.range?.[0] ?? 0);
  }
  return ctx;
}

/** Offset of the first alias that resolves to nothing: why toJS threw (anchors are checked by the parser). */
function culprit(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (found === undefined && node.resolve(doc) === undefined) found = node.range?.[0];
      return found === undefined ? undefined : visit.BREAK;
    },
  });
  return found;
}

/** The text of the map key that starts at `offset` (duplicate-key errors point there). */
function keyAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_key, pair) {
      const k = pair.key as YamlNode | null;
      if (k?.range?.[0] === offset) found = isScalar(k) ? String(k.value) : String(k);
      return found === undefined ? undefined : visit.BREAK;
    },
  });
  return found?.slice(0, 60);
}

/** The key and value nodes at a path (a list item has no key); undefined when the path does not exist. */
function find(doc: Document, path: Path): { key?: YamlNode; value?: YamlNode } | undefined {
  let cur: unknown = doc.contents;
  let key: YamlNode | undefined;
  if (!cur) return path.length === 0 ? {} : undefined;
  for (const seg of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isPair(p) && scalarKey(p.key) === String(seg));
      if (!pair) return undefined;
      key = pair.key as YamlNode;
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      cur = cur.items[seg];
      key = undefined;
      if (cur === undefined) return undefined;
    } else return undefined;
  }
  return { key, value: (cur as YamlNode | null) ?? undefined };
}

/** Where a value's text begins: inside quotes, or on the first content line of a block scalar (`|`, `>`). */
function contentStart(node: YamlNode, text: string): number {
  const start = node.range?.[0] ?? 0;
  if (!isScalar(node)) return start;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return start + 1;
  if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') return start;
  const newline = text.indexOf('\n', start);
  if (newline < 0) return start;
  let i = newline + 1;
  while (text[i] === ' ') i++;
  return i < (node.range?.[1] ?? i) && text[i] !== '\n' ? i : start;
}

function scalarKey(k: unknown): string | undefined {
  if (isScalar(k)) return String(k.value);
  return k === null || k === undefined ? '' : undefined;
}

function cleanMessage(message: string, code: string): string {
  const first = message.split('\n')[0] ?? message;
  return `${first.replace(/ at line \d+, column \d+:?$/, '').trim()} (${code})`;
}
