// The fast path of parseYaml (definitions/yaml-doc.ts): js-yaml reads a clean spec ~5x faster than the
// `yaml` package's position-carrying Document, and its node listener gives each value's offset, so
// the SourceMap keeps file:line:col. Any text it cannot read exactly like the slow path (tags,
// anchors, aliases, directives, tabs, a BOM, flow ends at a line start, any error) returns undefined
// and the caller parses with `yaml` instead; paths the index cannot place fall back to that parse.
import { FAILSAFE_SCHEMA, Type, load, type State } from 'js-yaml';
import { Schema, isScalar } from 'yaml';

/** Offsets of values: per container, its keys' (or indices') value offsets. */
export interface FastIndex {
  root: number;
  children: WeakMap<object, Map<string | number, number>>;
}

/** A parsed document and the offsets of its values. */
export interface FastParse {
  raw: unknown;
  index: FastIndex;
}

/** One node as js-yaml composed it: where it opened, what it became, the nodes composed inside it. */
interface Frame {
  at: number;
  kind: string | null;
  result: unknown;
  kids?: Frame[];
}

class Unsupported extends Error {}

/** The YAML 1.2 core schema of the `yaml` package, as js-yaml implicit types: same regexes, same values. */
export const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: new Schema({ schema: 'core', resolveKnownTags: false }).tags
    .filter((t) => t.test instanceof RegExp && t.resolve)
    .map(
      (t, i) =>
        new Type(`tag:factory/core-${i}`, {
          kind: 'scalar',
          resolve: (s: unknown) => typeof s === 'string' && (t.test as RegExp).test(s),
          construct: (s: string) => {
            const v = (t.resolve as (s: string, onError: (m: string) => void, opts: object) => unknown)(s, () => undefined, { intAsBigInt: false });
            return isScalar(v) ? v.value : v;
          },
        }),
    ),
});

/** Texts the fast path does not try: anything where js-yaml and `yaml` could differ. */
const UNSAFE_TEXT = /\t|^\uFEFF|^%|^[ ]*[\]}]/m;

/** Parses `text` with js-yaml and indexes value offsets; undefined when the slow path must decide. */
export function parseFast(text: string): FastParse | undefined {
  if (UNSAFE_TEXT.test(text)) return undefined;
  const index: FastIndex = { root: 0, children: new WeakMap() };
  const top: Frame = { at: 0, kind: null, result: undefined };
  const stack: Frame[] = [top];
  const listener = (event: string, state: State) => {
    if (event === 'open') {
      const f: Frame = { at: state.position, kind: null, result: undefined };
      const parent = stack[stack.length - 1] as Frame;
      (parent.kids ??= []).push(f);
      stack.push(f);
      return;
    }
    const f = stack.pop() as Frame;
    if ((state as State & { anchor: string | null }).anchor !== null) throw new Unsupported('anchor');
    f.kind = state.kind;
    f.result = state.result;
    const kids = f.kids;
    f.kids = undefined;
    if (kids && typeof f.result === 'object' && f.result !== null && !isWrapper(f, kids)) indexContainer(f.result, kids, text, index);
  };
  try {
    const raw = load(text, { schema: CORE_SCHEMA, listener } as Parameters<typeof load>[1]);
    const root = top.kids?.length === 1 ? (top.kids[0] as Frame) : undefined;
    if (raw === undefined || raw === null || !root || root.result !== raw) return undefined;
    index.root = contentStart(root, text);
    return { raw, index };
  } catch {
    return undefined;
  }
}

/** js-yaml composes a candidate key first and keeps it as the node when no ':' follows: a frame around the real one. */
function isWrapper(f: Frame, kids: Frame[]): boolean {
  return kids.length === 1 && (kids[0] as Frame).kind === f.kind && (kids[0] as Frame).result === f.result;
}

function matches(f: Frame, value: unknown): boolean {
  return f.kind !== null && Object.is(f.result, value);
}

/** Records the offsets of a container's values; a container it cannot pair up exactly is left out (slow path answers). */
function indexContainer(obj: object, kids: Frame[], text: string, index: FastIndex): void {
  const offsets = new Map<string | number, number>();
  if (Array.isArray(obj)) {
    if (kids.length !== obj.length) return;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i] as Frame;
      if (matches(k, obj[i])) offsets.set(i, contentStart(k, text));
    }
  } else {
    const rec = obj as Record<string, unknown>;
    for (let i = 0; i < kids.length; ) {
      const k = kids[i] as Frame;
      if (k.kind !== 'scalar' || k.result === null || typeof k.result === 'object') return;
      contentStart(k, text); // rejects tagged or aliased keys
      const key = String(k.result);
      if (!Object.prototype.hasOwnProperty.call(rec, key)) return;
      const v = kids[i + 1];
      if (v && matches(v, rec[key])) {
        offsets.set(key, contentStart(v, text));
        i += 2;
      } else if (rec[key] === null) i += v && v.kind === null ? 2 : 1;
      else return;
    }
  }
  index.children.set(obj, offsets);
}

/** Where a node's text begins, as the slow path's `locate` reports it (inside quotes; a block scalar's first line). */
function contentStart(f: Frame, text: string): number {
  let i = f.at;
  for (;;) {
    const c = text[i];
    if (c === ' ' || c === '\n' || c === '\r') i++;
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else break;
  }
  const c = text[i];
  if (c === '!' || c === '&' || c === '*' || c === '?') throw new Unsupported(`node property ${c}`);
  if (f.kind !== 'scalar') return i;
  if (c === '"' || c === "'") return i + 1;
  if (c !== '|' && c !== '>') return i;
  const newline = text.indexOf('\n', i);
  if (newline < 0 || f.result === '') return i;
  let j = newline + 1;
  while (text[j] === ' ') j++;
  return text[j] !== '\n' && j < text.length ? j : i;
}
