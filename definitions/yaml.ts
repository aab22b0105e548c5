// The YAML loaders: PipelineSpec, FactoryProfile, ScenarioSuite, and `loadYamlSpec` dispatching on
// `kind`. Every problem comes back as a Diagnostic with file:line:column; nothing here throws.
import type { z } from 'zod';
import { sortDiagnostics, type Diagnostic, type SourceMap, type SourcePos } from '../core/diagnostics';
import type { PipelineGraph } from '../core/model';
import { closest, describeValue, issuesToDiagnostics, valueAt, type LocateContext } from './issues';
import { applyTransforms } from '../core/transforms';
import { normalizeDoc } from './normalize';
import { profileSchema, type FactoryProfile } from './schemas/profile';
import { pipelineSchema } from './schemas/pipeline';
import { suiteSchema, type ScenarioSuite } from './schemas/suite';
import { parseYaml, type ParsedYaml } from './yaml-doc';
import { buildSourceMap } from './source-map';

export type { FactoryProfile } from './schemas/profile';
export type { ScenarioSuite } from './schemas/suite';

/** What a pipeline loader returns: the graph only when there are no errors. */
export interface PipelineLoadResult {
  graph?: PipelineGraph;
  /** The graph before the built-in transforms (`$goal`, `$name` unexpanded): what submit overrides start from. */
  unexpanded?: PipelineGraph;
  sourceMap: SourceMap;
  diagnostics: Diagnostic[];
}

export type SpecLoadResult =
  | ({ kind: 'PipelineSpec' } & PipelineLoadResult)
  | { kind: 'FactoryProfile'; profile?: FactoryProfile; diagnostics: Diagnostic[] }
  | { kind: 'ScenarioSuite'; suite?: ScenarioSuite; diagnostics: Diagnostic[] }
  | { kind: undefined; diagnostics: Diagnostic[] };

/** Document kinds and the loader each one selects. */
export const SPEC_KINDS = ['PipelineSpec', 'FactoryProfile', 'ScenarioSuite'] as const;
export type SpecKind = (typeof SPEC_KINDS)[number];

/** Loader rules beyond the schema issue rules. */
export const LoaderRule = { missingKind: 'missing_kind', unknownKind: 'unknown_kind', internalError: 'internal_error' } as const;

/** Validates a pipeline document from any syntax (YAML, the DOT mapper) and normalizes it. */
export function validatePipelineDoc(raw: unknown, ctx: LocateContext): PipelineLoadResult {
  return guard(ctx.file, (internal) => ({ sourceMap: {}, diagnostics: [internal] }), () => {
    const sourceMap = buildSourceMap(raw, ctx);
    const parsed = pipelineSchema.safeParse(raw);
    if (!parsed.success) return { sourceMap, diagnostics: issuesToDiagnostics(parsed.error.issues, raw, pipelineSchema, ctx) };
    const unexpanded = normalizeDoc(parsed.data);
    return { graph: applyTransforms(unexpanded), unexpanded, sourceMap, diagnostics: [] };
  });
}

/** Loads a PipelineSpec YAML document. */
export function loadPipelineYaml(text: string, file: string): PipelineLoadResult {
  return guard(file, (internal) => ({ sourceMap: {}, diagnostics: [internal] }), () => {
    return pipelineFrom(parseYaml(text, file));
  });
}

function pipelineFrom(parsed: ParsedYaml): PipelineLoadResult {
  const doc = readDoc(parsed, 'PipelineSpec');
  if (doc.raw === undefined) return { sourceMap: {}, diagnostics: sortDiagnostics(doc.diagnostics) };
  const result = validatePipelineDoc(doc.raw, doc.ctx);
  const diagnostics = sortDiagnostics([...doc.diagnostics, ...result.diagnostics]);
  return hasError(diagnostics) ? { sourceMap: result.sourceMap, diagnostics } : { ...result, diagnostics };
}

/** Loads a FactoryProfile YAML document. */
export function loadProfileYaml(text: string, file: string): { profile?: FactoryProfile; diagnostics: Diagnostic[] } {
  return guard(file, (internal) => ({ diagnostics: [internal] }), () => {
    return profileFrom(parseYaml(text, file));
  });
}

function profileFrom(parsed: ParsedYaml): { profile?: FactoryProfile; diagnostics: Diagnostic[] } {
  const { data, diagnostics } = loadWith(profileSchema, parsed, 'FactoryProfile');
  return data ? { profile: data, diagnostics } : { diagnostics };
}

/** Loads a ScenarioSuite YAML document. */
export function loadSuiteYaml(text: string, file: string): { suite?: ScenarioSuite; diagnostics: Diagnostic[] } {
  return guard(file, (internal) => ({ diagnostics: [internal] }), () => {
    return suiteFrom(parseYaml(text, file));
  });
}

