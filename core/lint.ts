// Pipeline lint (Attractor §7): built-in rules plus custom ones; every finding at once, placed via the SourceMap.

import { formatDiagnostic, type Diagnostic, type SourceMap, type SourcePos } from './diagnostics';
import { buildIndex, type GraphIndex } from './graph-index';
import { ATTRIBUTE_RULES } from './lint-attrs';
import { KNOWN_RULES } from './lint-known';
import { STRUCTURE_RULES } from './lint-structure';
import { NodeType, type PipelineGraph } from './model';

/** What every rule gets besides the graph: adjacency, the known handler types and source positions. */
export interface LintContext {
  index: GraphIndex;
  knownTypes: ReadonlySet<string>;
  file?: string;
  sourceMap: SourceMap;
  /** Position of a model path, most specific key first (`edges[3].condition`, then `edges[3]`). */
  locate(path: string): SourcePos | undefined;
}

/** A lint rule (§7.4); custom ones run after the built-ins. Set `path` (or `node`) and lint fills in the position. */
export interface LintRule {
  name: string;
  apply(graph: PipelineGraph, ctx: LintContext): Diagnostic[];
}

export interface LintOptions {
  file?: string;
  sourceMap?: SourceMap;
  /** Every handler type a worker can run (the full set: include the built-ins). Default: the built-in types. */
  knownTypes?: Iterable<string>;
  extraRules?: readonly LintRule[];
}

/** The built-in rules, in the order their findings are reported. */
export const BUILTIN_RULES: readonly LintRule[] = [...STRUCTURE_RULES, ...ATTRIBUTE_RULES, ...KNOWN_RULES];

/** Handler types the engine ships with: type_known's default. */
export const BUILTIN_TYPES: readonly string[] = Object.values(NodeType);

/** Lints a normalized, transformed graph: what `factory lint`, publish and preflight run. */
export function lintPipeline(graph: PipelineGraph, opts: LintOptions = {}): Diagnostic[] {
  const sourceMap = opts.sourceMap ?? {};
  const ctx: LintContext = {
    index: buildIndex(graph),
    knownTypes: new Set(opts.knownTypes ?? BUILTIN_TYPES),
    sourceMap,
    locate: (path) => locate(sourceMap, path),
    ...(opts.file !== undefined ? { file: opts.file } : {}),
  };
  const out: Diagnostic[] = [];
  for (const rule of [...BUILTIN_RULES, ...(opts.extraRules ?? [])]) {
    let found: Diagnostic[];
    try {
      found = rule.apply(graph, ctx);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      found = [{ rule: rule.name, severity: 'error', message: `lint rule '${rule.name}' crashed: ${why}`, fix: 'fix or remove the custom rule' }];
    }
    for (const d of found) out.push(place(d, ctx));
  }
  return out;
}

/** Raised by validateOrRaise: carries every diagnostic; the message lists the errors. */
export class PipelineValidationError extends Error {
  override readonly name = 'PipelineValidationError';
  constructor(
    readonly pipelineId: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      `pipeline '${pipelineId}' has ${errors.length} lint error(s); fix them and lint again:\n` +
        errors.map((d) => '  ' + formatDiagnostic(d)).join('\n'),
    );
  }
}

/** Lints and throws PipelineValidationError on any error (§7.3); returns the warnings otherwise. */
export function validateOrRaise(graph: PipelineGraph, opts: LintOptions = {}): Diagnostic[] {
  const diags = lintPipeline(graph, opts);
  if (diags.some((d) => d.severity === 'error')) throw new PipelineValidationError(graph.id, diags);
  return diags;
}

/** Looks a model path up, dropping trailing `.field`s until a key matches; never drops a `[...]` element. */
export function locate(sourceMap: SourceMap, path: string): SourcePos | undefined {
  let p = path;
  for (;;) {
    if (Object.prototype.hasOwnProperty.call(sourceMap, p)) return sourceMap[p];
    const dot = p.lastIndexOf('.');
    if (dot <= p.lastIndexOf(']') || dot <= 0) return undefined;
    p = p.slice(0, dot);
  }
}

function place(d: Diagnostic, ctx: LintContext): Diagnostic {
  const out: Diagnostic = ctx.file !== undefined && d.file === undefined ? { ...d, file: ctx.file } : { ...d };
  if (out.line !== undefined) return out;
  const key = out.path ?? (out.node !== undefined ? `nodes[${out.node}]` : undefined);
  // a finding about the graph as a whole (no start node, ...) points at the graph's own line
  const pos = (key !== undefined ? ctx.locate(key) : undefined) ?? ctx.sourceMap['$graph'];
  if (pos) {
    out.line = pos.line;
    out.column = pos.column;
  }
  return out;
}
