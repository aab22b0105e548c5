// Lexical helpers around the ts-graphviz parser: Attractor DOT allows qualified keys (`human.quorum`,
// `stack.child_dotfile`) that plain Graphviz does not, and Attractor strings unescape `\n`, `\t`, `\\`.
import type { SourcePos } from '../../core/diagnostics';

/**
 * Same-width stand-in for the dot of a qualified id. It is an identifier character for the parser; the
 * mapper never trusts it and reads unquoted literals back from the original text by offset.
 */
const QUALIFIED_DOT_STAND_IN = '\u00AA';

const isIdStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isIdPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/**
 * Rewrites what Attractor DOT allows and the ts-graphviz grammar does not, keeping every offset:
 * the dots of qualified ids outside strings, comments and HTML strings (`human.quorum=2`), and line
 * breaks inside quoted strings (Attractor's String admits them; multi-line prompts are common).
 * Parser line/column numbers are then unreliable past such a string, so callers use offsets only
 * (see lineIndex) and read every literal back from the original text.
 */
export function prepareForParser(text: string): { text: string; unterminatedString?: number } {
  const out = text.split('');
  let unterminatedString: number | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '"') {
      const open = i;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        if (i < text.length && /[\r\n\u2028\u2029]/.test(text[i] as string)) out[i] = ' ';
        i++;
      }
      if (i >= text.length) unterminatedString = open;
      i++;
    } else if ((c === '/' && next === '/') || c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '<') {
      let depth = 0;
      do {
        if (text[i] === '<') depth++;
        else if (text[i] === '>') depth--;
        i++;
      } while (i < text.length && depth > 0);
    } else if (isIdStart(c) && !isIdPart(text[i - 1]) && text[i - 1] !== '.') {
      i++;
      for (;;) {
        while (isIdPart(text[i])) i++;
        if (text[i] === '.' && isIdStart(text[i + 1])) {
          out[i] = QUALIFIED_DOT_STAND_IN;
          i++;
          continue;
        }
        break;
      }
    } else {
      i++;
    }
  }
  return { text: out.join(''), ...(unterminatedString === undefined ? {} : { unterminatedString }) };
}

/** Offset → 1-based line and column in the original text (one index with the YAML loader). */
export { lineIndex } from '../source-map';

const STRING_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', '\\': '\\', '"': '"', '\n': '' };

/**
 * Attractor's String escapes on the text between the quotes as written: `\n` `\t` `\\` `\"`, and
 * backslash-newline as a Graphviz line continuation. Other backslash sequences (Graphviz's `\l`,
 * `\N`, ...) are kept verbatim.
 */
export function unescapeDotString(value: string): string {
  return value.replace(/\\(\r\n|[\s\S])/g, (whole, ch: string) => {
    if (ch === '\r\n') return '';
    return STRING_ESCAPES[ch] ?? whole;
  });
}

/**
 * The stylesheet class a subgraph label yields (Attractor §2.10): `"Loop A"` → `loop-a`. A run of
 * whitespace becomes one hyphen and surrounding whitespace is dropped (our reading of "replacing
 * spaces with hyphens"); other characters are stripped after that, so `A & B` gives `a--b`.
 */
export function classFromLabel(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/[^a-z0-9-]/g, '');
}

/** Node ids Attractor accepts (§2.3): bare identifiers. */
export const NODE_ID_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
