// Diagnostics are how every loader and lint rule reports problems: all of them at once, with a place.

/** Severity as in Attractor §7.1: errors block a run, warnings do not. */
export const Severity = { error: 'error', warning: 'warning', info: 'info' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** One problem, pinned to a file position and a field path where one is known. */
export interface Diagnostic {
  /** Stable rule id, e.g. `start_node`, `yaml_syntax`, `unknown_key`. */
  rule: string;
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** Dotted field path inside the document, e.g. `nodes[3].max_retries`. */
  path?: string;
  node?: string;
  edge?: { from: string; to: string };
  /** What to change to make the diagnostic go away. */
  fix?: string;
}

/** A source position, 1-based line and column. */
export interface SourcePos {
  line: number;
  column: number;
}

/** Where each model element came from, keyed by a field path (`nodes[plan]`, `edges[2].condition`). */
export type SourceMap = Record<string, SourcePos>;

/** True when any diagnostic is an error: the model must not run. */
export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** `file:line:col severity rule message` — the one text form every surface prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file ?? '<input>', d.line ?? 0, d.column ?? 0].join(':');
  const subject = d.node ? ` [node ${d.node}]` : d.edge ? ` [edge ${d.edge.from} -> ${d.edge.to}]` : '';
  const field = d.path ? ` (${d.path})` : '';
  const fix = d.fix ? `\n    fix: ${d.fix}` : '';
  return `${where} ${d.severity} ${d.rule} ${d.message}${subject}${field}${fix}`;
}

/** Orders diagnostics by position so output reads top to bottom. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.rule.localeCompare(b.rule),
  );
}
