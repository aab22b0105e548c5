// The one output sanitiser: text that came from a graph, an answer, a run id or a model is shown with its
// control characters escaped (`\x1b`, `\u009b`, `\u202e`), as `temporal workflow show` does, before it
// reaches a terminal or a markdown file. An OSC 52 clipboard write, a clear-screen or a bidi override in a
// gate label, a `by`, a reason or a run id is then visible text, never an instruction to the terminal.
// Pure (string operations only): activities, the CLI and workflow-side text may all use it.

/**
 * What is escaped: C0 controls and DEL, C1 controls (U+0080–U+009F: U+009B is a one-byte CSI), the
 * bidi embeddings, overrides and isolates, and line/paragraph separators. `\n` and `\t` are kept by
 * sanitizeText (multi-line output) and escaped by sanitizeLine (a field shown on one line).
 */
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/gu;
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.codePointAt(0) ?? 0;
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** Multi-line text for a terminal or markdown: every control character escaped except newline and tab. */
export function sanitizeText(text: string): string {
  return text.replace(UNSAFE_TEXT, escape);
}

/** One field shown on one line (an id, a label, a `by`): newlines escaped too, so it cannot fake a line of its own. */
export function sanitizeLine(text: string): string {
  return text.replace(UNSAFE_LINE, escape);
}

/** Whether a text holds anything sanitizeLine would escape (for refusing, rather than showing, such a value). */
export function hasUnsafeChars(text: string): boolean {
  UNSAFE_LINE.lastIndex = 0;
  const found = UNSAFE_LINE.test(text);
  UNSAFE_LINE.lastIndex = 0;
  return found;
}

/**
 * Every string inside a value (an event's data, a gate record, an envelope) sanitised for one line, except
 * under the keys in `multiline` (failure messages that list causes), which keep their line breaks.
 */
export function sanitizeFields<T>(value: T, multiline: ReadonlySet<string> = NO_KEYS, key?: string): T {
  if (typeof value === 'string') return (key !== undefined && multiline.has(key) ? sanitizeText(value) : sanitizeLine(value)) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => sanitizeFields(v, multiline, key)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitizeLine(k), sanitizeFields(v, multiline, k)])) as T;
}

const NO_KEYS: ReadonlySet<string> = new Set();
