// Attractor DOT (`.dot`) → the same PipelineGraph a PipelineSpec YAML file gives. ts-graphviz parses;
// definitions/dot/ applies Attractor's DOT subset and maps the graph onto the raw pipeline document, which
// validatePipelineDoc checks and normalizes exactly as it does YAML.
import { hasErrors, type Diagnostic } from '../core/diagnostics';
import { collectDotGraph } from './dot/collect';
import { parseDot } from './dot/parse';
import { resolvePromptFiles } from './dot/prompt-file';
import { toRawPipelineDoc } from './dot/raw';
import { validatePipelineDoc, type PipelineLoadResult } from './yaml';

export { DotRule } from './dot/parse';

/** Where a DOT graph was read from: `baseDir` (its directory) lets `prompt_file` read prompts next to it. */
export interface DotLoadOptions {
  baseDir?: string;
}

/** Loads an Attractor DOT pipeline; never throws, reports every problem as a positioned diagnostic. */
export function loadPipelineDot(text: string, file: string, opts: DotLoadOptions = {}): PipelineLoadResult {
  const parsed = parseDot(text, file);
  if (!parsed.graph) return { sourceMap: {}, diagnostics: parsed.diagnostics };
  const collected = collectDotGraph(parsed.graph, text, file);
  collected.diagnostics.push(...resolvePromptFiles(collected.graph, file, opts.baseDir));
  const { raw, locate, locateKey } = toRawPipelineDoc(collected.graph);
  const result = validatePipelineDoc(raw, { file, locate, locateKey });
  const schemaDiags = result.diagnostics.map(inDotTerms);
  const diagnostics = [...parsed.diagnostics, ...collected.diagnostics, ...schemaDiags];
  if (hasErrors(diagnostics)) return { sourceMap: result.sourceMap, diagnostics };
  return { ...result, diagnostics };
}

/** Rewords the shared schema's YAML-flavoured advice where DOT differs (quoting changes nothing in DOT). */
function inDotTerms(d: Diagnostic): Diagnostic {
  if (d.rule === 'missing_key' && d.path === 'id') {
    return { ...d, message: 'the pipeline has no id: the digraph is unnamed', fix: 'name the graph (`digraph my_pipeline { ... }`) or add `id="my-pipeline"`' };
  }
  if (d.fix && /without quotes/.test(d.fix)) {
    const { fix: _fix, ...rest } = d;
    return rest;
  }
  return d;
}
