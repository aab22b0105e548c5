// The edge-condition language (Attractor §10): `Clause ( '&&' Clause )*`, Clause = Key ('=' | '!=') Literal | Key.
//
// Readings of §10 we chose (the spec's grammar and its §10.5 pseudocode disagree in places):
// - Keys: `outcome`, `preferred_label`, `context.<path>` (looked up with the prefix, then without it) and bare
//   paths (`tests_passed`, `human.gate.selected`: direct context lookup). A path is dot-separated segments; the
//   first starts with a letter or `_`, segments may hold letters, digits, `_` and `-`. Context is a FLAT map
//   (`human.gate.selected` is one key), as §5.1 stores it; missing keys read as ''.
// - Literals are bare (trimmed; may contain spaces; must not contain = ! < > | & ") or double-quoted with the
//   escapes \" \\ \n \t. Integer and boolean literals compare as strings: context values are stringified
//   (true → 'true', 3 → '3', objects → JSON). Comparison is exact and case-sensitive.
// - A bare key clause is a truthiness test (§10.5); falsy = missing, '', 'false' (any case) and '0'. The
//   pseudocode's bool(string) would make the string 'false' truthy, which surprises everyone; we don't.
// - Lint is stricter than §10.5's lenient evaluator: an empty clause (`a=1 &&`), a missing value (`a=`; write
//   `a=""` for the empty string), `==`, `||`, `!`, `<`, `>` and `outcome=<not a stage status>` are errors.
// - evaluateCondition on a condition that does not parse returns false: the edge is never eligible (lint
//   rejects such graphs before a run, so this only guards hand-built graphs). An empty condition is true.

import { STAGE_STATUSES } from './model';
import type { ContextValues, Outcome } from './outcome';

/** Clause operators; `truthy` is the bare-key form. */
export const ConditionOp = { eq: '=', ne: '!=', truthy: 'truthy' } as const;
export type ConditionOp = (typeof ConditionOp)[keyof typeof ConditionOp];

/** One parsed clause; `column` is 1-based inside the condition text. */
export interface ConditionClause {
  key: string;
  op: ConditionOp;
  value: string;
  column: number;
}

/** A syntax error, 1-based column inside the condition text (lint adds the source offset). */
export interface ConditionError {
  message: string;
  column: number;
}

export type ParsedCondition =
  | { ok: true; clauses: ConditionClause[] }
  | { ok: false; errors: ConditionError[] };

const ONLY = 'the condition language only has =, != and &&';
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;
const KEY_CHAR_RE = /[A-Za-z0-9_.-]/;
const STOP_CHARS = new Set(['=', '!', '<', '>', '|', '&', '"', '~']);
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };

/** Parses a condition once, reporting every error; routing pre-parses edges with it. */
export function parseCondition(text: string): ParsedCondition {
  const errors: ConditionError[] = [];
  const clauses: ConditionClause[] = [];
  if (text.trim() === '') return { ok: true, clauses };
  const { segments, separators } = splitClauses(text);
  segments.forEach(([start, end], i) => {
    const clause = parseClause(text, start, end, errors);
    if (clause === 'empty') {
      const sep = i > 0 ? separators[i - 1] : separators[0];
      const where = i > 0 ? 'is not followed by a clause' : 'has no clause before it';
      errors.push({ message: `empty clause: '&&' ${where}`, column: (sep ?? start) + 1 });
    } else if (clause) clauses.push(clause);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, clauses };
}

/** All syntax errors of a condition (empty when valid): what lint rule `condition_syntax` reports. */
export function conditionErrors(text: string): ConditionError[] {
  const parsed = parseCondition(text);
  return parsed.ok ? [] : parsed.errors;
}

/** Whether an edge's condition holds for a stage outcome and the run context (§10.5). */
export function evaluateCondition(text: string, outcome: Outcome, context: ContextValues): boolean {
  const parsed = parseCondition(text);
  return parsed.ok && evaluateClauses(parsed.clauses, outcome, context);
}

/** Evaluates pre-parsed clauses (AND, left to right); no clauses means true. */
export function evaluateClauses(clauses: readonly ConditionClause[], outcome: Outcome, context: ContextValues): boolean {
  for (const c of clauses) {
    const actual = resolveKey(c.key, outcome, context);
    const ok = c.op === ConditionOp.eq ? actual === c.value : c.op === ConditionOp.ne ? actual !== c.value : isTruthy(actual);
    if (!ok) return false;
  }
  return true;
}

/** A key's value as a string (§10.4): the outcome's fields, else the context (missing = ''). */
export function resolveKey(key: string, outcome: Outcome, context: ContextValues): string {
  if (key === 'outcome') return outcome.status;
  if (key === 'preferred_label') return outcome.preferred_label ?? '';
  const direct = lookup(context, key);
  if ((direct !== undefined && direct !== null) || !key.startsWith('context.')) return stringify(direct);
  return stringify(lookup(context, key.slice('context.'.length)));
}

function lookup(context: ContextValues, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(context, key) ? context[key] : undefined;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

function isTruthy(value: string): boolean {
  return value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Splits on `&&` outside double quotes; returns [start, end) per clause and each `&&` offset. */
function splitClauses(text: string): { segments: [number, number][]; separators: number[] } {
  const segments: [number, number][] = [];
  const separators: number[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '&' && text[i + 1] === '&') {
      segments.push([start, i]);
      separators.push(i);
      start = i + 2;
      i++;
    }
  }
  segments.push([start, text.length]);
  return { segments, separators };
}

function skipSpace(text: string, i: number, end: number): number {
  while (i < end && /\s/.test(text[i] as string)) i++;
  return i;
}

function parseClause(text: string, start: number, end: number, errors: ConditionError[]): ConditionClause | 'empty' | undefined {
  let i = skipSpace(text, start, end);
  if (i >= end) return 'empty';
  const keyStart = i;
  while (i < end && !STOP_CHARS.has(text[i] as string)) i++;
  const key = text.slice(keyStart, i).trimEnd();
  let valid = key !== '' && checkKey(key, keyStart, errors);
  if (i >= end) return valid ? { key, op: ConditionOp.truthy, value: '', column: keyStart + 1 } : undefined;

  const op = readOperator(text, i);
  if (!op.ok) {
    errors.push({ message: op.message, column: i + 1 });
    return undefined;
  }
  if (key === '') {
    errors.push({ message: `empty key: '${op.op}' needs a key before it (outcome, preferred_label or context.<path>)`, column: i + 1 });
    valid = false;
  }
  const opColumn = i + 1;
  i = skipSpace(text, i + op.op.length, end);
  const value = text[i] === '"' ? readQuoted(text, i, end, errors) : readBare(text, i, end, errors);
  if (value === undefined) return undefined;
  if (value === null) {
    errors.push({ message: `missing value after '${op.op}' (write "" to compare with the empty string)`, column: opColumn });
    return undefined;
  }
  if (valid && key === 'outcome' && !(STAGE_STATUSES as readonly string[]).includes(value)) {
    const hint = (STAGE_STATUSES as readonly string[]).includes(value.toLowerCase()) ? ' (statuses are lower-case)' : '';
    errors.push({ message: `outcome is compared with '${value}', which is not a stage status: ${STAGE_STATUSES.join(', ')}${hint}`, column: i + 1 });
    return undefined;
  }
  return valid ? { key, op: op.op, value, column: keyStart + 1 } : undefined;
}

function checkKey(key: string, offset: number, errors: ConditionError[]): boolean {
  if (KEY_RE.test(key)) return true;
  const bad = [...key].findIndex((c) => !KEY_CHAR_RE.test(c));
  if (bad >= 0) {
    const c = key[bad] as string;
    const what = /\s/.test(c) ? 'a space' : `'${c}'`;
    errors.push({ message: `bad key '${key}': ${what} is not allowed in a key (letters, digits, _, - and dots)`, column: offset + bad + 1 });
  } else {
    errors.push({ message: `bad key '${key}': expected dot-separated names starting with a letter or _`, column: offset + 1 });
  }
  return false;
}

type OperatorRead = { ok: true; op: '=' | '!=' } | { ok: false; message: string };

function readOperator(text: string, i: number): OperatorRead {
  const two = text.slice(i, i + 2);
  const three = text.slice(i, i + 3);
  if (three === '!==') return unsupported('!==');
  if (two === '!=') return { ok: true, op: '!=' };
  if (two === '==') return unsupported('==');
  if (text[i] === '=') return { ok: true, op: '=' };
  if (two === '||' || two === '<=' || two === '>=') return unsupported(two);
  const c = text[i] as string;
  if (c === '"') return { ok: false, message: `expected '=' or '!=' before the quoted value` };
  return unsupported(c);
}

function unsupported(op: string): { ok: false; message: string } {
  return { ok: false, message: `unsupported operator '${op}': ${ONLY}` };
}

/** Bare literal up to the clause end; null when empty. */
function readBare(text: string, i: number, end: number, errors: ConditionError[]): string | null | undefined {
  const value = text.slice(i, end).trimEnd();
  if (value === '') return null;
  for (let j = 0; j < value.length; j++) {
    const c = value[j] as string;
    if (!STOP_CHARS.has(c)) continue;
    const message =
      c === '|' && value[j + 1] === '|'
        ? `unsupported operator '||': ${ONLY} (use one edge per alternative)`
        : `unexpected '${c}' in value '${value}': ${ONLY}; quote the value if '${c}' is part of it`;
    errors.push({ message, column: i + j + 1 });
    return undefined;
  }
  return value;
}

/** Double-quoted literal with escapes; the clause must end after the closing quote. */
function readQuoted(text: string, i: number, end: number, errors: ConditionError[]): string | undefined {
  let out = '';
  let bad = false;
  for (let j = i + 1; j < end; j++) {
    const c = text[j] as string;
    if (c === '"') {
      const rest = skipSpace(text, j + 1, end);
      if (rest < end) {
        errors.push({ message: `unexpected text after the quoted value: '${text.slice(rest, end).trim()}'`, column: rest + 1 });
        return undefined;
      }
      return bad ? undefined : out;
    }
    if (c === '\\') {
      const esc = ESCAPES[text[j + 1] ?? ''];
      if (esc === undefined) {
        errors.push({ message: `unknown escape '\\${text[j + 1] ?? ''}' (use \\" \\\\ \\n or \\t)`, column: j + 1 });
        bad = true;
      } else out += esc;
      j++;
    } else out += c;
  }
  errors.push({ message: 'unterminated quoted value: missing the closing "', column: i + 1 });
  return undefined;
}
