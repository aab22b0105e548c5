// zod issues → our Diagnostics: stable rule ids, readable messages, a field path that names nodes by
// id, and a source position from the loader's `locate`. Shared by the YAML loaders and the DOT mapper.
import { z } from 'zod';
import { sortDiagnostics, type Diagnostic, type SourcePos } from '../core/diagnostics';
import { DURATION_MESSAGE } from './schemas/common';

type Path = readonly (string | number)[];
type Issue = z.core.$ZodIssue;

/** Where problems are reported: the file and how to find a document path in it. */
export interface LocateContext {
  file: string;
  /** Position of the value at a raw document path (`['nodes', 3, 'max_retries']`), if it exists. */
  locate(path: Path): SourcePos | undefined;
  /** Position of the key itself (unknown keys point here); falls back to `locate`. */
  locateKey?(path: Path): SourcePos | undefined;
  /** Position of `container[key]`, given the raw container object itself: a fast path for whole-document walks. */
  locateIn?(container: object, key: string | number): SourcePos | undefined;
}

/** Rule ids the issue mapper emits. */
export const IssueRule = {
  unknownKey: 'unknown_key',
  invalidType: 'invalid_type',
  invalidValue: 'invalid_value',
  missingKey: 'missing_key',
  missingKind: 'missing_kind',
  invalidDuration: 'invalid_duration',
} as const;

const ID_LISTS = new Set(['nodes', 'scenarios']);
const EXPECTED: Readonly<Record<string, string>> = { int: 'integer', object: 'mapping', array: 'list', record: 'mapping' };

/** Value at a raw path and whether it exists (an absent key is not the same as `null`). */
export function valueAt(raw: unknown, path: Path): { exists: boolean; value: unknown } {
  let cur: unknown = raw;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) return { exists: false, value: undefined };
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return { exists: true, value: cur };
}

/** `nodes[plan].max_retries`: list items that carry a simple string id are named by it. */
export function pathLabel(raw: unknown, path: Path): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as string | number;
    if (typeof seg === 'number') {
      const id = valueAt(raw, [...path.slice(0, i + 1), 'id']).value;
      const named = ID_LISTS.has(String(path[i - 1])) && typeof id === 'string' && /^[A-Za-z0-9_.-]+$/.test(id);
      out += `[${named ? id : seg}]`;
    } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `string "abc"`, `number 2.5`, `list`, `mapping`, `null` — how a wrong value is named in messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The closest candidate within a typo's reach, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3))) return best;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const lc = c.toLowerCase();
    if (Math.min(lower.length, lc.length) >= 3 && (lc.startsWith(lower) || lower.startsWith(lc))) return c;
  }
  return undefined;
}

/** The schema that validates the value at `path` (options of a discriminated union picked by the raw `kind`). */
export function schemaAt(schema: z.ZodType, path: Path, raw: unknown): z.ZodType | undefined {
  let cur: z.ZodType | undefined = unwrap(schema, raw);
  for (let i = 0; i < path.length && cur; i++) {
    const seg = path[i] as string | number;
    const here = valueAt(raw, path.slice(0, i + 1)).value;
    if (cur instanceof z.ZodObject) cur = cur.shape[String(seg)] as z.ZodType | undefined;
    else if (cur instanceof z.ZodArray) cur = cur.element as z.ZodType;
    else if (cur instanceof z.ZodRecord) cur = cur.valueType as z.ZodType;
    else if (cur instanceof z.ZodUnion) cur = (cur.options as z.ZodType[]).map((o) => schemaAt(o, [seg], valueAt(raw, path.slice(0, i)).value)).find(Boolean);
    else return undefined;
    cur = cur && unwrap(cur, here);
  }
  return cur;
}

function unwrap(s: z.ZodType, value: unknown): z.ZodType {
  for (let n = 0; n < 20; n++) {
    const inner = (s.def as { innerType?: unknown }).innerType; // optional, default, prefault, nullable, readonly...
    if (inner instanceof z.ZodType) s = inner;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else if (s instanceof z.ZodDiscriminatedUnion) {
      const disc = (s.def as { discriminator: string }).discriminator;
      const kind = valueAt(value, [disc]).value;
      const options = s.options as z.ZodType[];
      const match = options.find((o) => (o = unwrap(o, value)) instanceof z.ZodObject && literalValues(o.shape[disc]).includes(kind));
      if (!match) return s;
      s = match;
    } else return s;
  }
  return s;
}

