// The model stylesheet (Attractor §8, §11.10): CSS-like rules that give nodes llm_model / llm_provider /
// reasoning_effort defaults. Readings we chose:
// - Selectors: `*` (specificity 0), a shape name such as `box` (1), `.class` (2), `#id` (3): universal < shape <
//   class < id, as §11.10 orders them (§8.3 predates shape selectors). Later rules of equal specificity win.
//   Any identifier is accepted as a shape name (Graphviz has many shapes; nodes may carry an explicit type).
// - Declarations are `property: value` (§8.2) or `property = value` (§11.10's examples); separated by `;` or by
//   a line break; values are bare (one word) or double-quoted with \" and \\ escapes. `/* ... */` comments.
// - Properties: llm_model, llm_provider, reasoning_effort (low|medium|high). `model` and `provider` are aliases
//   of llm_model and llm_provider (§11.10 writes `model = "..."`).
// - Every error is reported with a 1-based line and column inside the stylesheet text; the rules that did
//   parse are still returned, keeping the declarations that were valid.

import type { PipelineGraph, PipelineNode } from './model';
import { REASONING_EFFORTS } from './model';

/** The node fields a stylesheet may set. */
export const StyleProperty = { llmModel: 'llm_model', llmProvider: 'llm_provider', reasoningEffort: 'reasoning_effort' } as const;
export type StyleProperty = (typeof StyleProperty)[keyof typeof StyleProperty];
const PROPERTIES: readonly string[] = Object.values(StyleProperty);

/** Short property names accepted for §11.10 compatibility. */
export const PROPERTY_ALIASES: Readonly<Record<string, StyleProperty>> = { model: 'llm_model', provider: 'llm_provider' };

export type StyleSelector =
  | { kind: 'universal' }
  | { kind: 'shape'; shape: string }
  | { kind: 'class'; name: string }
  | { kind: 'id'; id: string };

/** Specificity by selector kind: universal < shape < class < id. */
export const SPECIFICITY: Readonly<Record<StyleSelector['kind'], number>> = { universal: 0, shape: 1, class: 2, id: 3 };

export interface StyleDeclaration {
  property: StyleProperty;
  value: string;
  line: number;
  column: number;
}

export interface StyleRule {
  selector: StyleSelector;
  specificity: number;
  declarations: StyleDeclaration[];
  line: number;
  column: number;
}