function suiteFrom(parsed: ParsedYaml): { suite?: ScenarioSuite; diagnostics: Diagnostic[] } {
  const { data, diagnostics } = loadWith(suiteSchema, parsed, 'ScenarioSuite');
  return data ? { suite: data, diagnostics } : { diagnostics };
}

/** Loads any spec YAML, choosing the schema by its `kind`. */
export function loadYamlSpec(text: string, file: string): SpecLoadResult {
  return guard(file, (internal) => ({ kind: undefined, diagnostics: [internal] }), () => {
    const parsed = parseYaml(text, file);
    const doc = readDoc(parsed, undefined);
    if (doc.raw === undefined) return { kind: undefined, diagnostics: sortDiagnostics(doc.diagnostics) };
    const kind = valueAt(doc.raw, ['kind']).value;
    if (kind === 'PipelineSpec') return { kind, ...pipelineFrom(parsed) };
    if (kind === 'FactoryProfile') return { kind, ...profileFrom(parsed) };
    if (kind === 'ScenarioSuite') return { kind, ...suiteFrom(parsed) };
    return { kind: undefined, diagnostics: sortDiagnostics(doc.diagnostics) };
  });
}

interface ReadDoc {
  /** Set when the text is one mapping that parsed: ready for a schema. */
  raw?: unknown;
  ctx: LocateContext;
  diagnostics: Diagnostic[];
}

/** Parses YAML and checks the root is a mapping with the expected `kind` (any known kind when undefined). */
function readDoc(parsed: ParsedYaml, expected: SpecKind | undefined): ReadDoc {
  const file = parsed.file;
  const diagnostics = [...parsed.diagnostics];
  if (parsed.raw === undefined) return { ctx: parsed, diagnostics };
  if (!parsed.isMapping) {
    const root = parsed.locate([]) ?? { line: 1, column: 1 };
    diagnostics.push({
      rule: 'invalid_type',
      severity: 'error',
      message: `expected a mapping with "kind: ${expected ?? SPEC_KINDS.join(' | ')}" at the top, got ${parsed.raw === null ? 'an empty document' : describeValue(parsed.raw)}`,
      file,
      ...root,
    });
    return { ctx: parsed, diagnostics };
  }
  const kind = valueAt(parsed.raw, ['kind']);
  const at: SourcePos = parsed.locate(kind.exists ? ['kind'] : []) ?? { line: 1, column: 1 };
  if (!kind.exists) {
    diagnostics.push({
      rule: LoaderRule.missingKind,
      severity: 'error',
      message: `missing "kind": say which document this is (${expected ?? SPEC_KINDS.join(' | ')})`,
      file,
      ...at,
      path: 'kind',
      fix: `add "kind: ${expected ?? 'PipelineSpec'}" as the first line`,
    });
  } else if (expected === undefined && !SPEC_KINDS.includes(kind.value as SpecKind)) {
    const guess = typeof kind.value === 'string' ? closest(kind.value, SPEC_KINDS) : undefined;
    diagnostics.push({
      rule: LoaderRule.unknownKind,
      severity: 'error',
      message: `unknown kind ${typeof kind.value === 'string' ? JSON.stringify(kind.value) : describeValue(kind.value)}; expected one of ${SPEC_KINDS.join(' | ')}`,
      file,
      ...at,
      path: 'kind',
      fix: guess ? `use "kind: ${guess}"` : `use one of ${SPEC_KINDS.join(', ')}`,
    });
  }
  if (expected === undefined && hasError(diagnostics)) return { ctx: parsed, diagnostics };
  return { raw: parsed.raw, ctx: parsed, diagnostics };
}

function loadWith<S extends z.ZodType>(schema: S, parsed: ParsedYaml, kind: SpecKind): { data?: z.output<S>; diagnostics: Diagnostic[] } {
  const doc = readDoc(parsed, kind);
  if (doc.raw === undefined) return { diagnostics: sortDiagnostics(doc.diagnostics) };
  const result = schema.safeParse(doc.raw);
  // missing_kind was reported by readDoc; the schema's own missing-kind issue would repeat it.
  const issues = result.success ? [] : issuesToDiagnostics(result.error.issues, doc.raw, schema, doc.ctx).filter((d) => d.rule !== LoaderRule.missingKind);
  const diagnostics = sortDiagnostics([...doc.diagnostics, ...issues]);
  return result.success && !hasError(diagnostics) ? { data: result.data, diagnostics } : { diagnostics };
}

function hasError(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Runs a loader, turning any unexpected exception into an `internal_error` diagnostic naming the file. */
function guard<T>(file: string, wrap: (d: Diagnostic) => T, run: () => T): T {
  try {
    return run();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return wrap({ rule: LoaderRule.internalError, severity: 'error', message: `internal error while loading: ${detail}`, file, fix: 'please report this with the file attached' });
  }
}