function literalValues(s: unknown): unknown[] {
  return s instanceof z.ZodLiteral ? [...s.values] : [];
}

/** Maps every zod issue to Diagnostics; `rootSchema` lets unknown keys suggest the closest known key. */
export function issuesToDiagnostics(issues: readonly Issue[], raw: unknown, rootSchema: z.ZodType, ctx: LocateContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) mapIssue(issue, [], raw, rootSchema, ctx, out);
  return sortDiagnostics(out);
}

function mapIssue(issue: Issue, prefix: Path, raw: unknown, root: z.ZodType, ctx: LocateContext, out: Diagnostic[]): void {
  const path: Path = [...prefix, ...(issue.path as (string | number)[])];
  const at = valueAt(raw, path);
  const emit = (rule: string, message: string, extra: Partial<Diagnostic> = {}, posPath: Path = path, keyPos = false) =>
    out.push(diagnostic(rule, message, path, raw, ctx, posPath, keyPos, extra));
  if (!at.exists && (issue.code === 'invalid_type' || issue.code === 'invalid_value') && path.length > 0) {
    const key = String(path[path.length - 1]);
    if (path.length === 1 && key === 'kind') return void emit(IssueRule.missingKind, 'missing required key "kind"', { fix: 'add "kind:" as the first key' });
    return void emit(IssueRule.missingKey, `missing required key "${key}"`, { fix: `add "${key}:"` });
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const target = schemaAt(root, path, raw);
      const known = target instanceof z.ZodObject ? Object.keys(target.shape) : [];
      for (const key of issue.keys) {
        const guess = closest(key, known);
        const keyPath = [...path, key];
        out.push(
          diagnostic(IssueRule.unknownKey, `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`, keyPath, raw, ctx, keyPath, true, {
            fix: guess
              ? `rename "${key}" to "${guess}"`
              : known.includes('attrs')
                ? `remove "${key}" or move it under "attrs:" (free-form attributes); allowed keys: ${known.join(', ')}`
                : `remove "${key}"${known.length ? `; allowed keys: ${known.join(', ')}` : ''}`,
          }),
        );
      }
      return;
    }
    case 'invalid_type': {
      if (issue.message === DURATION_MESSAGE) return void emit(IssueRule.invalidDuration, `${DURATION_MESSAGE}, got ${describeValue(at.value)}`, durationFix(at.value));
      const leaf = schemaAt(root, path, raw);
      const isInt = leaf instanceof z.ZodNumber && leaf.isInt;
      const expected = isInt ? 'integer' : (EXPECTED[issue.expected] ?? issue.expected);
      return void emit(IssueRule.invalidType, `expected ${expected}, got ${describeValue(at.value)}`, typeFix(expected, at.value));
    }
    case 'invalid_union':
      return mapUnion(issue, path, at, raw, root, ctx, out, emit);
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const guess = typeof at.value === 'string' ? closest(at.value, allowed) : undefined;
      return void emit(IssueRule.invalidValue, `expected ${allowed.length > 1 ? 'one of ' : ''}${allowed.join(' | ')}, got ${describeValue(at.value)}`, guess ? { fix: `use "${guess}"` } : {});
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const what =
        issue.origin === 'string' && issue.code === 'too_small' && Number(bound) === 1
          ? 'must not be empty'
          : issue.origin === 'array' || issue.origin === 'string'
            ? `length must be ${op} ${String(bound)}`
            : `must be ${op} ${String(bound)}`;
      return void emit(IssueRule.invalidValue, `${what}, got ${describeValue(at.value)}`);
    }
    case 'invalid_format':
      if (issue.message === DURATION_MESSAGE) return void emit(IssueRule.invalidDuration, `${DURATION_MESSAGE}, got ${describeValue(at.value)}`, durationFix(at.value));
      return void emit(IssueRule.invalidValue, `${issue.message}, got ${describeValue(at.value)}`);
    case 'custom': {
      const rule = typeof issue.params?.rule === 'string' ? issue.params.rule : IssueRule.invalidValue;
      const fix = typeof issue.params?.fix === 'string' ? { fix: issue.params.fix } : {};
      return void emit(rule, issue.message, fix);
    }
    default:
      return void emit(IssueRule.invalidValue, `${issue.message}, got ${describeValue(at.value)}`);
  }
}

function mapUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: Path,
  at: { exists: boolean; value: unknown },
  raw: unknown,
  root: z.ZodType,
  ctx: LocateContext,
  out: Diagnostic[],
  emit: (rule: string, message: string, extra?: Partial<Diagnostic>) => void,
): void {
  if ('discriminator' in issue && typeof issue.discriminator === 'string') {
    const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
    if (!at.exists) return void emit(IssueRule.missingKey, `missing required key "${issue.discriminator}" (one of ${options.join(' | ')})`, { fix: `add "${issue.discriminator}:"` });
    const guess = typeof at.value === 'string' ? closest(at.value, options) : undefined;
    return void emit(IssueRule.invalidValue, `expected one of ${options.join(' | ')}, got ${describeValue(at.value)}`, guess ? { fix: `use "${guess}"` } : {});
  }
  const branches = issue.errors;
  const shallow = branches.every((b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0);
  if (shallow || branches.length === 0) {
    const names = branches.map((b) => (b[0]?.code === 'invalid_type' ? (EXPECTED[b[0].expected] ?? b[0].expected) : '?'));
    const listed = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] ?? ''}` : (names[0] ?? 'a valid value');
    return void emit(IssueRule.invalidType, `expected ${listed}, got ${describeValue(at.value)}`);
  }
  // The branch that got furthest into the value is the one the author meant.
  const depth = (b: readonly Issue[]) => Math.min(...b.map((i) => i.path.length));
  const best = [...branches].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0] ?? [];
  for (const sub of best) mapIssue(sub, path, raw, root, ctx, out);
}

/** The usual slips: numbers in quotes, yes/no for booleans, unquoted text that YAML read as a number. */
function typeFix(expected: string, value: unknown): Partial<Diagnostic> {
  const text = typeof value === 'string' ? value.trim() : '';
  if ((expected === 'integer' || expected === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return { fix: `write ${text} without quotes` };
  if (expected === 'boolean' && typeof value === 'string') return { fix: 'write true or false (unquoted)' };
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return { fix: `quote the value: "${String(value)}"` };
  return {};
}

function durationFix(value: unknown): Partial<Diagnostic> {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { fix: `write "${value}s" (seconds) or "${value}ms"` };
  return { fix: 'write a number followed by a unit, e.g. "90s"' };
}

function diagnostic(rule: string, message: string, path: Path, raw: unknown, ctx: LocateContext, posPath: Path, keyPos: boolean, extra: Partial<Diagnostic>): Diagnostic {
  const pos = (keyPos && ctx.locateKey?.(posPath)) || nearest(ctx, posPath);
  const d: Diagnostic = { rule, severity: 'error', message, file: ctx.file };
  if (path.length) d.path = pathLabel(raw, path);
  if (pos) [d.line, d.column] = [pos.line, pos.column];
  subject(raw, path, d);
  return { ...d, ...extra };
}

/** Position of the path, else of its nearest existing parent. */
export function nearest(ctx: LocateContext, path: Path): SourcePos | undefined {
  for (let n = path.length; n >= 0; n--) {
    const pos = ctx.locate(path.slice(0, n));
    if (pos) return pos;
  }
  return undefined;
}

function subject(raw: unknown, path: Path, d: Diagnostic): void {
  if (typeof path[1] !== 'number') return;
  if (path[0] === 'nodes') {
    const id = valueAt(raw, [...path.slice(0, 2), 'id']).value;
    if (typeof id === 'string') d.node = id;
  } else if (path[0] === 'edges') {
    const from = valueAt(raw, [...path.slice(0, 2), 'from']).value;
    const to = valueAt(raw, [...path.slice(0, 2), 'to']).value;
    if (typeof from === 'string' && typeof to === 'string') d.edge = { from, to };
  }
}