/** A stylesheet problem at a 1-based line/column inside the stylesheet text. */
export interface StylesheetError {
  message: string;
  line: number;
  column: number;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CLASS_RE = /^[A-Za-z0-9_-]+$/;
const WORD_RE = /[A-Za-z0-9_.-]/;

/** Parses a model stylesheet, reporting every error (lint) and returning the usable rules (transform). */
export function parseStylesheet(text: string): { rules: StyleRule[]; errors: StylesheetError[] } {
  const p = new Parser(text);
  p.parse();
  return { rules: p.rules, errors: p.errors };
}

/** Whether a rule's selector applies to a node. */
export function selectorMatches(selector: StyleSelector, node: PipelineNode): boolean {
  switch (selector.kind) {
    case 'universal':
      return true;
    case 'shape':
      return node.shape === selector.shape;
    case 'class':
      return node.classes.includes(selector.name);
    case 'id':
      return node.id === selector.id;
  }
}

/** A new graph whose nodes get each stylesheet property they do not set explicitly (§8.5); input untouched. */
export function applyStylesheet(graph: PipelineGraph, rules: readonly StyleRule[]): PipelineGraph {
  if (rules.length === 0) return graph;
  const nodes = graph.nodes.map((node) => {
    const chosen = new Map<StyleProperty, { specificity: number; value: string }>();
    for (const rule of rules) {
      if (!selectorMatches(rule.selector, node)) continue;
      for (const d of rule.declarations) {
        const cur = chosen.get(d.property);
        if (!cur || rule.specificity >= cur.specificity) chosen.set(d.property, { specificity: rule.specificity, value: d.value });
      }
    }
    const patch: Partial<Record<StyleProperty, string>> = {};
    for (const [property, { value }] of chosen) if (node[property] === undefined) patch[property] = value;
    return Object.keys(patch).length > 0 ? { ...node, ...patch } : node;
  });
  return { ...graph, nodes };
}

class Parser {
  readonly rules: StyleRule[] = [];
  readonly errors: StylesheetError[] = [];
  private i = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let k = 0; k < text.length; k++) if (text[k] === '\n') this.lineStarts.push(k + 1);
  }

  parse(): void {
    for (;;) {
      this.skipSpace(true);
      if (this.i >= this.text.length) return;
      if (this.text[this.i] === ';') this.i++;
      else this.rule();
    }
  }

  private rule(): void {
    const start = this.i;
    const token = this.readWhile((c) => !/\s/.test(c) && c !== '{' && c !== '}' && c !== ';');
    if (token === '') {
      const c = this.text[this.i] as string;
      this.error(c === '{' ? `missing selector before '{'` : `unexpected '${c}': expected a selector (*, shape, .class or #id)`, start);
      if (c !== '{') {
        this.i++;
        return;
      }
    }
    const selector = token === '' ? undefined : this.selector(token, start);
    this.skipSpace(true);
    if (this.text[this.i] !== '{') {
      this.error(`expected '{' after selector '${token}'`, this.i);
      this.readWhile((c) => c !== '{' && c !== '}');
      if (this.text[this.i] !== '{') {
        this.i++;
        return;
      }
    }
    const open = this.i++;
    const declarations = this.block(open);
    if (selector) this.rules.push({ selector, specificity: SPECIFICITY[selector.kind], declarations, ...this.pos(start) });
  }

  private selector(token: string, at: number): StyleSelector | undefined {
    const rest = token.slice(1);
    if (token === '*') return { kind: 'universal' };
    if (token[0] === '#' && NAME_RE.test(rest)) return { kind: 'id', id: rest };
    if (token[0] === '.' && CLASS_RE.test(rest)) return { kind: 'class', name: rest };
    if (NAME_RE.test(token)) return { kind: 'shape', shape: token };
    this.error(`bad selector '${token}': expected *, a shape name (box), .class or #node_id`, at);
    return undefined;
  }

  private block(open: number): StyleDeclaration[] {
    const out: StyleDeclaration[] = [];
    for (;;) {
      this.skipSpace(true);
      const c = this.text[this.i];
      if (c === undefined) {
        const { line, column } = this.pos(open);
        this.error(`unclosed '{' opened at line ${line}, column ${column}: missing '}'`, open);
        return out;
      }
      if (c === '}') {
        this.i++;
        return out;
      }
      if (c === ';') {
        this.i++;
        continue;
      }
      const d = this.declaration();
      if (d) out.push(d);
    }
  }

  private declaration(): StyleDeclaration | undefined {
    const at = this.i;
    const name = this.readWhile((c) => WORD_RE.test(c));
    if (name === '') return this.recover(`unexpected '${this.text[this.i]}': expected a property such as llm_model`, at);
    this.skipSpace(false);
    const sep = this.text[this.i];
    if (sep !== ':' && sep !== '=') return this.recover(`expected ':' after property '${name}'`, this.i);
    this.i++;
    this.skipSpace(false);
    const valueAt = this.i;
    const value = this.text[this.i] === '"' ? this.quoted() : this.readWhile((c) => !/\s/.test(c) && !';{}"'.includes(c));
    if (value === undefined) return this.recover('', this.i, false);
    this.skipSpace(false);
    const next = this.text[this.i];
    if (next !== undefined && next !== ';' && next !== '}' && next !== '\n' && next !== '\r') {
      const junkAt = this.i;
      return this.recover(`unexpected '${this.restOfDeclaration()}' after the value of '${name}': end declarations with ';'`, junkAt);
    }
    const property = PROPERTY_ALIASES[name] ?? name;
    if (!PROPERTIES.includes(property)) {
      this.error(`unknown property '${name}': expected llm_model, llm_provider or reasoning_effort (aliases: model, provider)`, at);
      return undefined;
    }
    if (value === '') return this.recover(`missing value for '${name}'`, valueAt);
    if (property === StyleProperty.reasoningEffort && !(REASONING_EFFORTS as readonly string[]).includes(value)) {
      this.error(`bad reasoning_effort '${value}': expected ${REASONING_EFFORTS.join(', ')}`, valueAt);
      return undefined;
    }
    return { property: property as StyleProperty, value, ...this.pos(at) };
  }

  private quoted(): string | undefined {
    const open = this.i++;
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i++] as string;
      if (c === '"') return out;
      if (c === '\\' && (this.text[this.i] === '"' || this.text[this.i] === '\\')) out += this.text[this.i++];
      else out += c;
    }
    this.error(`unterminated quoted value: missing the closing "`, open);
    return undefined;
  }

  /** Records an error (when given) and skips to the end of the declaration. */
  private recover(message: string, at: number, report = true): undefined {
    if (report && message) this.error(message, at);
    this.restOfDeclaration();
    return undefined;
  }

  private restOfDeclaration(): string {
    return this.readWhile((c) => c !== ';' && c !== '}' && c !== '\n').trim();
  }

  private readWhile(ok: (c: string) => boolean): string {
    const start = this.i;
    while (this.i < this.text.length && ok(this.text[this.i] as string)) this.i++;
    return this.text.slice(start, this.i);
  }

  /** Skips blanks and comments; line breaks too unless `newlines` is false. */
  private skipSpace(newlines: boolean): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) this.i++;
      else if (c === '/' && this.text[this.i + 1] === '*') {
        const end = this.text.indexOf('*/', this.i + 2);
        if (end < 0) {
          this.error('unterminated comment: missing */', this.i);
          this.i = this.text.length;
        } else this.i = end + 2;
      } else return;
    }
  }

  private error(message: string, at: number): void {
    this.errors.push({ message, ...this.pos(at) });
  }

  private pos(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] as number) + 1 };
  }
}
